/**
 * The assessment steps on the case page: the initial risk assessment (Mẫu 02) while verifying, then
 * the needs meeting and the detailed assessment (Mẫu 03) that lead into planning.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { vietnamDateTimeValue } from '../../cases/actions.js';
import { caseSubject, findCase, type CaseRow } from '../../cases/repository.js';
import { possibleEvents } from '../../cases/service.js';
import type { CaseState } from '../../cases/workflow/machine.js';
import type { MessageKey } from '../../i18n/vi.js';
import { isAllowed } from '../../permissions/check.js';
import { userDisplayName } from '../../triage/case-facts.js';
import { formValues, parseForm } from '../../web/forms.js';
import type { CasePageState, CasePageTools, CaseSectionContext, CaseworkModule } from '../module.js';
import { detailedAssessmentSchema, initialAssessmentSchema, needsMeetingSchema, ratingsFrom } from './form.js';
import { latestAssessment, needsMeetingsOf, type Assessment } from './repository.js';
import { RISK_ITEMS, riskItemsFor } from './risk.js';
import { completeDetailedAssessment, INITIAL_ASSESSMENT_STATES, recordInitialAssessment, recordNeedsMeeting, type StepResult } from './service.js';
import { answerRefusal, bodyOf, rowVersionOf } from './step-support.js';

type FormId = 'assessment_initial' | 'needs_meeting' | 'assessment_detailed';

/** The free texts of each form, shown back to the user if the case moved on before they could save them. */
const FORM_TEXTS: Record<FormId, readonly { name: string; label: MessageKey }[]> = {
  assessment_initial: [{ name: 'summary', label: 'assessment.summary' }],
  needs_meeting: [
    { name: 'participants', label: 'needsMeeting.participants' },
    { name: 'minutes', label: 'needsMeeting.minutes' },
  ],
  assessment_detailed: [
    { name: 'summary', label: 'assessment.summary' },
    { name: 'needs', label: 'assessment.needs' },
  ],
};

const RISK_LABELS: Record<string, MessageKey> = Object.fromEntries(RISK_ITEMS.map((item) => [item.id, item.label]));

function isFormId(value: unknown): value is FormId {
  return typeof value === 'string' && Object.hasOwn(FORM_TEXTS, value);
}

interface AssessmentView {
  record: Assessment;
  authorName: string | null;
}

function view(context: CaseSectionContext, record: Assessment | null): AssessmentView | null {
  return record ? { record, authorName: userDisplayName(context.db, record.createdBy) } : null;
}

function load(context: CaseSectionContext): Record<string, unknown> | null {
  const { db, row, subject, actor, orgs, state } = context;
  const mayWork = isAllowed('case.work', actor, subject, orgs);
  const possible = mayWork
    ? new Set(possibleEvents(row, [{ type: 'RECORD_NEEDS_MEETING' }, { type: 'COMPLETE_ASSESSMENT' }]).map((command) => command.type))
    : new Set<string>();
  const forms: Record<FormId, boolean> = {
    assessment_initial: mayWork && INITIAL_ASSESSMENT_STATES.includes(row.state as CaseState),
    needs_meeting: possible.has('RECORD_NEEDS_MEETING'),
    assessment_detailed: possible.has('COMPLETE_ASSESSMENT'),
  };
  const initial = view(context, latestAssessment(db, row.id, 'initial'));
  const detailed = view(context, latestAssessment(db, row.id, 'detailed'));
  const meetings = needsMeetingsOf(db, row.id);
  const anyForm = Object.values(forms).some(Boolean);
  if (!initial && !detailed && meetings.length === 0 && !anyForm) return null;
  const pending = isFormId(state.openAction) && !forms[state.openAction] ? state.openAction : null;
  return {
    initialAssessment: initial,
    detailedAssessment: detailed,
    meetings,
    assessmentForms: forms,
    // Without a meeting the statechart refuses to complete the assessment: say so rather than show nothing.
    meetingNeeded: mayWork && row.state === 'detailedAssessment' && !forms.assessment_detailed,
    riskItems: { initial: riskItemsFor('initial'), detailed: riskItemsFor('detailed') },
    riskLabels: RISK_LABELS,
    meetingDefaults: { held_at: vietnamDateTimeValue(new Date()) },
    assessmentKept: pending
      ? FORM_TEXTS[pending].flatMap(({ name, label }) => {
          const text = state.values?.[name];
          return typeof text === 'string' && text.trim() !== '' ? [{ label, text }] : [];
        })
      : [],
  };
}

