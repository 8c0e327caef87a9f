import type Database from 'better-sqlite3';
import { and, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { cases } from '../cases/schema.js';
import { notifications } from '../casework/schema.js';
import { preparedStatements, type DbOrTx } from '../db/client.js';
import { limitRows, rowLimit } from '../db/paging.js';
import type { SubjectColumns } from '../permissions/conditions.js';
import type { Role } from '../permissions/roles.js';
import type { Alert, Candidate } from './rules.js';

export type NotificationRow = typeof notifications.$inferSelect;

/** How the permission rules see a notification (request.scope('notification.read', …)). */
export const NOTIFICATION_COLUMNS: SubjectColumns = { ownerUserId: notifications.userId, id: notifications.id };

const inList = (values: readonly (number | string)[]): SQL => sql.join(values.map((value) => sql`${value}`), sql`, `);

/** Every new case and every transition may alert someone, so these are prepared once per connection. */
const alertStatements = preparedStatements((client) => ({
  // The lists arrive as JSON arrays, so one statement serves any number of organisations and roles.
  candidates: client.prepare<[string, string], Candidate>(`
    SELECT ra.user_id AS userId, ra.id AS assignmentId, ra.role AS role, ra.org_id AS orgId, oc.descendant_id AS targetOrgId
    FROM org_closure oc
    JOIN role_assignments ra ON ra.org_id = oc.ancestor_id
    JOIN users u ON u.id = ra.user_id
    WHERE oc.descendant_id IN (SELECT value FROM json_each(?))
      AND ra.role IN (SELECT value FROM json_each(?)) AND ra.ended_at IS NULL AND u.disabled_at IS NULL`),
  insert: client.prepare(
    'INSERT INTO notifications (user_id, kind, case_id, dedupe_key, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
  ) as Database.Statement<[number, string, number | null, string, string]>,
}));

/**
 * Active role assignments of enabled users, in the given roles, whose organisation contains one of
 * the target organisations. One indexed query: org_closure by descendant, then assignments by org and role.
 */
export function loadCandidates(db: DbOrTx, targetOrgIds: readonly number[], roles: readonly Role[]): Candidate[] {
  if (targetOrgIds.length === 0 || roles.length === 0) return [];
  return alertStatements(db).candidates.all(JSON.stringify([...new Set(targetOrgIds)]), JSON.stringify(roles));
}

/** One prepared insert a row (as fast as a multi-row insert in SQLite); an alert already given is silently skipped. */
export function insertNotifications(tx: DbOrTx, alerts: readonly Alert[], createdAt: string): number {
  const { insert } = alertStatements(tx);
  let inserted = 0;
  for (const alert of alerts) inserted += insert.run(alert.userId, alert.kind, alert.caseId, alert.dedupeKey, createdAt).changes;
  return inserted;
}

/** The header's badge: one COUNT over the (user_id, read_at, …) index. */
export function countUnread(db: DbOrTx, userId: number): number {
  return db.get<{ n: number }>(sql`SELECT count(*) AS n FROM notifications WHERE user_id = ${userId} AND read_at IS NULL`).n;
}

export interface NotificationListRow {
  id: number;
  kind: string;
  caseId: number | null;
  reference: string | null;
  createdAt: string;
  readAt: string | null;
}

/**
 * Newest first; `scope` is the notification.read rule (the actor's own notifications). A notification
 * outlives its reader's access to the case (transferred to another commune, reassigned while
 * sensitive), so the reference is given only while `readableCase` (the case.read rule) still covers it.
 */
export function listNotifications(
  db: DbOrTx,
  scope: SQL,
  readableCase: SQL,
  limit: number,
  offset: number,
): { rows: NotificationListRow[]; total: number } {
  const rows = db
    .select({
      id: notifications.id,
      kind: notifications.kind,
      caseId: notifications.caseId,
      reference: sql<string | null>`CASE WHEN ${readableCase} THEN ${cases.reference} END`,
      createdAt: notifications.createdAt,
      readAt: notifications.readAt,
    })
    .from(notifications)
    .leftJoin(cases, eq(cases.id, notifications.caseId))
    .where(scope)
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(rowLimit(limit))
    .offset(offset)
    .all();
  const total = db.select({ n: sql<number>`count(*)` }).from(notifications).where(scope).get()?.n ?? 0;
  return { rows, total };
}

export function findNotification(db: DbOrTx, id: number): NotificationRow | null {
  return db.select().from(notifications).where(eq(notifications.id, id)).get() ?? null;
}

export function markRead(tx: DbOrTx, id: number, at: string): void {
  tx.update(notifications).set({ readAt: at }).where(and(eq(notifications.id, id), isNull(notifications.readAt))).run();
}

export function markAllRead(tx: DbOrTx, scope: SQL, at: string): number {
  return tx.update(notifications).set({ readAt: at }).where(and(scope, isNull(notifications.readAt))).run().changes;
}

export interface PendingEmail {
  id: number;
  userId: number;
  email: string;
}

/**
 * Unread notifications not yet emailed, of enabled users with an address. CROSS JOIN makes SQLite start
 * from the users, so the (user_id, read_at) index bounds the work by what people have not read rather
 * than by every notification ever given.
 */
export function pendingEmails(db: DbOrTx, limit: number): PendingEmail[] {
  return db.all<PendingEmail>(sql`
    SELECT n.id AS id, n.user_id AS userId, u.email AS email
    FROM users u
    CROSS JOIN notifications n ON n.user_id = u.id AND n.read_at IS NULL
    WHERE u.email IS NOT NULL AND u.email <> '' AND u.disabled_at IS NULL AND n.emailed_at IS NULL
    ORDER BY n.id
    ${limitRows(limit)}`);
}

export function markEmailed(tx: DbOrTx, ids: readonly number[], at: string): void {
  if (ids.length === 0) return;
  tx.run(sql`UPDATE notifications SET emailed_at = ${at} WHERE id IN (${inList(ids)}) AND emailed_at IS NULL`);
}
