/**
 * The support and intervention plan on the case page (Mẫu 04): the worker drafts and submits it while
 * the case is in planning; the commune chairperson approves it by decision (Mẫu 05) or returns it with
 * a comment. Every version stays readable at /cases/:id/plans/:version.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { dateKeyInVietnam } from '../../calendar/working-days.js';
import { caseSubject, findCase, type CaseRow } from '../../cases/repository.js';
import { possibleEvents, type CaseCommand } from '../../cases/service.js';
import type { MessageKey } from '../../i18n/vi.js';
import { isAllowed } from '../../permissions/check.js';
import { organisationNames } from '../../triage/case-facts.js';
import { formValues, parseForm, type FormValues } from '../../web/forms.js';
import { HttpError, notFound } from '../../web/http-error.js';
import { answerRefusal, bodyOf, rowVersionOf } from '../assessments/step-support.js';
import type { CasePageState, CasePageTools, CaseSectionContext, CaseworkModule } from '../module.js';
import type { CaseworkWriter } from '../record.js';
import { approvalSchema, BLANK_MEASURE_ROWS, MAX_MEASURE_ROWS, measureRowIndexes, parsePlanForm, planFormValues, rejectionSchema } from './form.js';
import { PLAN_MEASURE_KINDS } from './measures.js';
import { currentPlan, planVersion, planVersions, responsibleOrgChoices, type OrgChoice, type PlanWithMeasures } from './repository.js';
import { approvePlan, draftVersionOf, rejectPlan, savePlanDraft, submitPlan, type PlanStepResult } from './service.js';

type FormId = 'plan' | 'plan_approve' | 'plan_reject';

const FORM_TEXTS: Record<FormId, readonly { name: string; label: MessageKey }[]> = {
  plan: [{ name: 'goals', label: 'plan.goals' }],
  plan_approve: [{ name: 'decision_number', label: 'plan.decision_number' }],
  plan_reject: [{ name: 'comment', label: 'caseAction.field.comment' }],
};

const KIND_LABELS: Record<string, MessageKey> = Object.fromEntries(PLAN_MEASURE_KINDS.map((kind) => [kind.id, kind.label]));

function isFormId(value: unknown): value is FormId {
  return typeof value === 'string' && Object.hasOwn(FORM_TEXTS, value);
}

interface OrgGroup {
  kind: string;
  options: { id: number; name: string }[];
}

function groupByKind(choices: readonly OrgChoice[]): OrgGroup[] {
  const groups: OrgGroup[] = [];
  for (const choice of choices) {
    let group = groups.at(-1);
    if (!group || group.kind !== choice.kind) groups.push((group = { kind: choice.kind, options: [] }));
    group.options.push({ id: choice.id, name: choice.name });
  }
  return groups;
}

/** How many measure rows the form shows: those written plus blank ones, or as many as the user had. */
function rowCountFor(values: FormValues, reshown: boolean): number {
  const indexes = measureRowIndexes(values);
  const sent = (indexes.at(-1) ?? -1) + 1;
  const asked = Number(typeof values.rows === 'string' ? values.rows : 0) || 0;
  const count = reshown ? Math.max(sent, asked, 1) : sent + BLANK_MEASURE_ROWS;
  return Math.min(count, MAX_MEASURE_ROWS);
}

/** What the read-only plan views need besides the plan: organisation names and kind labels. */
function planViewData(context: Pick<CaseSectionContext, 'db'>, plan: PlanWithMeasures | null): Record<string, unknown> {
  const names = organisationNames(context.db, plan?.measures.map((measure) => measure.responsibleOrgId) ?? []);
  return { plan, planOrgNames: Object.fromEntries(names), planKindLabels: KIND_LABELS };
}