function routes(app: FastifyInstance, tools: CasePageTools): void {
  /**
   * The common course of an assessment form: the case must be readable (404/403 audited) and workable
   * (403 audited); the form is checked (400 keeps the input); then the step runs, and a refusal
   * re-renders the page as it is now with the input kept.
   */
  async function submit(
    request: FastifyRequest,
    reply: FastifyReply,
    formId: FormId,
    run: (row: CaseRow, body: Record<string, unknown>, expectedVersion: number) => { errors: Record<string, MessageKey> } | StepResult,
    notice: MessageKey,
  ): Promise<FastifyReply> {
    const row = tools.loadReadable(request);
    request.authorize('case.work', caseSubject(app.db, row), { type: 'case', id: row.id });
    const body = bodyOf(request);
    const expectedVersion = rowVersionOf(body);
    const again = (status: number, state: CasePageState): Promise<FastifyReply> =>
      tools.renderCase(request, reply, findCase(app.db, row.id) ?? row, { status, openAction: formId, values: formValues(body), ...state });
    const outcome = run(row, body, expectedVersion);
    if ('errors' in outcome) return again(400, { errors: outcome.errors });
    if (!outcome.ok) return answerRefusal(outcome.reason, again);
    return tools.afterChange(request, reply, row.id, notice, formId);
  }

  const writerOf = (request: FastifyRequest) => ({ actor: request.requireActor(), audit: request.auditContext });

  app.post('/cases/:id/assessments/initial', { config: { permission: 'case.work' } }, (request, reply) =>
    submit(
      request,
      reply,
      'assessment_initial',
      (row, body, expectedVersion) => {
        const form = parseForm(initialAssessmentSchema, body);
        if (!form.ok) return { errors: form.errors };
        const input = { ratings: ratingsFrom('initial', form.data), summary: form.data.summary };
        return recordInitialAssessment(app.db, writerOf(request), row.id, input, expectedVersion);
      },
      'assessment.initial_saved',
    ),
  );

  app.post('/cases/:id/needs-meeting', { config: { permission: 'case.work' } }, (request, reply) =>
    submit(
      request,
      reply,
      'needs_meeting',
      (row, body, expectedVersion) => {
        const form = parseForm(needsMeetingSchema(new Date()), body);
        if (!form.ok) return { errors: form.errors };
        const meeting = { heldAt: form.data.held_at, participants: form.data.participants, minutes: form.data.minutes };
        return recordNeedsMeeting(app.db, app.orgRelations, writerOf(request), row.id, meeting, expectedVersion);
      },
      'needsMeeting.saved',
    ),
  );

  app.post('/cases/:id/assessments/detailed', { config: { permission: 'case.work' } }, (request, reply) =>
    submit(
      request,
      reply,
      'assessment_detailed',
      (row, body, expectedVersion) => {
        const form = parseForm(detailedAssessmentSchema, body);
        if (!form.ok) return { errors: form.errors };
        const input = { ratings: ratingsFrom('detailed', form.data), summary: form.data.summary, needs: form.data.needs };
        return completeDetailedAssessment(app.db, app.orgRelations, writerOf(request), row.id, input, expectedVersion);
      },
      'assessment.detailed_saved',
    ),
  );
}

export const assessmentsModule: CaseworkModule = {
  id: 'assessments',
  template: '/pages/cases/sections/assessment',
  load,
  routes,
  timelineKinds: { assessment_initial: 'caseTimeline.kind_assessment_initial' },
};
