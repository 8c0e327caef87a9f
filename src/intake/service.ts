import { and, eq } from 'drizzle-orm';
import type { AuditContext } from '../audit/log.js';
import type { IntakeChannel } from '../cases/schema.js';
import { openCase } from '../cases/service.js';
import type { DbOrTx } from '../db/client.js';
import { organisations } from '../orgs/schema.js';
import type { Actor } from '../permissions/actor.js';
import { reindexCase } from '../search/index.js';
import { intakes } from './schema.js';

export type IntakeMedium = (typeof intakes.$inferInsert)['medium'];

/** Mẫu 01: what a report says, from whichever channel it came. */
export interface IntakeInput {
  channel: IntakeChannel;
  medium: IntakeMedium;
  receivedAt: string;
  sourceOrgId: number | null;
  child: {
    /** A child already known (e.g. a pupil on the school roster). */
    id?: number | null;
    name: string;
    birthDate?: string | null;
    estimatedAge?: number | null;
    sex?: 'male' | 'female' | null;
  };
  residenceOrgId?: number | null;
  incidentOrgId?: number | null;
  incidentPlace?: string | null;
  description: string;
  currentCondition?: string | null;
  likelyConsequence?: string | null;
  actionTaken?: string | null;
  parentsInfo?: string | null;
  familySituation?: string | null;
  caregiver?: string | null;
  immediateDanger: boolean;
  categories: readonly string[];
  reporter: { consented: boolean; relation?: string | null; name?: string | null; phone?: string | null; address?: string | null };
  receiptHash?: string | null;
}

function isActiveCommune(db: DbOrTx, id: number | null | undefined): id is number {
  if (!id) return false;
  return Boolean(
    db
      .select({ id: organisations.id })
      .from(organisations)
      .where(and(eq(organisations.id, id), eq(organisations.kind, 'commune'), eq(organisations.active, true)))
      .get(),
  );
}

/** Intakes go to the commune of the child's residence, or of the incident when residence is unknown. */
export function responsibleCommune(db: DbOrTx, residenceOrgId?: number | null, incidentOrgId?: number | null): number | null {
  if (isActiveCommune(db, residenceOrgId)) return residenceOrgId;
  if (isActiveCommune(db, incidentOrgId)) return incidentOrgId;
  return null;
}

/**
 * Records the report and opens its case, in the caller's write transaction. Returns null when no
 * responsible commune can be found, so the caller can ask the reporter for one.
 */
export function createIntake(
  tx: DbOrTx,
  writer: { actor: Actor | null; audit: AuditContext; recordedBy: number | null },
  input: IntakeInput,
): { caseId: number; reference: string; intakeId: number } | null {
  const orgId = responsibleCommune(tx, input.residenceOrgId, input.incidentOrgId);
  if (orgId === null) return null;
  const opened = openCase(tx, writer, {
    orgId,
    channel: input.channel,
    receivedAt: input.receivedAt,
    childId: input.child.id ?? null,
    categories: input.categories,
  });
  const consented = input.reporter.consented;
  const { id } = tx
    .insert(intakes)
    .values({
      caseId: opened.id,
      channel: input.channel,
      medium: input.medium,
      receivedAt: input.receivedAt,
      recordedBy: writer.recordedBy,
      sourceOrgId: input.sourceOrgId,
      childName: input.child.name,
      childBirthDate: input.child.birthDate ?? null,
      childEstimatedAge: input.child.estimatedAge ?? null,
      childSex: input.child.sex ?? null,
      residenceOrgId: input.residenceOrgId ?? null,
      incidentOrgId: input.incidentOrgId ?? null,
      incidentPlace: input.incidentPlace ?? null,
      description: input.description,
      currentCondition: input.currentCondition ?? null,
      likelyConsequence: input.likelyConsequence ?? null,
      actionTaken: input.actionTaken ?? null,
      parentsInfo: input.parentsInfo ?? null,
      familySituation: input.familySituation ?? null,
      caregiver: input.caregiver ?? null,
      immediateDanger: input.immediateDanger,
      reporterConsented: consented,
      reporterRelation: input.reporter.relation ?? null,
      // Without consent the reporter stays anonymous: nothing that identifies them is kept.
      reporterName: consented ? (input.reporter.name ?? null) : null,
      reporterPhone: consented ? (input.reporter.phone ?? null) : null,
      reporterAddress: consented ? (input.reporter.address ?? null) : null,
      receiptHash: input.receiptHash ?? null,
    })
    .returning({ id: intakes.id })
    .get();
  // case search (issue 4): the child's name and the report become searchable with the intake.
  reindexCase(tx, opened.id);
  return { caseId: opened.id, reference: opened.reference, intakeId: id };
}
