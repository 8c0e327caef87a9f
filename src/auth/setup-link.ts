import { eq, isNull, sql } from 'drizzle-orm';
import { appendAudit, SYSTEM_AUDIT_CONTEXT, type AuditContext } from '../audit/log.js';
import { writeTransaction, type Db } from '../db/client.js';
import { insertOrganisation } from '../orgs/repository.js';
import type { OrgKind } from '../orgs/schema.js';
import { countUsers, insertUser } from '../users/repository.js';
import { setupTokens } from './schema.js';
import { generateSessionToken, sessionIdFromToken } from './session.js';

/**
 * On an empty database there is no default password: start-up issues a one-time link instead.
 * Returns null once any user exists.
 */
export function issueSetupToken(db: Db, ttlMs: number, now = Date.now()): string | null {
  return writeTransaction(db, (tx) => {
    if (countUsers(tx) > 0) return null;
    tx.delete(setupTokens).where(isNull(setupTokens.usedAt)).run();
    const token = generateSessionToken();
    tx.insert(setupTokens).values({ tokenHash: sessionIdFromToken(token), expiresAt: now + ttlMs }).run();
    appendAudit(tx, SYSTEM_AUDIT_CONTEXT, { action: 'setup.link_issued' });
    return token;
  });
}

export function isSetupTokenValid(db: Db, token: string, now = Date.now()): boolean {
  const row = db.select().from(setupTokens).where(eq(setupTokens.tokenHash, sessionIdFromToken(token))).get();
  return Boolean(row && row.usedAt === null && row.expiresAt > now) && countUsers(db) === 0;
}

export interface SetupInput {
  orgName: string;
  orgKind: OrgKind;
  username: string;
  displayName: string;
  passwordHash: string;
}

/** Creates the first organisation and administrator and spends the token, all or nothing. */
export function completeSetup(db: Db, context: AuditContext, token: string, input: SetupInput, now = Date.now()): number | null {
  return writeTransaction(db, (tx) => {
    const spent = tx.run(sql`
      UPDATE setup_tokens SET used_at = ${now}
      WHERE token_hash = ${sessionIdFromToken(token)} AND used_at IS NULL AND expires_at > ${now}`);
    if (spent.changes !== 1 || countUsers(tx) > 0) return null;
    const orgId = insertOrganisation(tx, { name: input.orgName, kind: input.orgKind, parentId: null });
    const userId = insertUser(tx, {
      username: input.username,
      displayName: input.displayName,
      passwordHash: input.passwordHash,
      homeOrgId: orgId,
      assignments: [{ role: 'admin', orgId }],
    });
    appendAudit(tx, { ...context, actorUserId: userId }, { action: 'setup.complete', entityType: 'user', entityId: userId });
    return userId;
  });
}
