import type Database from 'better-sqlite3';
import type { AuditContext } from '../audit/log.js';
import type { IntakeChannel } from '../cases/schema.js';
import { openCase } from '../cases/service.js';
import { preparedStatements, type DbOrTx } from '../db/client.js';
import type { Actor } from '../permissions/actor.js';
import { reindexCase } from '../search/index.js';
import { isActiveCommune } from './commune-picker.js';
import type { intakes } from './schema.js';

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

/** Every intake runs these, so they are prepared once per connection (docs/decisions/0013). */
const intakeStatements = preparedStatements((client) => ({
  insertIntake: client.prepare(
    `INSERT INTO intakes (case_id, channel, medium, received_at, recorded_by, source_org_id, child_name, child_birth_date,
       child_estimated_age, child_sex, residence_org_id, incident_org_id, incident_place, description, current_condition,
       likely_consequence, action_taken, parents_info, family_situation, caregiver, immediate_danger, reporter_consented,
       reporter_relation, reporter_name, reporter_phone, reporter_address, receipt_hash)
     VALUES (@caseId, @channel, @medium, @receivedAt, @recordedBy, @sourceOrgId, @childName, @childBirthDate,
       @childEstimatedAge, @childSex, @residenceOrgId, @incidentOrgId, @incidentPlace, @description, @currentCondition,
       @likelyConsequence, @actionTaken, @parentsInfo, @familySituation, @caregiver, @immediateDanger, @reporterConsented,
       @reporterRelation, @reporterName, @reporterPhone, @reporterAddress, @receiptHash)`,
  ) as Database.Statement<[IntakeRow]>,
}));

/** A row as SQLite binds it: booleans as 0/1, every column present (null when absent). */
type BoundRow<T> = { [K in keyof T]-?: Exclude<T[K], undefined> extends boolean ? 0 | 1 : Exclude<T[K], undefined> };
type IntakeRow = BoundRow<Omit<typeof intakes.$inferInsert, 'id'>>;

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
  const opened = openCase(
    tx,
    writer,
    { orgId, channel: input.channel, receivedAt: input.receivedAt, childId: input.child.id ?? null, categories: input.categories },
    // Indexed once below, with the intake's text.
    { searchIndex: false },
  );
  const consented = input.reporter.consented;
  const { lastInsertRowid } = intakeStatements(tx).insertIntake.run({
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
    immediateDanger: input.immediateDanger ? 1 : 0,
    reporterConsented: consented ? 1 : 0,
    reporterRelation: input.reporter.relation ?? null,
    // Without consent the reporter stays anonymous: nothing that identifies them is kept.
    reporterName: consented ? (input.reporter.name ?? null) : null,
    reporterPhone: consented ? (input.reporter.phone ?? null) : null,
    reporterAddress: consented ? (input.reporter.address ?? null) : null,
    receiptHash: input.receiptHash ?? null,
  });
  // case search (issue 4): the child's name and the report become searchable with the intake.
  reindexCase(tx, opened.id);
  return { caseId: opened.id, reference: opened.reference, intakeId: Number(lastInsertRowid) };
}
