import { z } from 'zod';
import { recordAudit } from '../../audit/log.js';
import { caseSubject, findCase, type CaseRow } from '../../cases/repository.js';
import { writeTransaction } from '../../db/client.js';
import { isAllowed } from '../../permissions/check.js';
import { parseForm, type FieldErrors } from '../../web/forms.js';
import type { CasePageState, CaseworkModule } from '../module.js';
import { optionalText, requiredText } from '../services/due.js';
import { keptTexts } from '../services/serve-route.js';
import { CONSENTS, hasLiveReferral, referralsOf, serviceOrganisations } from './repository.js';
import { createReferral } from './service.js';

/**
 * Referrals are made while the approved plan is carried out (Art. 29). The plan's measures name the
 * responsible organisations and the chairperson's decision (Mẫu 05) authorises them; a referral hands
 * part of the case to another organisation, so it waits for that decision rather than anticipating it.
 * Emergencies are handled by emergency measures, not referrals.
 */
export function mayReferNow(row: Pick<CaseRow, 'state'>): boolean {
  return row.state === 'implementation';
}

/** The form's id on the case page (openAction). */
const FORM = 'referral';

const referralSchema = z.object({
  to_org_id: z.coerce.number('form.required').int('form.required').positive('form.required'),
  reason: requiredText,
  consent: z.enum(CONSENTS, 'referral.consent_choose'),
  override_reason: optionalText,
});

export const referralsModule: CaseworkModule = {
  id: 'referrals',
  template: '/pages/cases/sections/referrals',
  load({ db, row, subject, actor, orgs, state }) {
    const list = referralsOf(db, row.id);
    const organisations = mayReferNow(row) && isAllowed('case.work', actor, subject, orgs) ? serviceOrganisations(db, row.orgId) : [];
    const kept = keptTexts(state, (formId) => formId === FORM, organisations.length > 0, [
      { name: 'reason', label: 'referral.reason' },
      { name: 'override_reason', label: 'referral.override_reason' },
    ]);
    if (list.length === 0 && organisations.length === 0 && kept.length === 0) return null;
    return {
      kept,
      referrals: list,
      referralForm: FORM,
      organisations: organisations.map((org) => ({ value: org.id, label: org.name })),
      consents: CONSENTS,
      mayOverride: organisations.length > 0 && isAllowed('referral.override_consent', actor, subject, orgs),
    };
  },
  routes(app, tools) {
    app.post('/cases/:id/referrals', { config: { permission: 'case.work' } }, async (request, reply) => {
      const row = tools.loadReadable(request);
      const actor = request.requireActor();
      const subject = caseSubject(app.db, row);
      request.authorize('case.work', subject, { type: 'case', id: row.id });
      const form = parseForm(referralSchema, request.body);
      const again = (status: number, state: CasePageState) =>
        tools.renderCase(request, reply, findCase(app.db, row.id) ?? row, { status, openAction: FORM, values: form.values, ...state });
      if (!mayReferNow(row)) return again(409, { message: 'case.not_allowed_now' });
      if (!form.ok) return again(400, { errors: form.errors });

      const input = form.data;
      const errors: FieldErrors = {};
      if (!serviceOrganisations(app.db, row.orgId).some((org) => org.id === input.to_org_id)) errors.to_org_id = 'caseAction.target_invalid';
      else if (hasLiveReferral(app.db, row.id, input.to_org_id)) errors.to_org_id = 'referral.already_referred';
      if (input.consent === 'none') {
        if (!isAllowed('referral.override_consent', actor, subject, app.orgRelations)) {
          // Nobody but a supervisor may refer a child without consent; the attempt is on record.
          recordAudit(app.db, request.auditContext, { action: 'referral.consent_override', entityType: 'case', entityId: row.id, outcome: 'refused' });
          errors.consent = 'referral.consent_missing';
        } else if (input.override_reason === null) {
          errors.override_reason = 'referral.override_reason_required';
        }
      }
      if (Object.keys(errors).length > 0) return again(400, { errors });

      const writer = { actor, audit: request.auditContext };
      const sent = writeTransaction(app.db, (tx) => {
        // The case may have moved on (a review started) since the page was shown.
        const current = findCase(tx, row.id);
        if (!current || !mayReferNow(current)) return false;
        createReferral(tx, writer, row.id, {
          toOrgId: input.to_org_id,
          reason: input.reason,
          consent: input.consent,
          overrideReason: input.consent === 'none' ? input.override_reason : null,
        });
        return true;
      });
      if (!sent) return again(409, { message: 'case.not_allowed_now' });
      return tools.afterChange(request, reply, row.id, 'referral.sent', FORM);
    });
  },
  timelineKinds: {
    referral: 'caseTimeline.kind_referral',
    referral_accepted: 'caseTimeline.kind_referral_accepted',
    referral_declined: 'caseTimeline.kind_referral_declined',
  },
};
