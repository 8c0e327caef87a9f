import { and, eq } from 'drizzle-orm';
import { notifyReferral } from '../../alerts/notify.js';
import { appendAudit } from '../../audit/log.js';
import type { Tx } from '../../db/client.js';
import { recordCasework, type CaseworkWriter } from '../record.js';
import { referrals } from '../schema.js';
import type { Consent, ReferralRow } from './repository.js';

export interface NewReferral {
  toOrgId: number;
  reason: string;
  consent: Consent;
  /** Only with consent 'none': the supervisor's reason for referring all the same. */
  overrideReason: string | null;
}

/**
 * Sends a referral (inside the caller's write transaction). A referral without consent carries the
 * overriding supervisor and their reason, and its own audit entry, so the exception is traceable.
 */
export function createReferral(tx: Tx, writer: CaseworkWriter, caseId: number, input: NewReferral): number {
  const overridden = input.consent === 'none' && input.overrideReason !== null;
  const { id } = tx
    .insert(referrals)
    .values({
      caseId,
      toOrgId: input.toOrgId,
      reason: input.reason,
      consent: input.consent,
      overrideReason: overridden ? input.overrideReason : null,
      overriddenBy: overridden ? writer.actor.userId : null,
      createdBy: writer.actor.userId,
    })
    .returning({ id: referrals.id })
    .get();
  recordCasework(tx, writer, caseId, { kind: 'referral', detail: { referralId: id, toOrgId: input.toOrgId, consent: input.consent, reason: input.reason } }, 'referral.create');
  notifyReferral(tx, id);
  if (overridden) appendAudit(tx, writer.audit, { action: 'referral.consent_override', entityType: 'referral', entityId: id });
  return id;
}

export type ReferralDecision = { accept: true } | { accept: false; reason: string };

/**
 * The receiving organisation's answer. Only a pending referral can be decided: false when someone
 * else answered first. Accepting is what lets the organisation's social workers open the case.
 */
export function decideReferral(tx: Tx, writer: CaseworkWriter, referral: ReferralRow, decision: ReferralDecision): boolean {
  const decided = tx
    .update(referrals)
    .set({
      status: decision.accept ? 'accepted' : 'declined',
      decidedBy: writer.actor.userId,
      decidedAt: new Date().toISOString(),
      declineReason: decision.accept ? null : decision.reason,
    })
    .where(and(eq(referrals.id, referral.id), eq(referrals.status, 'pending')))
    .returning({ id: referrals.id })
    .get();
  if (!decided) return false;
  const detail = { referralId: referral.id, toOrgId: referral.toOrgId, ...(decision.accept ? {} : { reason: decision.reason }) };
  recordCasework(
    tx,
    writer,
    referral.caseId,
    { kind: decision.accept ? 'referral_accepted' : 'referral_declined', detail },
    decision.accept ? 'referral.accept' : 'referral.decline',
  );
  return true;
}
