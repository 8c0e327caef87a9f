import { and, asc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { appendAudit, type AuditContext } from '../audit/log.js';
import { invalidateUserSessions } from '../auth/session.js';
import { preparedQueries, writeTransaction, type Db, type DbOrTx } from '../db/client.js';
import { limitRows } from '../db/paging.js';
import { organisations } from '../orgs/schema.js';
import type { Role } from '../permissions/roles.js';
import { roleAssignments, users } from './schema.js';

export type User = typeof users.$inferSelect;

export interface Assignment {
  id: number;
  role: Role;
  orgId: number;
  orgName: string;
}

/** Usernames compare case-insensitively; they are stored folded so the unique index enforces that. */
export function normaliseUsername(username: string): string {
  return username.trim().toLowerCase();
}

export function findUserByUsername(db: DbOrTx, username: string): User | null {
  return db.select().from(users).where(eq(users.username, normaliseUsername(username))).get() ?? null;
}

export function findUser(db: DbOrTx, id: number): User | null {
  return db.select().from(users).where(eq(users.id, id)).get() ?? null;
}

export function countUsers(db: DbOrTx): number {
  return db.get<{ n: number }>(sql`SELECT count(*) AS n FROM users`).n;
}

const assignmentQueries = preparedQueries((db) => ({
  active: db
    .select({ id: roleAssignments.id, role: roleAssignments.role, orgId: roleAssignments.orgId, orgName: organisations.name })
    .from(roleAssignments)
    .innerJoin(organisations, eq(organisations.id, roleAssignments.orgId))
    .where(and(eq(roleAssignments.userId, sql.placeholder('userId')), isNull(roleAssignments.endedAt)))
    .orderBy(asc(roleAssignments.id))
    .prepare(),
}));

export function activeAssignments(db: DbOrTx, userId: number): Assignment[] {
  return assignmentQueries(db).active.all({ userId });
}

export interface UserListRow {
  id: number;
  username: string;
  displayName: string;
  homeOrgName: string;
  disabled: boolean;
  roles: string;
}

/** Users whose home organisation passes `scope` (the permission filter for the acting administrator). */
export function listUsers(db: DbOrTx, scope: SQL, limit: number, offset: number): { rows: UserListRow[]; total: number } {
  const rows = db.all<Omit<UserListRow, 'disabled'> & { disabled: number }>(sql`
    SELECT u.id, u.username, u.display_name AS displayName, o.name AS homeOrgName, u.disabled_at IS NOT NULL AS disabled,
           coalesce((SELECT group_concat(a.role, ',') FROM role_assignments a WHERE a.user_id = u.id AND a.ended_at IS NULL), '') AS roles
    FROM users u JOIN organisations o ON o.id = u.home_org_id
    WHERE ${scope}
    ORDER BY u.username ${limitRows(limit, offset)}`);
  const { n } = db.get<{ n: number }>(sql`SELECT count(*) AS n FROM users u WHERE ${scope}`);
  return { rows: rows.map((row) => ({ ...row, disabled: Boolean(row.disabled) })), total: n };
}

export interface NewUser {
  username: string;
  displayName: string;
  passwordHash: string;
  homeOrgId: number;
  email?: string | null;
  assignments: { role: Role; orgId: number }[];
}

/** Inserts the user and their assignments; runs inside the caller's transaction. */
export function insertUser(tx: DbOrTx, input: NewUser): number {
  const { id } = tx
    .insert(users)
    .values({
      username: normaliseUsername(input.username),
      displayName: input.displayName,
      passwordHash: input.passwordHash,
      homeOrgId: input.homeOrgId,
      email: input.email ?? null,
    })
    .returning({ id: users.id })
    .get();
  for (const assignment of input.assignments) {
    tx.insert(roleAssignments).values({ userId: id, role: assignment.role, orgId: assignment.orgId }).run();
  }
  return id;
}

export function createUser(db: Db, context: AuditContext, input: NewUser): number {
  return writeTransaction(db, (tx) => {
    const id = insertUser(tx, input);
    appendAudit(tx, context, { action: 'user.create', entityType: 'user', entityId: id });
    return id;
  });
}

export function addAssignment(db: Db, context: AuditContext, userId: number, role: Role, orgId: number): number {
  return writeTransaction(db, (tx) => {
    const { id } = tx.insert(roleAssignments).values({ userId, role, orgId }).returning({ id: roleAssignments.id }).get();
    appendAudit(tx, context, { action: 'user.assignment_add', entityType: 'user', entityId: userId });
    return id;
  });
}

export function endAssignment(db: Db, context: AuditContext, userId: number, assignmentId: number): boolean {
  return writeTransaction(db, (tx) => {
    const { changes } = tx
      .update(roleAssignments)
      .set({ endedAt: new Date().toISOString() })
      .where(and(eq(roleAssignments.id, assignmentId), eq(roleAssignments.userId, userId), isNull(roleAssignments.endedAt)))
      .run();
    if (changes > 0) appendAudit(tx, context, { action: 'user.assignment_end', entityType: 'user', entityId: userId });
    return changes > 0;
  });
}

/** Disabling ends every session at once, in the same transaction. */
export function setUserDisabled(db: Db, context: AuditContext, userId: number, disabled: boolean): void {
  writeTransaction(db, (tx) => {
    tx.update(users).set({ disabledAt: disabled ? new Date().toISOString() : null }).where(eq(users.id, userId)).run();
    if (disabled) invalidateUserSessions(tx, userId);
    appendAudit(tx, context, { action: disabled ? 'user.disable' : 'user.enable', entityType: 'user', entityId: userId });
  });
}

export function setPassword(db: Db, context: AuditContext, userId: number, passwordHash: string, action: string): void {
  writeTransaction(db, (tx) => {
    tx.update(users).set({ passwordHash }).where(eq(users.id, userId)).run();
    invalidateUserSessions(tx, userId);
    appendAudit(tx, context, { action, entityType: 'user', entityId: userId });
  });
}

export function endUserSessions(db: Db, context: AuditContext, userId: number): number {
  return writeTransaction(db, (tx) => {
    const ended = invalidateUserSessions(tx, userId);
    appendAudit(tx, context, { action: 'user.sessions_end', entityType: 'user', entityId: userId });
    return ended;
  });
}

export function setUserLocale(db: DbOrTx, userId: number, locale: 'vi' | 'en'): void {
  db.update(users).set({ locale }).where(eq(users.id, userId)).run();
}
