/**
 * Referrals to a social work centre or another service organisation: what the case page lists, what
 * the receiving organisation sees (its pending referrals, never the case file) and which
 * organisations a commune may refer to.
 */
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { cases } from '../../cases/schema.js';
import type { DbOrTx } from '../../db/client.js';
import { rowLimit } from '../../db/paging.js';
import { ancestorsOf } from '../../orgs/repository.js';
import { organisations, type OrgKind } from '../../orgs/schema.js';
import type { Actor } from '../../permissions/actor.js';
import { scopeCondition } from '../../permissions/check.js';
import type { SubjectColumns, SubjectRecord } from '../../permissions/conditions.js';
import { referrals } from '../schema.js';

export type ReferralRow = typeof referrals.$inferSelect;
export type ReferralStatus = ReferralRow['status'];
export const CONSENTS = ['child', 'guardian', 'both', 'none'] as const;
export type Consent = (typeof CONSENTS)[number];

/** The organisations a case can be referred to: they deliver the plan's services. */
export const SERVICE_ORG_KINDS: readonly OrgKind[] = ['social_work_centre', 'health_facility', 'police'];

/** How the permission rules see a referral: it belongs to the organisation it was sent to. */
export const REFERRAL_COLUMNS: SubjectColumns = { id: referrals.id, orgId: referrals.toOrgId };

export function referralSubject(row: Pick<ReferralRow, 'id' | 'toOrgId'>): SubjectRecord {
  return { id: row.id, orgId: row.toOrgId };
}

export function findReferral(db: DbOrTx, id: number): ReferralRow | null {
  return db.select().from(referrals).where(eq(referrals.id, id)).get() ?? null;
}

/** A referral as the case page shows it, with the names of the organisation and the people involved. */
export interface CaseReferral extends ReferralRow {
  toOrgName: string;
  createdByName: string;
  overriddenByName: string | null;
  decidedByName: string | null;
}

/** The case's referrals, newest first. */
export function referralsOf(db: DbOrTx, caseId: number): CaseReferral[] {
  return db.all<CaseReferral>(sql`
    SELECT r.id, r.case_id AS caseId, r.to_org_id AS toOrgId, r.reason, r.consent, r.override_reason AS overrideReason,
           r.overridden_by AS overriddenBy, r.status, r.decided_by AS decidedBy, r.decided_at AS decidedAt,
           r.decline_reason AS declineReason, r.created_by AS createdBy, r.created_at AS createdAt,
           o.name AS toOrgName, cu.display_name AS createdByName, ou.display_name AS overriddenByName, du.display_name AS decidedByName
    FROM referrals r
    JOIN organisations o ON o.id = r.to_org_id
    JOIN users cu ON cu.id = r.created_by
    LEFT JOIN users ou ON ou.id = r.overridden_by
    LEFT JOIN users du ON du.id = r.decided_by
    WHERE r.case_id = ${caseId}
    ORDER BY r.created_at DESC, r.id DESC`);
}

/** What a receiving organisation needs to decide on a referral, and nothing of the case file. */
export interface ReferralToRespond {
  id: number;
  caseId: number;
  reference: string;
  reason: string;
  communeName: string;
  toOrgName: string;
  status: ReferralStatus;
  createdAt: string;
  decidedAt: string | null;
}

const RESPONDER_LIST_LIMIT = 200;

/** Referrals sent to the organisations in `scope` (request.scope('referral.respond', REFERRAL_COLUMNS)), by status. */
export function referralsToRespond(db: DbOrTx, scope: SQL, status: ReferralStatus): ReferralToRespond[] {
  return db
    .select({
      id: referrals.id,
      caseId: referrals.caseId,
      reference: cases.reference,
      reason: referrals.reason,
      communeName: sql<string>`(SELECT name FROM organisations WHERE id = ${cases.orgId})`,
      toOrgName: organisations.name,
      status: referrals.status,
      createdAt: referrals.createdAt,
      decidedAt: referrals.decidedAt,
    })
    .from(referrals)
    .innerJoin(cases, eq(cases.id, referrals.caseId))
    .innerJoin(organisations, eq(organisations.id, referrals.toOrgId))
    .where(and(scope, eq(referrals.status, status)))
    // Pending: the oldest waits longest and comes first; decided: the latest first.
    .orderBy(status === 'pending' ? referrals.createdAt : desc(referrals.decidedAt), referrals.id)
    .limit(rowLimit(RESPONDER_LIST_LIMIT))
    .all();
}

/** The referrals waiting for one organisation's answer, oldest first. */
export function pendingReferralsFor(db: DbOrTx, orgId: number): ReferralToRespond[] {
  return referralsToRespond(db, eq(referrals.toOrgId, orgId), 'pending');
}

/** The number beside the "new referrals" menu item. */
export function countPendingReferrals(db: DbOrTx, actor: Actor): number {
  const row = db
    .select({ n: sql<number>`count(*)` })
    .from(referrals)
    .where(and(scopeCondition('referral.respond', actor, REFERRAL_COLUMNS), eq(referrals.status, 'pending')))
    .get();
  return row?.n ?? 0;
}

export interface ServiceOrganisation {
  id: number;
  name: string;
  kind: OrgKind;
}

/**
 * Active service organisations (social work centres, health facilities, police) in the province of
 * the case's commune: the places its plan can name. Without a province above it, the whole tree.
 */
export function serviceOrganisations(db: DbOrTx, caseOrgId: number): ServiceOrganisation[] {
  const chain = ancestorsOf(db, caseOrgId);
  const root = chain.findLast((org) => org.kind === 'province') ?? chain[0];
  if (!root) return [];
  const kinds = sql.join(SERVICE_ORG_KINDS.map((kind) => sql`${kind}`), sql`, `);
  return db.all<ServiceOrganisation>(sql`
    SELECT o.id, o.name, o.kind FROM org_closure c JOIN organisations o ON o.id = c.descendant_id
    WHERE c.ancestor_id = ${root.id} AND o.active = 1 AND o.kind IN (${kinds})
    ORDER BY o.kind, o.name`);
}

/** Whether the case already has a live referral (pending or accepted) to the organisation. */
export function hasLiveReferral(db: DbOrTx, caseId: number, toOrgId: number): boolean {
  const row = db.get<{ n: number }>(sql`
    SELECT count(*) AS n FROM referrals WHERE case_id = ${caseId} AND to_org_id = ${toOrgId} AND status IN ('pending', 'accepted')`);
  return row.n > 0;
}

/** The accepted referral through which an organisation serves the case, if any. */
export function acceptedReferralOf(db: DbOrTx, caseId: number, orgId: number): number | null {
  return (
    db.get<{ id: number } | undefined>(sql`
      SELECT id FROM referrals WHERE case_id = ${caseId} AND to_org_id = ${orgId} AND status = 'accepted' ORDER BY id LIMIT 1`)?.id ?? null
  );
}
