import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { organisations } from '../orgs/schema.js';

/**
 * What statistics know about each case, flag and call: its counting unit and month, and the few
 * coded attributes the tables use (JSON, see src/statistics/facts.ts). No name, date of birth or
 * narrative is ever copied here. Rebuilt from the source tables whenever they change.
 */
export const statsFacts = sqliteTable(
  'stats_facts',
  {
    source: text('source', { enum: ['case', 'flag', 'call'] }).notNull(),
    sourceId: integer('source_id').notNull(),
    unitOrgId: integer('unit_org_id')
      .notNull()
      .references(() => organisations.id),
    payload: text('payload').notNull(),
  },
  (t) => [primaryKey({ columns: [t.source, t.sourceId] }), index('stats_facts_unit_idx').on(t.unitOrgId, t.source)],
);

/**
 * Monthly counts per organisation at the province level and above (docs/decisions/0011), kept in
 * step with stats_facts by the refresher, so a national view reads a few thousand rows, not a
 * million cases. Lower levels aggregate their facts directly.
 */
export const statsCounts = sqliteTable(
  'stats_counts',
  {
    orgId: integer('org_id')
      .notNull()
      .references(() => organisations.id),
    /** 'all' or a taxonomy group kind: the category-group filter. */
    grp: text('grp').notNull(),
    level: text('level').notNull(),
    month: text('month').notNull(),
    metric: text('metric').notNull(),
    key: text('key').notNull(),
    n: integer('n').notNull(),
  },
  // Metric before level and month: a view reads its table metrics for every month, or its indicators for a few.
  (t) => [primaryKey({ columns: [t.orgId, t.grp, t.metric, t.level, t.month, t.key] })],
);

/** Rows whose statistics are stale, queued by triggers in the writing transaction (migration statistics_triggers). */
export const statsDirty = sqliteTable(
  'stats_dirty',
  {
    source: text('source', { enum: ['case', 'flag', 'call', 'rebuild'] }).notNull(),
    sourceId: integer('source_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.source, t.sourceId] })],
);

/** The refresher's own bookkeeping: the data version (bumped when counts change) and its clock. */
export const statsMeta = sqliteTable('stats_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
