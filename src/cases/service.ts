import type Database from 'better-sqlite3';
import { and, eq } from 'drizzle-orm';
import { createActor } from 'xstate';
import { notifyForCase } from '../alerts/notify.js';
import { appendAudit, recordAudit, type AuditContext } from '../audit/log.js';
import { loadNonWorkingDays } from '../calendar/repository.js';
import { endOpenAssignment, openAssignment } from '../casework/assignment/history.js';
import { preparedStatements, writeTransaction, type Db, type DbOrTx, type Tx } from '../db/client.js';
import { findOrganisation } from '../orgs/repository.js';
import type { Actor } from '../permissions/actor.js';
import { isAllowed } from '../permissions/check.js';
import type { OrgRelations } from '../permissions/conditions.js';
import { reindexCase } from '../search/index.js';
import { deadlinesFor } from './deadlines.js';
import { EVENT_PERMISSIONS } from './event-permissions.js';
import { nextCaseReference } from './references.js';
import { caseSubject, findCase, type CaseRow } from './repository.js';
import { cases, caseTimeline, type IntakeChannel } from './schema.js';
import {
  CASE_MACHINE_VERSION,
  caseMachine,
  stateKeyOf,
  type CaseEvent,
  type CaseEventType,
  type CaseSnapshot,
  type CaseState,
} from './workflow/machine.js';

/** Who is acting on the case: the permission rules judge `actor`, the audit log records `audit`. */
export interface CaseWriter {
  actor: Actor;
  audit: AuditContext;
}

type WithoutAt<E> = E extends unknown ? Omit<E, 'at'> : never;
/** A workflow event as a caller asks for it; the service stamps the time. */
export type CaseCommand = WithoutAt<CaseEvent>;

export type ApplyRefusal = 'not_found' | 'forbidden' | 'not_allowed_now' | 'invalid_target' | 'conflict';
export type ApplyResult = { ok: true; caseRow: CaseRow; state: CaseState } | { ok: false; reason: ApplyRefusal };

export interface NewCase {
  orgId: number;
  channel: IntakeChannel;
  receivedAt: string;
  childId: number | null;
  categories: readonly string[];
}

/** The statements of openCase: every intake runs them, so they are prepared once (docs/decisions/0013). */
const openCaseStatements = preparedStatements((client) => ({
  // The codes arrive as one JSON array, so the statement is the same whatever the number of categories.
  sensitive: client.prepare(
    'SELECT EXISTS (SELECT 1 FROM taxonomy_codes WHERE sensitive = 1 AND code IN (SELECT value FROM json_each(?))) AS found',
  ) as Database.Statement<[string], { found: 0 | 1 }>,
  insertCase: client.prepare(
    `INSERT INTO cases (reference, org_id, child_id, channel, state, snapshot, machine_version, sensitive, received_at, emergency_due_at, plan_due_at, next_due_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     RETURNING id, updated_at AS updatedAt`,
  ) as Database.Statement<[string, number, number | null, IntakeChannel, string, string, number, 0 | 1, string, string | null, string | null, string | null], { id: number; updatedAt: string }>,
  insertCategory: client.prepare<[number, string]>('INSERT INTO case_categories (case_id, code) VALUES (?, ?)'),
  insertTimeline: client.prepare(
    `INSERT INTO case_timeline (case_id, at, actor_user_id, actor_role, kind, to_state, detail) VALUES (?, ?, ?, ?, 'intake', ?, ?)`,
  ) as Database.Statement<[number, string, number | null, string | null, string, string]>,
}));

function restore(row: CaseRow): ReturnType<typeof createActor<typeof caseMachine>> {
  return createActor(caseMachine, {
    snapshot: row.snapshot as CaseSnapshot,
    input: { orgId: row.orgId, receivedAt: row.receivedAt },
  }).start();
}

/**
 * Opens a case in the intake state, inside the caller's transaction (the intake that reports it is
 * written in the same one). The first timeline entry and the audit entry go with it. A caller that
 * adds searchable text right after (createIntake) passes `searchIndex: false` and indexes once itself.
 */
