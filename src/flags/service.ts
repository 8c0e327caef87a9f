import { eq } from 'drizzle-orm';
import { appendAudit, type AuditContext } from '../audit/log.js';
import { ageOf, findChild, insertPupil, type NewPupil } from '../children/repository.js';
import { writeTransaction, type Db, type Tx } from '../db/client.js';
import { createIntake } from '../intake/service.js';
import { findOrganisation } from '../orgs/repository.js';
import type { Actor } from '../permissions/actor.js';
import type { BodyMark } from './body-map.js';
import { findFlag, markFlagRead, type Flag } from './repository.js';
import { flagCategories, flags } from './schema.js';

export interface FlagWriter {
  actor: Actor;
  audit: AuditContext;
}

export interface NewFlag {
  schoolOrgId: number;
  /** A pupil on the roster, or one the teacher adds while flagging. */
  pupil: { id: number } | Omit<NewPupil, 'schoolOrgId' | 'createdBy'>;
  categories: readonly string[];
  description: string;
  immediateDanger: boolean;
  bodyMap: BodyMark[];
}

/** Records the flag, its categories and (when new) the pupil, in one transaction with their audit entries. */
export function createFlag(db: Db, writer: { userId: number; audit: AuditContext }, input: NewFlag, now: Date = new Date()): number {
  return writeTransaction(db, (tx) => {
    let childId: number;
    if ('id' in input.pupil) childId = input.pupil.id;
    else {
      childId = insertPupil(tx, { ...input.pupil, schoolOrgId: input.schoolOrgId, createdBy: writer.userId }, now);
      appendAudit(tx, writer.audit, { action: 'child.create', entityType: 'child', entityId: childId });
    }
    const { id } = tx
      .insert(flags)
      .values({
        schoolOrgId: input.schoolOrgId,
        childId,
        createdBy: writer.userId,
        createdAt: now.toISOString(),
        description: input.description,
        immediateDanger: input.immediateDanger,
        bodyMap: input.bodyMap,
        status: 'new',
      })
      .returning({ id: flags.id })
      .get();
    for (const code of new Set(input.categories)) tx.insert(flagCategories).values({ flagId: id, code }).run();
    appendAudit(tx, writer.audit, { action: 'flag.create', entityType: 'flag', entityId: id });
    return id;
  });
}

/** Opening a flag leaves a read receipt and an audit entry, together. */
export function recordFlagView(db: Db, writer: FlagWriter, flagId: number, now: Date = new Date()): void {
  writeTransaction(db, (tx) => {
    markFlagRead(tx, flagId, writer.actor.userId, now.toISOString());
    appendAudit(tx, writer.audit, { action: 'flag.view', entityType: 'flag', entityId: flagId });
  });
}

export type DecisionRefusal = 'already_decided' | 'no_commune';

/** Thrown inside the transaction so that everything it wrote (the case included) rolls back. */
class DecisionRefused extends Error {
  constructor(readonly reason: DecisionRefusal) {
    super(reason);
  }
}

/** Re-reads the flag inside the write transaction, so two leads deciding at once cannot both succeed. */
function undecidedFlag(tx: Tx, flagId: number): Flag {
  const flag = findFlag(tx, flagId);
  if (!flag || flag.status !== 'new') throw new DecisionRefused('already_decided');
  return flag;
}

export interface Forwarding {
  communeOrgId: number;
  leadContext: string | null;
  /** The teacher's description with the lead's context and the body map in words, for the commune worker. */
  caseDescription: string;
  categories: readonly string[];
}

/**
 * Forwards the flag to the commune of the child's residence: opens the case through the ordinary
 * intake (channel 'teacher', reported in person by the school) and marks the flag forwarded, all in
 * one transaction, so a flag is never forwarded without its case or the other way round.
 */
export function forwardFlag(
  db: Db,
  writer: FlagWriter,
  flagId: number,
  input: Forwarding,
  now: Date = new Date(),
): { ok: true; reference: string } | { ok: false; reason: DecisionRefusal } {
  try {
    return writeTransaction(db, (tx) => {
      const flag = undecidedFlag(tx, flagId);
      const child = findChild(tx, flag.childId);
      const school = findOrganisation(tx, flag.schoolOrgId);
      if (!child || !school) throw new Error(`flag ${flagId} lost its pupil or school`);
      const at = now.toISOString();
      const opened = createIntake(
        tx,
        { actor: writer.actor, audit: writer.audit, recordedBy: writer.actor.userId },
        {
          channel: 'teacher',
          medium: 'in_person',
          receivedAt: at,
          sourceOrgId: school.id,
          child: {
            id: child.id,
            name: child.fullName,
            birthDate: child.birthDate,
            estimatedAge: child.birthDate ? null : ageOf(child, now),
            sex: child.sex,
          },
          residenceOrgId: input.communeOrgId,
          description: input.caseDescription,
          immediateDanger: flag.immediateDanger,
          categories: input.categories,
          reporter: { consented: true, relation: 'school', name: school.name },
        },
      );
      if (!opened) throw new DecisionRefused('no_commune');
      tx.update(flags)
        .set({ status: 'forwarded', caseId: opened.caseId, leadContext: input.leadContext, decidedBy: writer.actor.userId, decidedAt: at })
        .where(eq(flags.id, flagId))
        .run();
      appendAudit(tx, writer.audit, { action: 'flag.forward', entityType: 'flag', entityId: flagId });
      return { ok: true as const, reference: opened.reference };
    });
  } catch (error) {
    if (error instanceof DecisionRefused) return { ok: false, reason: error.reason };
    throw error;
  }
}

/** The lead's decision that the concern needs no referral, with the reason they give. */
export function recordNoFurtherAction(
  db: Db,
  writer: FlagWriter,
  flagId: number,
  reason: string,
  now: Date = new Date(),
): { ok: true } | { ok: false; reason: 'already_decided' } {
  try {
    return writeTransaction(db, (tx) => {
      undecidedFlag(tx, flagId);
      tx.update(flags)
        .set({ status: 'no_action', leadReason: reason, decidedBy: writer.actor.userId, decidedAt: now.toISOString() })
        .where(eq(flags.id, flagId))
        .run();
      appendAudit(tx, writer.audit, { action: 'flag.no_action', entityType: 'flag', entityId: flagId });
      return { ok: true as const };
    });
  } catch (error) {
    if (error instanceof DecisionRefused) return { ok: false, reason: 'already_decided' };
    throw error;
  }
}
