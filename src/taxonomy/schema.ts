import { index, integer, sqliteTable, text, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';

export const TAXONOMY_GROUPS = ['abuse', 'child_labour', 'special_circumstances'] as const;

/** The concern taxonomy, two levels, seeded from src/taxonomy/seed-data.ts and edited by administrators. */
export const taxonomyCodes = sqliteTable(
  'taxonomy_codes',
  {
    code: text('code').primaryKey(),
    parentCode: text('parent_code').references((): AnySQLiteColumn => taxonomyCodes.code),
    groupKind: text('group_kind', { enum: TAXONOMY_GROUPS }).notNull(),
    nameVi: text('name_vi').notNull(),
    nameEn: text('name_en').notNull(),
    /** Cases with a sensitive code are visible only to the assigned worker, supervisor and chairperson. */
    sensitive: integer('sensitive', { mode: 'boolean' }).notNull().default(false),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    sortOrder: integer('sort_order').notNull().default(0),
  },
  (t) => [index('taxonomy_parent_idx').on(t.parentCode)],
);
