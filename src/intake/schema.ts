import { integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { cases, INTAKE_CHANNELS } from '../cases/schema.js';
import { SEXES } from '../children/schema.js';
import { organisations } from '../orgs/schema.js';
import { users } from '../users/schema.js';

/** What was reported (Mẫu 01), as received. The case it opened holds the workflow. */
export const intakes = sqliteTable(
  'intakes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: integer('case_id').notNull().references(() => cases.id),
    channel: text('channel', { enum: INTAKE_CHANNELS }).notNull(),
    /** How the report reached the receiver (Mẫu 01): phone, in person, third party, online. */
    medium: text('medium', { enum: ['phone', 'in_person', 'third_party', 'online', 'system'] }).notNull(),
    receivedAt: text('received_at').notNull(),
    recordedBy: integer('recorded_by').references(() => users.id),
    sourceOrgId: integer('source_org_id').references(() => organisations.id),
    childName: text('child_name').notNull(),
    childBirthDate: text('child_birth_date'),
    childEstimatedAge: integer('child_estimated_age'),
    childSex: text('child_sex', { enum: SEXES }),
    residenceOrgId: integer('residence_org_id').references(() => organisations.id),
    incidentOrgId: integer('incident_org_id').references(() => organisations.id),
    incidentPlace: text('incident_place'),
    description: text('description').notNull(),
    currentCondition: text('current_condition'),
    likelyConsequence: text('likely_consequence'),
    actionTaken: text('action_taken'),
    parentsInfo: text('parents_info'),
    familySituation: text('family_situation'),
    caregiver: text('caregiver'),
    immediateDanger: integer('immediate_danger', { mode: 'boolean' }).notNull().default(false),
    /** The reporter's identity is kept only with their consent; anonymous is the default. */
    reporterConsented: integer('reporter_consented', { mode: 'boolean' }).notNull().default(false),
    reporterRelation: text('reporter_relation'),
    reporterName: text('reporter_name'),
    reporterPhone: text('reporter_phone'),
    reporterAddress: text('reporter_address'),
    /** SHA-256 of the receipt code a public reporter keeps; the code itself is never stored. */
    receiptHash: text('receipt_hash'),
  },
  (t) => [uniqueIndex('intakes_case_unique').on(t.caseId), uniqueIndex('intakes_receipt_unique').on(t.receiptHash)],
);

