import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const AUDIT_OUTCOMES = ['allowed', 'refused'] as const;

/** Append-only and hash-chained; triggers in the migrations refuse UPDATE and DELETE. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey(),
    at: text('at').notNull(),
    actorUserId: integer('actor_user_id'),
    actorRole: text('actor_role'),
    actorOrgId: integer('actor_org_id'),
    action: text('action').notNull(),
    entityType: text('entity_type'),
    entityId: text('entity_id'),
    outcome: text('outcome', { enum: AUDIT_OUTCOMES }).notNull(),
    ip: text('ip'),
    requestId: text('request_id'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [index('audit_entity_idx').on(t.entityType, t.entityId), index('audit_actor_idx').on(t.actorUserId)],
);
