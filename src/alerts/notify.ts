// Event-driven alerts, written inside the caller's write transaction so an alert exists exactly when
// the change it reports was committed. Each call costs at most one recipient query and one insert.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { insertNotifications, loadCandidates } from './repository.js';
import {
  AUDIENCE_ROLES,
  caseChangeAlerts,
  caseChangeNotifications,
  referralResponders,
  type CaseFacts,
} from './rules.js';

/**
 * Alerts about a case that was just opened (`previous` null) or changed (`previous` = the row before
 * the change): new work for the commune, a plan or closure awaiting the chairperson. Most transitions
 * need none and cost nothing.
 */
export function notifyForCase(
  tx: DbOrTx,
  row: CaseFacts,
  previous: Pick<CaseFacts, 'state' | 'orgId'> | null,
  actorUserId: number | null = null,
): number {
  const changes = caseChangeAlerts(row, previous);
  if (changes.length === 0) return 0;
  const roles = [...new Set(changes.flatMap((change) => AUDIENCE_ROLES[change.audience]))];
  const candidates = loadCandidates(tx, [row.orgId], roles);
  return insertNotifications(tx, caseChangeNotifications(row, changes, candidates, actorUserId), row.updatedAt);
}

/**
 * For the assignment module: `userId` was made responsible for the case. Someone taking a case for
 * themselves needs no alert, so pass who assigned it.
 */
export function notifyAssigned(tx: DbOrTx, caseId: number, userId: number, assignedBy: number | null = null, now: Date = new Date()): number {
  if (assignedBy === userId) return 0;
  const at = now.toISOString();
  return insertNotifications(tx, [{ userId, kind: 'assigned', caseId, dedupeKey: `assigned:case:${caseId}:${at}` }], at);
}

/** For the referrals module: a new referral waits for the receiving organisation's answer. */
export function notifyReferral(tx: DbOrTx, referralId: number, now: Date = new Date()): number {
  const referral = tx.get<{ caseId: number; toOrgId: number } | undefined>(
    sql`SELECT case_id AS caseId, to_org_id AS toOrgId FROM referrals WHERE id = ${referralId}`,
  );
  if (!referral) return 0;
  const candidates = loadCandidates(tx, [referral.toOrgId], ['social_worker', 'supervisor']);
  const alerts = referralResponders(referral.toOrgId, candidates).map((userId) => ({
    userId,
    kind: 'referral' as const,
    caseId: referral.caseId,
    dedupeKey: `referral:${referralId}`,
  }));
  return insertNotifications(tx, alerts, now.toISOString());
}
