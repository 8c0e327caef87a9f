import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { applyCaseEvent, type CaseCommand } from '../../src/cases/service.js';
import { writeTransaction } from '../../src/db/client.js';
import { createIntake } from '../../src/intake/service.js';
import type { Actor } from '../../src/permissions/actor.js';
import { activeAssignments } from '../../src/users/repository.js';
import type { TestApp, TestOrgs } from './app.js';

/** The user acting through their first active role, as a signed-in session would. */
export function actorOf(t: TestApp, userId: number): Actor {
  const assignment = activeAssignments(t.db, userId)[0]!;
  return { userId, assignmentId: assignment.id, role: assignment.role, orgId: assignment.orgId };
}

export interface TestChild {
  name: string;
  birthDate: string;
  sex: 'male' | 'female';
}

/** A hotline intake an hour old about a child of commune A (or `options.communeId`), opened through the real intake service. */
export function openHotlineCase(
  t: TestApp,
  orgs: TestOrgs,
  child: TestChild,
  description: string,
  options: { communeId?: number; categories?: string[] } = {},
): number {
  const opened = writeTransaction(t.db, (tx) =>
    createIntake(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT, recordedBy: null }, {
      channel: 'hotline',
      medium: 'phone',
      receivedAt: new Date(Date.now() - 3_600_000).toISOString(),
      sourceOrgId: orgs.hotline,
      child,
      residenceOrgId: options.communeId ?? orgs.communeA,
      description,
      immediateDanger: false,
      categories: options.categories ?? ['abuse_violence_physical'],
      reporter: { consented: false },
    }),
  );
  if (!opened) throw new Error('no responsible commune');
  return opened.caseId;
}

/** Drives a case through the workflow service: plan approvals by the chair, everything else by the worker. */
export function advanceCase(t: TestApp, people: { worker: number; chair: number }, caseId: number, commands: CaseCommand[]): void {
  for (const command of commands) {
    const actor = actorOf(t, command.type === 'APPROVE_PLAN' ? people.chair : people.worker);
    const result = applyCaseEvent(t.db, t.app.orgRelations, { actor, audit: SYSTEM_AUDIT_CONTEXT }, caseId, command);
    if (!result.ok) throw new Error(`${command.type}: ${result.reason}`);
  }
}
