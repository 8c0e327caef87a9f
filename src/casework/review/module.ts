/**
 * The review and the end of the plan (Art. 30, Mẫu 06): the worker re-rates the risk items and either
 * asks to close the case (the child is safe and stable) or plans again; the chairperson approves the
 * closure or sends it back with a comment. Reopening a closed case is the case page's REOPEN action.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit } from '../../audit/log.js';
import { caseSubject, findCase, type CaseRow } from '../../cases/repository.js';
import { cases } from '../../cases/schema.js';
import { applyCaseEvent, possibleEvents, type CaseCommand } from '../../cases/service.js';
import type { DbOrTx } from '../../db/client.js';
import type { MessageKey } from '../../i18n/vi.js';
import { isAllowed } from '../../permissions/check.js';
import { userDisplayName } from '../../triage/case-facts.js';
import { formValues, parseForm } from '../../web/forms.js';
import { ratingsFrom } from '../assessments/form.js';
import { latestAssessment, type Assessment } from '../assessments/repository.js';
import { deriveOverallRisk, RISK_ITEMS, RISK_LEVELS, riskItemsFor } from '../assessments/risk.js';
import { answerRefusal, bodyOf, rowVersionOf } from '../assessments/step-support.js';
import type { CasePageState, CaseworkModule } from '../module.js';
import { recordFieldChanges } from '../record.js';
import { assessments } from '../schema.js';
import { optionalText, requiredText } from '../services/due.js';
import { keptTexts } from '../services/serve-route.js';

export const REVIEW_OUTCOMES = ['close', 'replan'] as const;

/** Form ids on the case page (openAction). */
const REVIEW_FORM = 'review';
const APPROVE_FORM = 'closure-approve';
const REJECT_FORM = 'closure-reject';

const NOTE_MAX = 500;

/** Mẫu 06: each review item rated (field <item>, note <item>_note, as the other assessment forms)… */
const ratingsSchema = z.object(
  Object.fromEntries(
    riskItemsFor('review').flatMap((item) => [
      [item.id, z.enum(RISK_LEVELS, 'assessment.rating_required')],
      [`${item.id}_note`, z.string().trim().max(NOTE_MAX, 'form.too_long').optional().transform((value) => value ?? '')],
    ]),
  ),
);
/** …then the conclusions and the outcome: close the case, or plan again. */
const conclusionSchema = z.object({ summary: requiredText, outcome: z.enum(REVIEW_OUTCOMES, 'review.outcome_choose') });
const approveSchema = z.object({ note: optionalText });
const rejectSchema = z.object({ comment: requiredText });

const RISK_LABELS: Record<string, MessageKey> = Object.fromEntries(RISK_ITEMS.map((item) => [item.id, item.label]));

function view(db: DbOrTx, record: Assessment | null): { record: Assessment; authorName: string | null } | null {
  return record ? { record, authorName: userDisplayName(db, record.createdBy) } : null;
}

/** The assessment the review starts from: the latest of any kind. */
function latestOfAnyKind(db: DbOrTx, caseId: number): Assessment | null {
  const found = (['review', 'detailed', 'initial'] as const).map((kind) => latestAssessment(db, caseId, kind)).filter((record) => record !== null);
  return found.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id)[0] ?? null;
}

/** The chairperson's comment when they last sent a closure back, if that happened since the latest review. */
function closureSentBack(db: DbOrTx, caseId: number, since: string | null): string | null {
  const row = db.get<{ detail: string | null } | undefined>(sql`
    SELECT detail FROM case_timeline WHERE case_id = ${caseId} AND event_type = 'REJECT_CLOSURE' AND at > ${since ?? ''}
    ORDER BY at DESC, id DESC LIMIT 1`);
  const comment: unknown = row?.detail ? (JSON.parse(row.detail) as Record<string, unknown>).comment : null;
  return typeof comment === 'string' ? comment : null;
}

const PROBES: readonly CaseCommand[] = [{ type: 'REQUEST_CLOSURE' }, { type: 'REPLAN' }, { type: 'APPROVE_CLOSURE' }, { type: 'REJECT_CLOSURE', comment: 'probe' }];