function load(context: CaseSectionContext): Record<string, unknown> | null {
  const { db, row, subject, actor, orgs, state } = context;
  const candidates: CaseCommand[] = [
    ...(isAllowed('case.work', actor, subject, orgs) ? [{ type: 'SUBMIT_PLAN' } as const] : []),
    ...(isAllowed('case.approve', actor, subject, orgs) ? [{ type: 'APPROVE_PLAN' } as const] : []),
  ];
  const possible = new Set(possibleEvents(row, candidates).map((command) => command.type));
  const latest = currentPlan(db, row.id);
  const editing = possible.has('SUBMIT_PLAN');
  const deciding = possible.has('APPROVE_PLAN') && latest?.status === 'submitted';
  if (!latest && !editing) return null;
  const reshown = state.openAction === 'plan';
  const values = reshown ? (state.values ?? {}) : planFormValues(latest);
  const rowCount = rowCountFor(values, reshown);
  const pending = isFormId(state.openAction) && !(state.openAction === 'plan' ? editing : deciding) ? state.openAction : null;
  return {
    // While the worker edits, the form is the plan; otherwise the latest version is shown in full.
    ...planViewData(context, editing ? null : latest),
    planVersionList: planVersions(db, row.id),
    planCurrentVersion: latest?.version ?? null,
    planEditing: editing
      ? {
          version: draftVersionOf(db, row.id),
          rejection: latest?.status === 'rejected' ? latest : null,
          values,
          rowCount,
          nextRow: rowCount < MAX_MEASURE_ROWS ? rowCount : null,
          orgGroups: groupByKind(responsibleOrgChoices(db, row)),
          kinds: PLAN_MEASURE_KINDS,
        }
      : null,
    planDeciding: deciding,
    decisionDefaults: { decision_date: dateKeyInVietnam(new Date()) },
    planKept: pending
      ? FORM_TEXTS[pending].flatMap(({ name, label }) => {
          const text = state.values?.[name];
          return typeof text === 'string' && text.trim() !== '' ? [{ label, text }] : [];
        })
      : [],
  };
}

const versionParam = z.coerce.number().int().positive();
const rowIndexParam = z.coerce.number().int().min(0).max(MAX_MEASURE_ROWS - 1);

