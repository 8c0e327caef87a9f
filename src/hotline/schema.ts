import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { cases } from '../cases/schema.js';
import { organisations } from '../orgs/schema.js';
import { users } from '../users/schema.js';

export const CALL_TYPES = ['child_self', 'about_child', 'information', 'silent', 'hang_up', 'abusive'] as const;
export type CallType = (typeof CALL_TYPES)[number];
/** Only these call types can open a case; the rest are counted for statistics. */
export const CASE_CALL_TYPES: readonly CallType[] = ['child_self', 'about_child'];

export const hotlineCalls = sqliteTable(
  'hotline_calls',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    hotlineOrgId: integer('hotline_org_id').notNull().references(() => organisations.id),
    operatorUserId: integer('operator_user_id').notNull().references(() => users.id),
    receivedAt: text('received_at').notNull(),
    callType: text('call_type', { enum: CALL_TYPES }).notNull(),
    callerRelation: text('caller_relation'),
    caseId: integer('case_id').references(() => cases.id),
  },
  (t) => [index('hotline_calls_org_time_idx').on(t.hotlineOrgId, t.receivedAt)],
);
