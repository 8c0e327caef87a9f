import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { children } from '../children/schema.js';
import { organisations } from '../orgs/schema.js';
import { taxonomyCodes } from '../taxonomy/schema.js';
import { users } from '../users/schema.js';

export const INTAKE_CHANNELS = ['teacher', 'hotline', 'public', 'api', 'other'] as const;
export type IntakeChannel = (typeof INTAKE_CHANNELS)[number];

/**
 * A case from intake to closure. `snapshot` is the persisted XState snapshot and the only source of
 * truth for the workflow; `state` and the due columns are copies kept for indexing and worklists.
 */
export const cases = sqliteTable(
  'cases',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reference: text('reference').notNull(),
    /** The responsible commune. */
    orgId: integer('org_id').notNull().references(() => organisations.id),
    childId: integer('child_id').references(() => children.id),
    assignedUserId: integer('assigned_user_id').references(() => users.id),
    channel: text('channel', { enum: INTAKE_CHANNELS }).notNull(),
    state: text('state').notNull(),
    snapshot: text('snapshot', { mode: 'json' }).notNull(),
    machineVersion: integer('machine_version').notNull(),
    /** Optimistic concurrency: every write checks and bumps it. */
    rowVersion: integer('row_version').notNull().default(1),
    sensitive: integer('sensitive', { mode: 'boolean' }).notNull().default(false),
    emergency: integer('emergency', { mode: 'boolean' }).notNull().default(false),
    receivedAt: text('received_at').notNull(),
    emergencyDueAt: text('emergency_due_at'),
    planDueAt: text('plan_due_at'),
    /** The earliest running legal deadline, or null when no clock runs. */
    nextDueAt: text('next_due_at'),
    riskLevel: text('risk_level', { enum: ['high', 'medium', 'low'] }),
    closedAt: text('closed_at'),
    createdAt: text('created_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
    updatedAt: text('updated_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
  },
  (t) => [
    uniqueIndex('cases_reference_unique').on(t.reference),
    index('cases_org_state_idx').on(t.orgId, t.state, t.nextDueAt),
    index('cases_assigned_idx').on(t.assignedUserId, t.state),
    index('cases_child_idx').on(t.childId),
    index('cases_state_due_idx').on(t.state, t.nextDueAt),
  ],
);

export const caseCategories = sqliteTable(
  'case_categories',
  {
    caseId: integer('case_id').notNull().references(() => cases.id),
    code: text('code').notNull().references(() => taxonomyCodes.code),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.code] }), index('case_categories_code_idx').on(t.code)],
);

/** Per-year counters behind references such as BV-2026-000123. */
export const caseSequences = sqliteTable('case_sequences', {
  year: integer('year').primaryKey(),
  last: integer('last').notNull(),
});

/** The chronology: every state change and every piece of casework, in order. */
export const caseTimeline = sqliteTable(
  'case_timeline',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: integer('case_id').notNull().references(() => cases.id),
    at: text('at').notNull(),
    actorUserId: integer('actor_user_id').references(() => users.id),
    actorRole: text('actor_role'),
    kind: text('kind').notNull(),
    eventType: text('event_type'),
    fromState: text('from_state'),
    toState: text('to_state'),
    /** Structured detail for the entry (case content: shown on the case page, never logged). */
    detail: text('detail', { mode: 'json' }),
    confidential: integer('confidential', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [index('case_timeline_case_idx').on(t.caseId, t.at)],
);
