/**
 * Recording the assessments: the initial risk assessment (Mẫu 02) is casework during verification;
 * the needs meeting and the detailed assessment (Mẫu 03, Art. 27) are workflow steps, written inside
 * their transitions. Each stores the derived overall risk on the assessment and on the case.
 */
import { eq } from 'drizzle-orm';
import { cases } from '../../cases/schema.js';
import { applyCaseEvent, type ApplyRefusal } from '../../cases/service.js';
import type { CaseState } from '../../cases/workflow/machine.js';
import { writeTransaction, type Db, type Tx } from '../../db/client.js';
import type { OrgRelations } from '../../permissions/conditions.js';
import { recordCasework, recordFieldChanges, type CaseworkWriter } from '../record.js';
import { assessments, needsMeetings, type RiskLevel } from '../schema.js';
import { deriveOverallRisk, type AssessmentKind, type RiskRating } from './risk.js';
import { claimCase } from './step-support.js';

/** Where the initial assessment belongs: verifying, before the worker decides on support or intervention. */
export const INITIAL_ASSESSMENT_STATES: readonly CaseState[] = ['verification', 'emergency'];

export interface AssessmentInput {
  ratings: RiskRating[];
  summary: string;
}

export interface NeedsMeetingRecord {
  heldAt: string;
  participants: string;
  minutes: string;
}

export type StepResult = { ok: true; overallRisk?: RiskLevel } | { ok: false; reason: ApplyRefusal };

function storeAssessment(
  tx: Tx,
  writer: CaseworkWriter,
  caseId: number,
  previousRisk: RiskLevel | null,
  kind: AssessmentKind,
  input: AssessmentInput & { needs?: string },
  at: string,
): RiskLevel {
  const overallRisk = deriveOverallRisk(input.ratings);
  tx.insert(assessments)
    .values({
      caseId,
      kind,
      items: input.ratings,
      overallRisk,
      summary: input.summary || null,
      needs: input.needs ?? null,
      createdBy: writer.actor.userId,
      createdAt: at,
    })
    .run();
  tx.update(cases).set({ riskLevel: overallRisk }).where(eq(cases.id, caseId)).run();
  recordFieldChanges(tx, caseId, writer.actor.userId, 'case', { riskLevel: previousRisk }, { riskLevel: overallRisk }, at);
  return overallRisk;
}

/** Mẫu 02: not a transition, so it claims the case's row version itself (a stale form is a conflict). */
export function recordInitialAssessment(
  db: Db,
  writer: CaseworkWriter,
  caseId: number,
  input: AssessmentInput,
  expectedVersion: number,
  now = new Date(),
): StepResult {
  const at = now.toISOString();
  return writeTransaction(db, (tx) => {
    const claim = claimCase(tx, caseId, expectedVersion, INITIAL_ASSESSMENT_STATES, at);
    if (!claim.ok) return claim;
    const overallRisk = storeAssessment(tx, writer, caseId, claim.before.riskLevel, 'initial', input, at);
    recordCasework(tx, writer, caseId, { kind: 'assessment_initial', detail: { overallRisk }, at }, 'case.assessment_initial');
    return { ok: true, overallRisk };
  });
}

/** The needs meeting (Art. 27), which the statechart requires before the detailed assessment can be completed. */
export function recordNeedsMeeting(
  db: Db,
  orgs: OrgRelations,
  writer: CaseworkWriter,
  caseId: number,
  meeting: NeedsMeetingRecord,
  expectedVersion: number,
): StepResult {
  const result = applyCaseEvent(db, orgs, writer, caseId, { type: 'RECORD_NEEDS_MEETING' }, {
    expectedVersion,
    detail: { step: 'needs_meeting', heldAt: meeting.heldAt },
    within: (tx, row) => {
      tx.insert(needsMeetings).values({ caseId, ...meeting, createdBy: writer.actor.userId, createdAt: row.updatedAt }).run();
    },
  });
  return result.ok ? { ok: true } : result;
}

/** Mẫu 03 with the needs it found: completing it starts planning. */
export function completeDetailedAssessment(
  db: Db,
  orgs: OrgRelations,
  writer: CaseworkWriter,
  caseId: number,
  input: AssessmentInput & { needs: string },
  expectedVersion: number,
): StepResult {
  const overallRisk = deriveOverallRisk(input.ratings);
  const result = applyCaseEvent(db, orgs, writer, caseId, { type: 'COMPLETE_ASSESSMENT' }, {
    expectedVersion,
    detail: { step: 'assessment_detailed', overallRisk },
    within: (tx, row) => {
      storeAssessment(tx, writer, caseId, row.riskLevel, 'detailed', input, row.updatedAt);
    },
  });
  return result.ok ? { ok: true, overallRisk } : result;
}