export function openCase(
  tx: DbOrTx,
  writer: { actor: Actor | null; audit: AuditContext },
  input: NewCase,
  options: { searchIndex?: boolean } = {},
): { id: number; reference: string } {
  const statements = openCaseStatements(tx);
  const actor = createActor(caseMachine, { input: { orgId: input.orgId, receivedAt: input.receivedAt } }).start();
  const snapshot = actor.getSnapshot();
  actor.stop();
  const state = stateKeyOf(snapshot);
  const deadlines = deadlinesFor(state, snapshot.context, loadNonWorkingDays(tx));
  const reference = nextCaseReference(tx, input.receivedAt);
  const sensitive = input.categories.length > 0 && statements.sensitive.get(JSON.stringify(input.categories))?.found === 1;
  const { id, updatedAt } = statements.insertCase.get(
    reference,
    input.orgId,
    input.childId,
    input.channel,
    state,
    JSON.stringify(actor.getPersistedSnapshot()),
    CASE_MACHINE_VERSION,
    sensitive ? 1 : 0,
    input.receivedAt,
    deadlines.emergencyDueAt,
    deadlines.planDueAt,
    deadlines.nextDueAt,
  )!;
  for (const code of new Set(input.categories)) statements.insertCategory.run(id, code);
  const actorUserId = writer.actor?.userId ?? null;
  statements.insertTimeline.run(id, input.receivedAt, actorUserId, writer.actor?.role ?? null, state, JSON.stringify({ channel: input.channel }));
  appendAudit(tx, writer.audit, { action: 'case.create', entityType: 'case', entityId: id });
  // case search (issue 4): findable by its reference from the start.
  if (options.searchIndex ?? true) reindexCase(tx, id);
  // alerts (issue 4): the commune's workers hear of the new case.
  notifyForCase(tx, { id, orgId: input.orgId, state, assignedUserId: null, sensitive, updatedAt }, null, actorUserId);
  return { id, reference };
}

/** What a timeline entry keeps of the event besides its type: the reasons people gave. */
function eventDetail(command: CaseCommand): Record<string, unknown> | null {
  const { type: _type, ...payload } = command;
  return Object.keys(payload).length > 0 ? payload : null;
}

/**
 * Checks that a transfer or merge points at something real before the machine is asked. A merge
 * target must be a live case the actor may read, so nobody can fold a case into one they cannot see.
 */
function targetIsValid(db: DbOrTx, orgs: OrgRelations, writer: CaseWriter, row: CaseRow, command: CaseCommand): boolean {
  if (command.type === 'TRANSFER') {
    const target = findOrganisation(db, command.toOrgId);
    return Boolean(target && target.active && target.kind === 'commune');
  }
  if (command.type === 'MARK_DUPLICATE') {
    const target = command.intoCaseId === row.id ? null : findCase(db, command.intoCaseId);
    return Boolean(target && target.state !== 'merged' && isAllowed('case.read', writer.actor, caseSubject(db, target), orgs));
  }
  return true;
}

/**
 * The one way a case's workflow state changes: check the permission, restore the statechart, refuse
 * the event unless the statechart can take it now, then persist the snapshot, a timeline entry and an
 * audit entry in one transaction. A stale row version is a conflict, never a lost update.
 */