function routes(app: FastifyInstance, tools: CasePageTools): void {
  const writerOf = (request: FastifyRequest): CaseworkWriter => ({ actor: request.requireActor(), audit: request.auditContext });

  /** The case, readable (404/403 audited) and open to this permission on it (403 audited). */
  function loadFor(request: FastifyRequest, action: 'case.work' | 'case.approve'): CaseRow {
    const row = tools.loadReadable(request);
    request.authorize(action, caseSubject(app.db, row), { type: 'case', id: row.id });
    return row;
  }

  function againFor(request: FastifyRequest, reply: FastifyReply, row: CaseRow, formId: FormId, values: FormValues) {
    return (status: number, state: CasePageState): Promise<FastifyReply> =>
      tools.renderCase(request, reply, findCase(app.db, row.id) ?? row, { status, openAction: formId, values, ...state });
  }

  function orgIdsFor(row: CaseRow): Set<number> {
    return new Set(responsibleOrgChoices(app.db, row).map((org) => org.id));
  }

  /** Saves the draft, submits it, or (without JavaScript) shows the form again with more blank rows. */
  app.post('/cases/:id/plan', { config: { permission: 'case.work' } }, async (request, reply) => {
    const row = loadFor(request, 'case.work');
    const body = bodyOf(request);
    const values = formValues(body);
    if (body.intent === 'rows') {
      request.auditRead({ action: 'case.view', entityType: 'case', entityId: row.id });
      const rows = rowCountFor(values, true) + BLANK_MEASURE_ROWS;
      return tools.renderCase(request, reply, row, { openAction: 'plan', values: { ...values, rows: String(rows) } });
    }
    const submitting = body.intent === 'submit';
    const expectedVersion = rowVersionOf(body);
    const again = againFor(request, reply, row, 'plan', values);
    const form = parsePlanForm(body, orgIdsFor(row), { submitting });
    if (!form.ok) return again(400, { errors: form.errors });
    const result: PlanStepResult = submitting
      ? submitPlan(app.db, app.orgRelations, writerOf(request), row.id, form.data, expectedVersion)
      : savePlanDraft(app.db, writerOf(request), row.id, form.data, expectedVersion);
    if (!result.ok) return answerRefusal(result.reason, again);
    return tools.afterChange(request, reply, row.id, submitting ? 'plan.submitted' : 'plan.draft_saved', submitting ? 'plan_submitted' : 'plan_draft');
  });

  /** With htmx, "add a measure" fetches one blank row, and the button for the row after it. */
  app.get('/cases/:id/plan/measure-row', { config: { permission: 'case.work' } }, async (request, reply) => {
    const row = loadFor(request, 'case.work');
    const index = rowIndexParam.safeParse((request.query as Record<string, unknown>).index);
    if (!index.success) throw new HttpError(400, 'error.bad_request');
    return reply.page('pages/cases/sections/plan-row-added', {
      title: row.reference,
      caseRow: row,
      index: index.data,
      next: index.data + 1 < MAX_MEASURE_ROWS ? index.data + 1 : null,
      orgGroups: groupByKind(responsibleOrgChoices(app.db, row)),
      kinds: PLAN_MEASURE_KINDS,
    });
  });

  app.post('/cases/:id/plan/approve', { config: { permission: 'case.approve' } }, async (request, reply) => {
    const row = loadFor(request, 'case.approve');
    const body = bodyOf(request);
    const expectedVersion = rowVersionOf(body);
    const form = parseForm(approvalSchema(new Date()), body);
    const again = againFor(request, reply, row, 'plan_approve', form.values);
    if (!form.ok) return again(400, { errors: form.errors });
    const decision = { decisionNumber: form.data.decision_number, decisionDate: form.data.decision_date };
    const result = approvePlan(app.db, app.orgRelations, writerOf(request), row.id, decision, expectedVersion);
    if (!result.ok) return answerRefusal(result.reason, again);
    return tools.afterChange(request, reply, row.id, 'plan.approved', 'plan_approved');
  });

  app.post('/cases/:id/plan/reject', { config: { permission: 'case.approve' } }, async (request, reply) => {
    const row = loadFor(request, 'case.approve');
    const body = bodyOf(request);
    const expectedVersion = rowVersionOf(body);
    const form = parseForm(rejectionSchema, body);
    const again = againFor(request, reply, row, 'plan_reject', form.values);
    if (!form.ok) return again(400, { errors: form.errors });
    const result = rejectPlan(app.db, app.orgRelations, writerOf(request), row.id, form.data.comment, expectedVersion);
    if (!result.ok) return answerRefusal(result.reason, again);
    return tools.afterChange(request, reply, row.id, 'plan.rejected', 'plan_rejected');
  });

  /** One version, read-only: earlier versions stay readable after a rejection or a new plan. */
  app.get('/cases/:id/plans/:version', { config: { permission: 'case.read' } }, async (request, reply) => {
    const row = tools.loadReadable(request);
    const version = versionParam.safeParse((request.params as Record<string, unknown>).version);
    const plan = version.success ? planVersion(app.db, row.id, version.data) : null;
    if (!plan) throw notFound();
    request.auditRead({ action: 'case.plan_view', entityType: 'case', entityId: row.id });
    return reply.page('pages/cases/sections/plan-version', {
      title: request.t('plan.version_title', { reference: row.reference, version: plan.version }),
      caseRow: row,
      ...planViewData({ db: app.db }, plan),
      planVersionList: planVersions(app.db, row.id),
      planCurrentVersion: currentPlan(app.db, row.id)?.version ?? null,
    });
  });
}

export const plansModule: CaseworkModule = {
  id: 'plans',
  template: '/pages/cases/sections/plan',
  load,
  routes,
  timelineKinds: { plan_draft: 'caseTimeline.kind_plan_draft' },
};
