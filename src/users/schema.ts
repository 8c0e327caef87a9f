import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { organisations } from '../orgs/schema.js';
import { ROLES } from '../permissions/roles.js';

export const LOCALES = ['vi', 'en'] as const;

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash').notNull(),
    /** The organisation whose administrators manage this account. */
    homeOrgId: integer('home_org_id').notNull().references(() => organisations.id),
    locale: text('locale', { enum: LOCALES }).notNull().default('vi'),
    email: text('email'),
    disabledAt: text('disabled_at'),
    createdAt: text('created_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
  },
  (t) => [uniqueIndex('users_username_unique').on(t.username), index('users_home_org_idx').on(t.homeOrgId)],
);

export const roleAssignments = sqliteTable(
  'role_assignments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id').notNull().references(() => users.id),
    role: text('role', { enum: ROLES }).notNull(),
    orgId: integer('org_id').notNull().references(() => organisations.id),
    createdAt: text('created_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
    /** Assignments are ended, never deleted, so the audit trail can always name who held a role. */
    endedAt: text('ended_at'),
  },
  (t) => [index('role_assignments_user_idx').on(t.userId), index('role_assignments_org_role_idx').on(t.orgId, t.role)],
);