export function applyCaseEvent(
  db: Db,
  orgs: OrgRelations,
  writer: CaseWriter,
  caseId: number,
  command: CaseCommand,
  options: {
    expectedVersion?: number;
    now?: Date;
    detail?: Record<string, unknown>;
    /** The step's own records (a plan, a review, …), written in the same transaction as the transition. */
    within?: (tx: Tx, caseRow: CaseRow) => void;
  } = {},
): ApplyResult {
  const action = EVENT_PERMISSIONS[command.type as CaseEventType];
  const refuse = (reason: ApplyRefusal): ApplyResult => {
    recordAudit(db, writer.audit, { action: action ?? 'case.event', entityType: 'case', entityId: caseId, outcome: 'refused' });
    return { ok: false, reason };
  };
  const row = findCase(db, caseId);
  if (!row) return { ok: false, reason: 'not_found' };
  if (!action || !isAllowed(action, writer.actor, caseSubject(db, row), orgs)) return refuse('forbidden');
  if (options.expectedVersion !== undefined && options.expectedVersion !== row.rowVersion) return { ok: false, reason: 'conflict' };
  if (!targetIsValid(db, orgs, writer, row, command)) return refuse('invalid_target');

  const at = (options.now ?? new Date()).toISOString();
  const event = { ...command, at } as CaseEvent;
  const actor = restore(row);
  if (!actor.getSnapshot().can(event)) {
    actor.stop();
    return refuse('not_allowed_now');
  }
  actor.send(event);
  const snapshot = actor.getSnapshot();
  const persisted = actor.getPersistedSnapshot();
  actor.stop();

  const fromState = row.state;
  const state = stateKeyOf(snapshot);
  const { context } = snapshot;
  return writeTransaction(db, (tx) => {
    const deadlines = deadlinesFor(state, context, loadNonWorkingDays(tx));
    const updated = tx
      .update(cases)
      .set({
        state,
        snapshot: persisted,
        machineVersion: CASE_MACHINE_VERSION,
        rowVersion: row.rowVersion + 1,
        orgId: context.orgId,
        assignedUserId:
          command.type === 'TAKE' ? (row.assignedUserId ?? writer.actor.userId) : command.type === 'TRANSFER' ? null : row.assignedUserId,
        emergency: context.emergencyDeclaredAt !== null,
        closedAt: state === 'closed' || state === 'merged' ? at : null,
        updatedAt: at,
        ...deadlines,
      })
      .where(and(eq(cases.id, row.id), eq(cases.rowVersion, row.rowVersion)))
      .returning()
      .get();
    if (!updated) return { ok: false, reason: 'conflict' } as const;
    // TAKE and TRANSFER change who is responsible, like a supervisor's assignment: the assignment
    // history (src/casework/assignment) records them too, so it answers "who held the case when" completely.
    if (updated.assignedUserId !== row.assignedUserId) {
      if (updated.assignedUserId === null) endOpenAssignment(tx, row.id, at);
      else openAssignment(tx, row.id, updated.assignedUserId, writer.actor.userId, at);
    }
    tx.insert(caseTimeline)
      .values({
        caseId: row.id,
        at,
        actorUserId: writer.actor.userId,
        actorRole: writer.actor.role,
        kind: 'state_change',
        eventType: command.type,
        fromState,
        toState: state,
        // Casework that rides on an event (the measures taken, a note) is kept with it, not in the
        // snapshot; the event's own fields win, so a note cannot rewrite the reason the machine judged.
        detail: options.detail ? { ...options.detail, ...eventDetail(command) } : eventDetail(command),
      })
      .run();
    appendAudit(tx, writer.audit, { action: `case.event.${command.type}`, entityType: 'case', entityId: row.id });
    // A transfer moves the case to another commune's searches.
    if (updated.orgId !== row.orgId) reindexCase(tx, row.id);
    options.within?.(tx, updated);
    // alerts (issue 4): a case arriving in a commune, or waiting for the chairperson, tells the people concerned.
    notifyForCase(tx, updated, row, writer.actor.userId);
    return { ok: true, caseRow: updated, state } as const;
  });
}

/**
 * Restored snapshots, by the row's parsed snapshot: a case page asks its row what can happen several
 * times (the actions, then each section), and each restore runs the machine up again.
 */
const restoredSnapshots = new WeakMap<object, ReturnType<ReturnType<typeof restore>['getSnapshot']>>();

/** The events the statechart would take now, for showing only the actions that can happen. */
export function possibleEvents(row: CaseRow, candidates: readonly CaseCommand[], now = new Date()): CaseCommand[] {
  const key = row.snapshot as object;
  let snapshot = restoredSnapshots.get(key);
  if (!snapshot) {
    const actor = restore(row);
    snapshot = actor.getSnapshot();
    actor.stop();
    restoredSnapshots.set(key, snapshot);
  }
  const at = now.toISOString();
  return candidates.filter((command) => snapshot.can({ ...command, at } as CaseEvent));
}
