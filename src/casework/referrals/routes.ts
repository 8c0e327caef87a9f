/**
 * The receiving organisation's side of a referral: its pending referrals, with only what it needs to
 * decide (reference, reason, referring commune, date; never the case file), and the answer. Accepting
 * is what opens that one case to the organisation's social workers (rule referral_accepted_by_actor_org).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { caseSubject, findCase } from '../../cases/repository.js';
import { isOpenState, type CaseState } from '../../cases/workflow/machine.js';
import { writeTransaction } from '../../db/client.js';
import type { MessageKey } from '../../i18n/vi.js';
import { isAllowed } from '../../permissions/check.js';
import { parseForm, type FieldErrors, type FormValues } from '../../web/forms.js';
import { notFound } from '../../web/http-error.js';
import { idParam } from '../../web/params.js';
import { requiredText } from '../services/due.js';
import { findReferral, REFERRAL_COLUMNS, referralsToRespond, referralSubject, type ReferralRow } from './repository.js';
import { decideReferral, type ReferralDecision } from './service.js';

interface ListState {
  status?: number;
  notice?: MessageKey | null;
  message?: MessageKey | null;
  /** The referral whose decline form is shown open, with what was typed. */
  openId?: number | null;
  values?: FormValues;
  errors?: FieldErrors;
}

const declineSchema = z.object({ reason: requiredText });

const DONE_NOTICES: Record<string, MessageKey> = { accepted: 'referral.accepted', declined: 'referral.declined' };

export default async function referralRoutes(app: FastifyInstance): Promise<void> {
  const config = { permission: 'referral.respond' } as const;

  function renderList(request: FastifyRequest, reply: FastifyReply, state: ListState = {}): Promise<FastifyReply> {
    const actor = request.requireActor();
    const scope = request.scope('referral.respond', REFERRAL_COLUMNS);
    const accepted = referralsToRespond(app.db, scope, 'accepted').map((referral) => {
      const row = findCase(app.db, referral.caseId);
      // Only the accepting organisation's social workers may open the case; others see the reference.
      return { ...referral, canOpen: Boolean(row && isAllowed('case.read', actor, caseSubject(app.db, row), app.orgRelations)) };
    });
    return reply.code(state.status ?? 200).page('pages/referrals/index', {
      title: request.t('referral.inbox_title'),
      pending: referralsToRespond(app.db, scope, 'pending'),
      accepted,
      notice: state.notice ?? null,
      message: state.message ?? null,
      openId: state.openId ?? null,
      values: state.values ?? {},
      errors: state.errors ?? {},
    });
  }

  /** The referral, if it was sent to the actor's organisation: 404 for an unknown id, 403 (audited) otherwise. */
  function loadReferral(request: FastifyRequest): ReferralRow {
    const referral = findReferral(app.db, idParam(request));
    if (!referral) throw notFound();
    request.authorize('referral.respond', referralSubject(referral), { type: 'referral', id: referral.id });
    return referral;
  }

  function answer(request: FastifyRequest, reply: FastifyReply, referral: ReferralRow, decision: ReferralDecision, state: ListState): Promise<FastifyReply> | FastifyReply {
    const caseRow = findCase(app.db, referral.caseId);
    // A closed case takes no new helpers; declining stays possible so the list can be cleared.
    if (decision.accept && (!caseRow || !isOpenState(caseRow.state as CaseState))) return renderList(request, reply, { ...state, status: 409, message: 'referral.case_closed' });
    const writer = { actor: request.requireActor(), audit: request.auditContext };
    const decided = writeTransaction(app.db, (tx) => decideReferral(tx, writer, referral, decision));
    if (!decided) return renderList(request, reply, { ...state, status: 409, message: 'referral.already_decided' });
    const done = decision.accept ? 'accepted' : 'declined';
    if (request.headers['hx-request'] !== 'true') return reply.redirect(`/referrals?done=${done}`, 303);
    return renderList(request, reply, { notice: DONE_NOTICES[done] ?? null });
  }

  app.get('/referrals', { config }, async (request, reply) => {
    // References and reasons concern children, so opening the list is on record.
    request.auditRead({ action: 'referral.list' });
    const done = (request.query as Record<string, unknown>).done;
    return renderList(request, reply, { notice: typeof done === 'string' ? (DONE_NOTICES[done] ?? null) : null });
  });

  app.post('/referrals/:id/accept', { config }, async (request, reply) => {
    const referral = loadReferral(request);
    return answer(request, reply, referral, { accept: true }, {});
  });

  app.post('/referrals/:id/decline', { config }, async (request, reply) => {
    const referral = loadReferral(request);
    const form = parseForm(declineSchema, request.body);
    const state: ListState = { openId: referral.id, values: form.values };
    if (!form.ok) return renderList(request, reply, { ...state, status: 400, errors: form.errors });
    return answer(request, reply, referral, { accept: false, reason: form.data.reason }, state);
  });
}
