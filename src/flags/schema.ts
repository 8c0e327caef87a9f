import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { cases } from '../cases/schema.js';
import { children } from '../children/schema.js';
import { organisations } from '../orgs/schema.js';
import { taxonomyCodes } from '../taxonomy/schema.js';
import { users } from '../users/schema.js';

export const FLAG_STATUSES = ['new', 'forwarded', 'no_action'] as const;

/** A teacher's concern about a pupil, handled by the school's safeguarding lead. */
export const flags = sqliteTable(
  'flags',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    schoolOrgId: integer('school_org_id').notNull().references(() => organisations.id),
    childId: integer('child_id').notNull().references(() => children.id),
    createdBy: integer('created_by').notNull().references(() => users.id),
    createdAt: text('created_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
    description: text('description').notNull(),
    immediateDanger: integer('immediate_danger', { mode: 'boolean' }).notNull().default(false),
    /** Marked injuries: [{ region, note }], regions from the body map's fixed list. */
    bodyMap: text('body_map', { mode: 'json' }).$type<{ region: string; note: string }[]>().notNull().default(sql`'[]'`),
    status: text('status', { enum: FLAG_STATUSES }).notNull().default('new'),
    leadContext: text('lead_context'),
    leadReason: text('lead_reason'),
    decidedBy: integer('decided_by').references(() => users.id),
    decidedAt: text('decided_at'),
    caseId: integer('case_id').references(() => cases.id),
  },
  (t) => [index('flags_school_status_idx').on(t.schoolOrgId, t.status, t.createdAt), index('flags_creator_idx').on(t.createdBy, t.createdAt)],
);

export const flagCategories = sqliteTable(
  'flag_categories',
  {
    flagId: integer('flag_id').notNull().references(() => flags.id),
    code: text('code').notNull().references(() => taxonomyCodes.code),
  },
  (t) => [primaryKey({ columns: [t.flagId, t.code] })],
);

/** Read receipts: who opened a flag and when, for unread markers and accountability. */
export const flagReads = sqliteTable(
  'flag_reads',
  {
    flagId: integer('flag_id').notNull().references(() => flags.id),
    userId: integer('user_id').notNull().references(() => users.id),
    readAt: text('read_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.flagId, t.userId] })],
);