export const reviewModule: CaseworkModule = {
  id: 'review',
  template: '/pages/cases/sections/review',
  load({ db, row, subject, actor, orgs, state }) {
    const possible = new Set(possibleEvents(row, PROBES).map((command) => command.type));
    const canReview = possible.has('REQUEST_CLOSURE') && possible.has('REPLAN') && isAllowed('case.work', actor, subject, orgs);
    const canDecide = possible.has('APPROVE_CLOSURE') && isAllowed('case.approve', actor, subject, orgs);
    const kept = [
      ...keptTexts(state, (formId) => formId === REVIEW_FORM, canReview, [{ name: 'summary', label: 'review.summary' }]),
      ...keptTexts(state, (formId) => formId === APPROVE_FORM || formId === REJECT_FORM, canDecide, [
        { name: 'note', label: 'caseAction.field.note' },
        { name: 'comment', label: 'caseAction.field.comment' },
      ]),
    ];
    if (row.state !== 'review' && row.state !== 'closureRequested' && kept.length === 0) return null;
    const latestReview = latestAssessment(db, row.id, 'review');
    return {
      kept,
      reviewForm: REVIEW_FORM,
      approveForm: APPROVE_FORM,
      rejectForm: REJECT_FORM,
      canReview,
      canDecide,
      reviewItems: riskItemsFor('review'),
      riskLabels: RISK_LABELS,
      outcomes: REVIEW_OUTCOMES,
      // While reviewing: what the last assessment said; while closure waits: the review asking for it.
      reference: row.state === 'review' ? view(db, latestOfAnyKind(db, row.id)) : row.state === 'closureRequested' ? view(db, latestReview) : null,
      sentBack: row.state === 'review' ? closureSentBack(db, row.id, latestReview?.createdAt ?? null) : null,
    };
  },
  routes(app, tools) {
    /** The case, with the permission the step needs (403 audited), and how to show the page again keeping the input. */
    function prepare(request: FastifyRequest, reply: FastifyReply, action: 'case.work' | 'case.approve', formId: string) {
      const row = tools.loadReadable(request);
      request.authorize(action, caseSubject(app.db, row), { type: 'case', id: row.id });
      const body = bodyOf(request);
      const again = (status: number, state: CasePageState): Promise<FastifyReply> =>
        tools.renderCase(request, reply, findCase(app.db, row.id) ?? row, { status, openAction: formId, values: formValues(body), ...state });
      return { row, body, expectedVersion: rowVersionOf(body), again, writer: { actor: request.requireActor(), audit: request.auditContext } };
    }

    app.post('/cases/:id/review', { config: { permission: 'case.work' } }, async (request, reply) => {
      const { row, body, expectedVersion, again, writer } = prepare(request, reply, 'case.work', REVIEW_FORM);
      const rated = parseForm(ratingsSchema, body);
      const concluded = parseForm(conclusionSchema, body);
      if (!rated.ok || !concluded.ok) return again(400, { errors: { ...(rated.ok ? {} : rated.errors), ...(concluded.ok ? {} : concluded.errors) } });
      const ratings = ratingsFrom('review', rated.data);
      const overallRisk = deriveOverallRisk(ratings);
      const { summary, outcome } = concluded.data;
      const result = applyCaseEvent(app.db, app.orgRelations, writer, row.id, { type: outcome === 'close' ? 'REQUEST_CLOSURE' : 'REPLAN' }, {
        expectedVersion,
        detail: { note: summary, overallRisk },
        within: (tx, updated: CaseRow) => {
          const at = updated.updatedAt;
          tx.insert(assessments).values({ caseId: row.id, kind: 'review', items: ratings, overallRisk, summary, outcome, createdBy: writer.actor.userId, createdAt: at }).run();
          tx.update(cases).set({ riskLevel: overallRisk }).where(eq(cases.id, row.id)).run();
          recordFieldChanges(tx, row.id, writer.actor.userId, 'case', { riskLevel: updated.riskLevel }, { riskLevel: overallRisk }, at);
          appendAudit(tx, writer.audit, { action: 'case.assessment_review', entityType: 'case', entityId: row.id });
        },
      });
      if (!result.ok) return answerRefusal(result.reason, again);
      return tools.afterChange(request, reply, row.id, outcome === 'close' ? 'review.closure_requested' : 'review.replanned', REVIEW_FORM);
    });

    app.post('/cases/:id/closure/approve', { config: { permission: 'case.approve' } }, async (request, reply) => {
      const { row, body, expectedVersion, again, writer } = prepare(request, reply, 'case.approve', APPROVE_FORM);
      const form = parseForm(approveSchema, body);
      if (!form.ok) return again(400, { errors: form.errors });
      const note = form.data.note;
      const result = applyCaseEvent(app.db, app.orgRelations, writer, row.id, { type: 'APPROVE_CLOSURE' }, { expectedVersion, ...(note ? { detail: { note } } : {}) });
      if (!result.ok) return answerRefusal(result.reason, again);
      return tools.afterChange(request, reply, row.id, 'closure.approved', APPROVE_FORM);
    });

    app.post('/cases/:id/closure/reject', { config: { permission: 'case.approve' } }, async (request, reply) => {
      const { row, body, expectedVersion, again, writer } = prepare(request, reply, 'case.approve', REJECT_FORM);
      const form = parseForm(rejectSchema, body);
      if (!form.ok) return again(400, { errors: form.errors });
      const result = applyCaseEvent(app.db, app.orgRelations, writer, row.id, { type: 'REJECT_CLOSURE', comment: form.data.comment }, { expectedVersion });
      if (!result.ok) return answerRefusal(result.reason, again);
      return tools.afterChange(request, reply, row.id, 'closure.rejected', REJECT_FORM);
    });
  },
};
