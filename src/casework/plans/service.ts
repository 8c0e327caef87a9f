/**
 * The plan's life (Mẫu 04–05): drafts are casework, saved as the current draft version; submitting,
 * approving and rejecting are workflow transitions that write the plan inside the same transaction.
 * A submitted version is frozen: after a rejection the next save starts a new version.
 */
import { and, desc, eq } from 'drizzle-orm';
import type { DateKey } from '../../calendar/working-days.js';
import { applyCaseEvent } from '../../cases/service.js';
import { writeTransaction, type Db, type DbOrTx, type Tx } from '../../db/client.js';
import { rowLimit } from '../../db/paging.js';
import { vietnamInstant } from '../../intake/form.js';
import type { OrgRelations } from '../../permissions/conditions.js';
import { reindexCase } from '../../search/index.js';
import type { StepResult } from '../assessments/service.js';
import { claimCase } from '../assessments/step-support.js';
import { recordCasework, type CaseworkWriter } from '../record.js';
import { planMeasures, plans } from '../schema.js';
import type { PlanInput } from './form.js';

export type PlanStepResult = StepResult & { version?: number };

function latestPlanRow(db: DbOrTx, caseId: number): typeof plans.$inferSelect | undefined {
  return db.select().from(plans).where(eq(plans.caseId, caseId)).orderBy(desc(plans.version)).limit(rowLimit(1)).get();
}

/** The version a save writes: the open draft, or a new version after the latest frozen one. */
export function draftVersionOf(db: DbOrTx, caseId: number): number {
  const latest = latestPlanRow(db, caseId);
  if (!latest) return 1;
  return latest.status === 'draft' ? latest.version : latest.version + 1;
}

/** Writes the draft version (updating the open draft, or starting the next version) and its measures. */
function writeDraft(tx: Tx, writer: CaseworkWriter, caseId: number, input: PlanInput, at: string): { planId: number; version: number } {
  const latest = latestPlanRow(tx, caseId);
  let planId: number;
  let version: number;
  if (latest && latest.status === 'draft') {
    ({ id: planId, version } = latest);
    tx.update(plans).set({ goals: input.goals }).where(eq(plans.id, planId)).run();
    tx.delete(planMeasures).where(eq(planMeasures.planId, planId)).run();
  } else {
    version = (latest?.version ?? 0) + 1;
    planId = tx.insert(plans).values({ caseId, version, goals: input.goals, createdBy: writer.actor.userId, createdAt: at }).returning({ id: plans.id }).get().id;
  }
  for (const measure of input.measures) tx.insert(planMeasures).values({ planId, ...measure }).run();
  reindexCase(tx, caseId);
  return { planId, version };
}

/** Saves the draft while the case is in planning; a stale form is a conflict. */
export function savePlanDraft(db: Db, writer: CaseworkWriter, caseId: number, input: PlanInput, expectedVersion: number, now = new Date()): PlanStepResult {
  const at = now.toISOString();
  return writeTransaction(db, (tx) => {
    const claim = claimCase(tx, caseId, expectedVersion, ['planning'], at);
    if (!claim.ok) return claim;
    const { version } = writeDraft(tx, writer, caseId, input, at);
    recordCasework(tx, writer, caseId, { kind: 'plan_draft', detail: { version }, at }, 'case.plan_draft');
    return { ok: true, version };
  });
}

/** Saves the form as the draft and submits that version to the chairperson, in one transition. */
export function submitPlan(db: Db, orgs: OrgRelations, writer: CaseworkWriter, caseId: number, input: PlanInput, expectedVersion: number): PlanStepResult {
  const version = draftVersionOf(db, caseId);
  const result = applyCaseEvent(db, orgs, writer, caseId, { type: 'SUBMIT_PLAN' }, {
    expectedVersion,
    detail: { step: 'plan_submitted', version },
    within: (tx, row) => {
      const { planId } = writeDraft(tx, writer, caseId, input, row.updatedAt);
      tx.update(plans).set({ status: 'submitted', submittedAt: row.updatedAt }).where(eq(plans.id, planId)).run();
    },
  });
  return result.ok ? { ok: true, version } : result;
}

/** The version awaiting the chairperson's decision, if any. */
function submittedPlanRow(db: DbOrTx, caseId: number): typeof plans.$inferSelect | null {
  return db.select().from(plans).where(and(eq(plans.caseId, caseId), eq(plans.status, 'submitted'))).orderBy(desc(plans.version)).limit(rowLimit(1)).get() ?? null;
}

export interface ApprovalDecision {
  /** The decision's number (Mẫu 05), e.g. "15/QĐ-UBND". */
  decisionNumber: string;
  decisionDate: DateKey;
}

/**
 * The chairperson approves by decision (Art. 28.2, Mẫu 05). The plan has no column for the decision's
 * date apart from decidedAt, so decidedAt holds the start of that day in Viet Nam; the timeline keeps
 * when it was recorded.
 */
export function approvePlan(db: Db, orgs: OrgRelations, writer: CaseworkWriter, caseId: number, decision: ApprovalDecision, expectedVersion: number): PlanStepResult {
  const plan = submittedPlanRow(db, caseId);
  if (!plan) return { ok: false, reason: 'not_allowed_now' };
  const decidedAt = (vietnamInstant(decision.decisionDate, '00:00') ?? new Date()).toISOString();
  const result = applyCaseEvent(db, orgs, writer, caseId, { type: 'APPROVE_PLAN' }, {
    expectedVersion,
    detail: { step: 'plan_approved', version: plan.version, decisionNumber: decision.decisionNumber, decisionDate: decision.decisionDate },
    within: (tx) => {
      tx.update(plans)
        .set({ status: 'approved', decidedBy: writer.actor.userId, decidedAt, decisionNumber: decision.decisionNumber })
        .where(eq(plans.id, plan.id))
        .run();
    },
  });
  return result.ok ? { ok: true, version: plan.version } : result;
}

/** The chairperson returns the plan with a comment; the worker then writes a new version. */
export function rejectPlan(db: Db, orgs: OrgRelations, writer: CaseworkWriter, caseId: number, comment: string, expectedVersion: number): PlanStepResult {
  const plan = submittedPlanRow(db, caseId);
  if (!plan) return { ok: false, reason: 'not_allowed_now' };
  const result = applyCaseEvent(db, orgs, writer, caseId, { type: 'REJECT_PLAN', comment }, {
    expectedVersion,
    detail: { step: 'plan_rejected', version: plan.version },
    within: (tx, row) => {
      tx.update(plans)
        .set({ status: 'rejected', decidedBy: writer.actor.userId, decidedAt: row.updatedAt, decisionComment: comment })
        .where(eq(plans.id, plan.id))
        .run();
    },
  });
  return result.ok ? { ok: true, version: plan.version } : result;
}
