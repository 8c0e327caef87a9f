import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { roleAssignments, users } from '../users/schema.js';

export const sessions = sqliteTable(
  'sessions',
  {
    /** SHA-256 of the token, hex: the token itself is never stored. */
    id: text('id').primaryKey(),
    userId: integer('user_id').notNull().references(() => users.id),
    activeAssignmentId: integer('active_assignment_id').references(() => roleAssignments.id),
    csrfToken: text('csrf_token').notNull(),
    createdAt: integer('created_at', { mode: 'number' }).notNull(),
    lastSeenAt: integer('last_seen_at', { mode: 'number' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const setupTokens = sqliteTable('setup_tokens', {
  tokenHash: text('token_hash').primaryKey(),
  expiresAt: integer('expires_at', { mode: 'number' }).notNull(),
  usedAt: integer('used_at', { mode: 'number' }),
});
