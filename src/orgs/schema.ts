import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';

export const ORG_KINDS = [
  'national',
  'province',
  'district',
  'commune',
  'school',
  'childcare_group',
  'social_work_centre',
  'hotline',
  'police',
  'health_facility',
] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

export const organisations = sqliteTable(
  'organisations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    parentId: integer('parent_id').references((): AnySQLiteColumn => organisations.id),
    kind: text('kind', { enum: ORG_KINDS }).notNull(),
    name: text('name').notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: text('created_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
  },
  (t) => [index('organisations_parent_idx').on(t.parentId)],
);

/** Ancestor/descendant pairs (including each node with itself), so subtree checks are one indexed lookup in SQL. */
export const orgClosure = sqliteTable(
  'org_closure',
  {
    ancestorId: integer('ancestor_id').notNull().references(() => organisations.id),
    descendantId: integer('descendant_id').notNull().references(() => organisations.id),
    depth: integer('depth').notNull(),
  },
  (t) => [primaryKey({ columns: [t.ancestorId, t.descendantId] }), index('org_closure_descendant_idx').on(t.descendantId, t.ancestorId)],
);
