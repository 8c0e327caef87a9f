/**
 * Ties a case to the child it is about: an existing child record the worker recognised among the
 * suggestions, or a new record made from the intake. The child is case data, not workflow, so this
 * does not go through the statechart; it still checks and bumps the row version, so two workers
 * cannot link one case to two children.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { appendAudit, type AuditContext } from '../audit/log.js';
import type { CaseRow } from '../cases/repository.js';
import { cases, caseTimeline } from '../cases/schema.js';
import { children } from '../children/schema.js';
import { writeTransaction, type Db, type Tx } from '../db/client.js';
import type { Actor } from '../permissions/actor.js';
import { reindexCase } from '../search/index.js';
import { foldVietnamese } from '../text/fold.js';
import { birthFromIntake, type IntakeRow } from './case-facts.js';

export type ChildLinkResult = { ok: true; childId: number } | { ok: false; reason: 'conflict' };

interface Writer {
  actor: Actor;
  audit: AuditContext;
}

/** Sets the child if nobody changed the case meanwhile; false when the row version or child moved on. */
function setChild(tx: Tx, row: CaseRow, childId: number, expectedVersion: number, at: string): boolean {
  const updated = tx
    .update(cases)
    .set({ childId, rowVersion: expectedVersion + 1, updatedAt: at })
    .where(and(eq(cases.id, row.id), eq(cases.rowVersion, expectedVersion), isNull(cases.childId)))
    .returning({ id: cases.id })
    .get();
  return updated !== undefined;
}

function isUnchanged(tx: Tx, row: CaseRow, expectedVersion: number): boolean {
  const current = tx.select({ rowVersion: cases.rowVersion, childId: cases.childId }).from(cases).where(eq(cases.id, row.id)).get();
  return current !== undefined && current.rowVersion === expectedVersion && current.childId === null;
}

function record(tx: Tx, writer: Writer, row: CaseRow, kind: 'child_link' | 'child_confirm', childId: number, at: string): void {
  tx.insert(caseTimeline)
    .values({ caseId: row.id, at, actorUserId: writer.actor.userId, actorRole: writer.actor.role, kind, detail: { childId } })
    .run();
  appendAudit(tx, writer.audit, { action: `case.${kind}`, entityType: 'case', entityId: row.id });
  // case search (issue 4): the linked child's name is searchable too.
  reindexCase(tx, row.id);
}

/** Links the case to a child record the caller has checked the actor may see. */
export function linkChild(db: Db, writer: Writer, row: CaseRow, childId: number, expectedVersion: number, now = new Date()): ChildLinkResult {
  const at = now.toISOString();
  return writeTransaction(db, (tx) => {
    if (!setChild(tx, row, childId, expectedVersion, at)) return { ok: false, reason: 'conflict' } as const;
    record(tx, writer, row, 'child_link', childId, at);
    return { ok: true, childId } as const;
  });
}

/** Makes the child's record from what the intake says, and links the case to it. */
export function confirmNewChild(
  db: Db,
  writer: Writer,
  row: CaseRow,
  intake: IntakeRow,
  expectedVersion: number,
  now = new Date(),
): ChildLinkResult {
  const at = now.toISOString();
  const birth = birthFromIntake(intake);
  return writeTransaction(db, (tx) => {
    // Checked before the insert, under the write lock, so a conflict leaves no orphan child record.
    if (!isUnchanged(tx, row, expectedVersion)) return { ok: false, reason: 'conflict' } as const;
    const { id } = tx
      .insert(children)
      .values({
        fullName: intake.childName,
        nameFolded: foldVietnamese(intake.childName),
        birthDate: birth.birthDate,
        // A known date of birth makes the estimate redundant.
        estimatedBirthYear: birth.birthDate ? null : birth.estimatedBirthYear,
        sex: intake.childSex,
        residenceOrgId: intake.residenceOrgId,
        createdBy: writer.actor.userId,
      })
      .returning({ id: children.id })
      .get();
    setChild(tx, row, id, expectedVersion, at);
    record(tx, writer, row, 'child_confirm', id, at);
    return { ok: true, childId: id } as const;
  });
}
