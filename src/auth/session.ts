import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import type { Actor } from '../permissions/actor.js';
import type { Role } from '../permissions/roles.js';
import { sessions } from './schema.js';

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

export interface Session {
  id: string;
  userId: number;
  activeAssignmentId: number | null;
  csrfToken: string;
  expiresAt: number;
}

export interface SessionUser {
  id: number;
  username: string;
  displayName: string;
  locale: 'vi' | 'en';
}

export type SessionValidation =
  | { session: Session; user: SessionUser; actor: Actor | null }
  | { session: null; user: null; actor: null };

/** Refreshing last-seen on every request would turn every page view into a write; once a minute is enough. */
const TOUCH_INTERVAL_MS = 60_000;

function randomToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/** 160 random bits: what the browser holds. */
export function generateSessionToken(): string {
  return randomToken();
}

/** Only this digest is stored, so a leaked database does not leak live sessions. */
export function sessionIdFromToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export function createSession(
  db: DbOrTx,
  token: string,
  userId: number,
  activeAssignmentId: number | null,
  policy: SessionPolicy,
  now = Date.now(),
): Session {
  const session: Session = {
    id: sessionIdFromToken(token),
    userId,
    activeAssignmentId,
    csrfToken: randomToken(),
    expiresAt: now + policy.absoluteMs,
  };
  db.insert(sessions).values({ ...session, createdAt: now, lastSeenAt: now }).run();
  return session;
}

interface SessionRow {
  id: string;
  userId: number;
  activeAssignmentId: number | null;
  csrfToken: string;
  expiresAt: number;
  lastSeenAt: number;
  username: string;
  displayName: string;
  locale: 'vi' | 'en';
  assignmentId: number | null;
  role: Role | null;
  orgId: number | null;
}

export function validateSessionToken(db: DbOrTx, token: string, policy: SessionPolicy, now = Date.now()): SessionValidation {
  const id = sessionIdFromToken(token);
  const row = db.get<SessionRow | undefined>(sql`
    SELECT s.id, s.user_id AS userId, s.active_assignment_id AS activeAssignmentId, s.csrf_token AS csrfToken,
           s.expires_at AS expiresAt, s.last_seen_at AS lastSeenAt,
           u.username, u.display_name AS displayName, u.locale, a.id AS assignmentId, a.role, a.org_id AS orgId
    FROM sessions s
    JOIN users u ON u.id = s.user_id AND u.disabled_at IS NULL
    -- When the active assignment has been ended, fall back to the user's oldest remaining one,
    -- so a user who still holds another role is never locked out.
    LEFT JOIN role_assignments a ON a.id = coalesce(
      (SELECT id FROM role_assignments WHERE id = s.active_assignment_id AND user_id = s.user_id AND ended_at IS NULL),
      (SELECT id FROM role_assignments WHERE user_id = s.user_id AND ended_at IS NULL ORDER BY id LIMIT 1))
    WHERE s.id = ${id}`);
  if (!row) return { session: null, user: null, actor: null };
  if (now >= row.expiresAt || now - row.lastSeenAt >= policy.idleMs) {
    invalidateSession(db, id);
    return { session: null, user: null, actor: null };
  }
  if (now - row.lastSeenAt >= TOUCH_INTERVAL_MS) {
    db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, id)).run();
  }
  const actor: Actor | null =
    row.assignmentId !== null && row.role !== null && row.orgId !== null
      ? { userId: row.userId, assignmentId: row.assignmentId, role: row.role, orgId: row.orgId }
      : null;
  return {
    session: { id, userId: row.userId, activeAssignmentId: actor?.assignmentId ?? null, csrfToken: row.csrfToken, expiresAt: row.expiresAt },
    user: { id: row.userId, username: row.username, displayName: row.displayName, locale: row.locale },
    actor,
  };
}

export function invalidateSession(db: DbOrTx, sessionId: string): void {
  db.delete(sessions).where(eq(sessions.id, sessionId)).run();
}

/** Ends every session of the user: on password change, on disabling, or at an administrator's request. */
export function invalidateUserSessions(db: DbOrTx, userId: number): number {
  return db.delete(sessions).where(eq(sessions.userId, userId)).run().changes;
}

export function setActiveAssignment(db: DbOrTx, sessionId: string, assignmentId: number): void {
  db.update(sessions).set({ activeAssignmentId: assignmentId }).where(eq(sessions.id, sessionId)).run();
}
