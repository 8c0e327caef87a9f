import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../audit/log.js';
import { insertEmergencyMeasures } from '../casework/emergency.js';
import { CASEWORK_MODULES, loadCaseSections } from '../casework/index.js';
import type { CasePageState } from '../casework/module.js';
import { ageOf, findChild } from '../children/repository.js';
import { suggestDuplicates, type DuplicateSuggestion } from '../children/duplicates.js';
import type { Tx } from '../db/client.js';
import type { MessageKey } from '../i18n/vi.js';
import { findOrganisation, rememberingOrgRelations } from '../orgs/repository.js';
import { isAllowed } from '../permissions/check.js';
import {
  birthFromIntake,
  caseReferences,
  categoryNamesByCase,
  findIntakeForCase,
  hasOtherCommunes,
  transferDestinations,
  organisationNames,
  timelineOf,
  userDisplayName,
  type Birth,
  type IntakeRow,
  type TimelineRow,
} from '../triage/case-facts.js';
import { confirmNewChild, linkChild } from '../triage/child-link.js';
import { countdownTo } from '../triage/countdown.js';
import { parseForm, type FieldErrors } from '../web/forms.js';
import { HttpError, notFound } from '../web/http-error.js';
import { idParam } from '../web/params.js';
import { availableActions, findCaseAction, parseActionForm, vietnamDateTimeValue, type ActionInput, type CaseAction } from './actions.js';
import { EVENT_PERMISSIONS } from './event-permissions.js';
import { CASE_COLUMNS, caseSubject, findCase, findCaseByReference, type CaseRow } from './repository.js';
import { applyCaseEvent, type ApplyRefusal } from './service.js';
import { isOpenState, type CaseEventType, type CaseState } from './workflow/machine.js';

/** What a timeline entry says happened, by workflow event. */
const EVENT_DESCRIPTIONS: Record<CaseEventType, MessageKey> = {
  TAKE: 'caseEvent.TAKE',
  DECLARE_EMERGENCY: 'caseEvent.DECLARE_EMERGENCY',
  RECORD_EMERGENCY_MEASURES: 'caseEvent.RECORD_EMERGENCY_MEASURES',
  CLOSE_UNFOUNDED: 'caseEvent.CLOSE_UNFOUNDED',
  MARK_DUPLICATE: 'caseEvent.MARK_DUPLICATE',
  DECIDE_SUPPORT: 'caseEvent.DECIDE_SUPPORT',
  DECIDE_INTERVENTION: 'caseEvent.DECIDE_INTERVENTION',
  RECORD_NEEDS_MEETING: 'caseEvent.RECORD_NEEDS_MEETING',
  COMPLETE_ASSESSMENT: 'caseEvent.COMPLETE_ASSESSMENT',
  SUBMIT_PLAN: 'caseEvent.SUBMIT_PLAN',
  APPROVE_PLAN: 'caseEvent.APPROVE_PLAN',
  REJECT_PLAN: 'caseEvent.REJECT_PLAN',
  START_REVIEW: 'caseEvent.START_REVIEW',
  REQUEST_CLOSURE: 'caseEvent.REQUEST_CLOSURE',
  REPLAN: 'caseEvent.REPLAN',
  APPROVE_CLOSURE: 'caseEvent.APPROVE_CLOSURE',
  REJECT_CLOSURE: 'caseEvent.REJECT_CLOSURE',
  REOPEN: 'caseEvent.REOPEN',
  TRANSFER: 'caseEvent.TRANSFER',
};

/** Entries that are not workflow events, by kind; a kind added later reads as generic casework. */
const KIND_DESCRIPTIONS: Record<string, MessageKey> = {
  intake: 'caseTimeline.intake',
  child_link: 'caseTimeline.child_link',
  child_confirm: 'caseTimeline.child_confirm',
  ...Object.assign({}, ...CASEWORK_MODULES.map((module) => module.timelineKinds ?? {})),
};

/** What the page confirms after a plain (non-htmx) casework post redirects with ?done=<key>. */
const CASEWORK_NOTICES: Record<string, MessageKey> = Object.assign({}, ...CASEWORK_MODULES.map((module) => module.notices ?? {}));

/** The parts of a timeline detail the page shows, with their labels; anything else stays unshown. */
const TEXT_DETAILS: readonly { key: string; label: MessageKey }[] = [
  { key: 'reason', label: 'caseTimeline.reason' },
  { key: 'comment', label: 'caseTimeline.comment' },
  { key: 'note', label: 'caseTimeline.note' },
  { key: 'measures', label: 'caseTimeline.measures' },
  { key: 'placeOfCare', label: 'caseAction.field.place_of_care' },
];

interface TimelineEntry {
  at: string;
  description: MessageKey;
  params: Record<string, string>;
  actorName: string | null;
  actorRole: string | null;
  confidential: boolean;
  texts: { label: MessageKey; text: string }[];
  separation: boolean;
  measuresTakenAt: string | null;
  /** A case this entry points at (the case it was merged into). */
  link: { href: string; reference: string } | null;
}

/** How the page is shown: after a refused or failed submission it keeps the user's input and says why. */
type PageState = CasePageState;

const rowVersionSchema = z.coerce.number().int().positive();
const childChoiceSchema = z.object({
  child_id: z.union([z.literal('new'), z.coerce.number().int().positive()], 'caseDuplicate.choose'),
});

interface ChildFacts {
  name: string | null;
  birth: Birth | null;
  sex: string | null;
  communeId: number | null;
  linked: boolean;
}

/** The child's details from the linked record, or from the intake until one is linked. */
function childFacts(app: FastifyInstance, row: CaseRow, intake: IntakeRow | null): ChildFacts {
  const child = row.childId === null ? null : findChild(app.db, row.childId);
  if (child) {
    const birth = { birthDate: child.birthDate, estimatedBirthYear: child.estimatedBirthYear };
    return { name: child.fullName, birth, sex: child.sex, communeId: child.residenceOrgId, linked: true };
  }
  if (!intake) return { name: null, birth: null, sex: null, communeId: null, linked: false };
  return { name: intake.childName, birth: birthFromIntake(intake), sex: intake.childSex, communeId: intake.residenceOrgId, linked: false };
}

export default async function caseRoutes(app: FastifyInstance): Promise<void> {
  /** The case, if the actor may read it: 404 for an unknown id, 403 (audited) otherwise. */
  function loadReadable(request: FastifyRequest): CaseRow {
    const row = findCase(app.db, idParam(request));
    if (!row) throw notFound();
    request.authorize('case.read', caseSubject(app.db, row), { type: 'case', id: row.id });
    return row;
  }

  function timelineEntries(rows: readonly TimelineRow[], request: FastifyRequest): TimelineEntry[] {
    const detailOf = (row: TimelineRow, key: string): unknown => row.detail?.[key];
    const orgIds = rows.map((row) => detailOf(row, 'toOrgId')).filter((id): id is number => typeof id === 'number');
    const caseIds = rows.map((row) => detailOf(row, 'intoCaseId')).filter((id): id is number => typeof id === 'number');
    const orgs = organisationNames(app.db, orgIds);
    const references = caseReferences(app.db, caseIds);
    return rows.map((row) => {
      const description =
        row.eventType && row.eventType in EVENT_DESCRIPTIONS
          ? EVENT_DESCRIPTIONS[row.eventType as CaseEventType]
          : (KIND_DESCRIPTIONS[row.kind] ?? 'caseTimeline.other');
      const channel = detailOf(row, 'channel');
      const toOrgId = detailOf(row, 'toOrgId');
      const intoCaseId = detailOf(row, 'intoCaseId');
      const intoReference = typeof intoCaseId === 'number' ? references.get(intoCaseId) : undefined;
      const measuresTakenAt = detailOf(row, 'measuresTakenAt');
      return {
        at: row.at,
        description,
        params: {
          channel: typeof channel === 'string' ? request.t(`caseChannel.${channel}` as MessageKey) : '',
          commune: typeof toOrgId === 'number' ? (orgs.get(toOrgId) ?? '') : '',
          reference: intoReference ?? '',
        },
        actorName: row.actorName,
        actorRole: row.actorRole,
        confidential: row.confidential,
        texts: TEXT_DETAILS.flatMap(({ key, label }) => {
          const text = detailOf(row, key);
          return typeof text === 'string' && text !== '' ? [{ label, text }] : [];
        }),
        separation: detailOf(row, 'separation') === true,
        measuresTakenAt: typeof measuresTakenAt === 'string' ? measuresTakenAt : null,
        link: typeof intoCaseId === 'number' && intoReference ? { href: `/cases/${intoCaseId}`, reference: intoReference } : null,
      };
    });
  }

  /** Suggestions are offered while the case has no child and the actor does casework on it. */
  function duplicatesFor(request: FastifyRequest, row: CaseRow, intake: IntakeRow | null, canWork: boolean): DuplicateSuggestion[] | null {
    if (!canWork || !intake || row.childId !== null || !isOpenState(row.state as CaseState)) return null;
    return suggestDuplicates(app.db, { caseRow: row, intake, actor: request.requireActor(), caseScope: request.scope('case.read', CASE_COLUMNS) });
  }

  /** The transfer form's search for a commune outside the case's province: a plain GET, so it works without JavaScript. */
  function transferSearchOf(request: FastifyRequest): string {
    const search = (request.query as Record<string, unknown> | undefined)?.commune_q;
    return typeof search === 'string' ? search.trim().slice(0, 100) : '';
  }

  function renderCase(request: FastifyRequest, reply: FastifyReply, row: CaseRow, state: PageState = {}): Promise<FastifyReply> {
    const actor = request.requireActor();
    const now = new Date();
    const orgs = rememberingOrgRelations(app.orgRelations);
    const intake = findIntakeForCase(app.db, row.id);
    const child = childFacts(app, row, intake);
    const subject = caseSubject(app.db, row);
    const canWork = isAllowed('case.work', actor, subject, orgs);
    let actions: CaseAction[] = availableActions(row, subject, actor, orgs, now);
    // A transfer needs somewhere to go: without another commune the form would be a dead end.
    const canTransfer = actions.some((action) => action.event === 'TRANSFER') && hasOtherCommunes(app.db, row.orgId);
    if (!canTransfer) actions = actions.filter((action) => action.event !== 'TRANSFER');
    const communeSearch = transferSearchOf(request);
    const chosen = Number(state.values?.to_org_id);
    const communes = canTransfer
      ? transferDestinations(app.db, row.orgId, { search: communeSearch, keep: Number.isSafeInteger(chosen) ? chosen : null })
      : [];
    const names = organisationNames(app.db, [row.orgId, child.communeId, intake?.residenceOrgId, intake?.incidentOrgId, intake?.sourceOrgId]);
    const values = state.values ?? {};
    // When the case moved on and the form is no longer offered, what the user wrote is still shown to copy.
    const pending = findCaseAction(state.openAction);
    const keptInput =
      pending && !actions.some((action) => action.event === pending.event)
        ? pending.fields.flatMap((field) => {
            const text = values[field.name];
            return field.kind === 'text' && typeof text === 'string' && text.trim() !== '' ? [{ label: field.label, text }] : [];
          })
        : [];
    return reply.code(state.status ?? 200).page('pages/cases/show', {
      // The reference only: a child's name would stay in browser history and on shared screens' tabs.
      title: row.reference,
      caseRow: row,
      emergency: row.emergency || Boolean(intake?.immediateDanger),
      child: {
        ...child,
        age: child.birth ? ageOf(child.birth, now) : null,
        ageEstimated: Boolean(child.birth && !child.birth.birthDate),
        communeName: child.communeId === null ? null : (names.get(child.communeId) ?? null),
      },
      communeName: names.get(row.orgId) ?? '',
      orgNames: Object.fromEntries(names),
      categories: categoryNamesByCase(app.db, [row.id], request.locale).get(row.id) ?? [],
      assignedName: userDisplayName(app.db, row.assignedUserId),
      countdown: countdownTo(request.t, row.nextDueAt, now),
      deadlineKind: row.nextDueAt === null ? null : row.nextDueAt === row.planDueAt ? 'plan' : 'emergency',
      intake,
      actions,
      canMarkDuplicate: actions.some((action) => action.event === 'MARK_DUPLICATE'),
      communes: communes.map((commune) => ({
        value: commune.id,
        label: commune.provinceName && communeSearch ? `${commune.name}, ${commune.provinceName}` : commune.name,
      })),
      communeSearch,
      duplicates: duplicatesFor(request, row, intake, canWork),
      // Confidential entries (e.g. confidential notes) are for the assigned worker and supervisors only.
      timeline: timelineEntries(
        timelineOf(app.db, row.id).filter(
          (entry) => !entry.confidential || isAllowed('case.read_confidential', actor, subject, orgs),
        ),
        request,
      ),
      sections: loadCaseSections({ db: app.db, row, subject, actor, orgs, locale: request.locale, t: request.t, state }),
      mayTriage: isAllowed('case.triage', actor, subject, orgs),
      defaults: { measures_at: vietnamDateTimeValue(now) },
      openAction: state.openAction ?? (communeSearch && canTransfer ? 'TRANSFER' : null),
      keptInput,
      values,
      errors: state.errors ?? {},
      message: state.message ?? null,
      notice: state.notice ?? null,
    });
  }

  /** After a change: htmx gets the updated case body in place; a plain form post gets a redirect (303). */
  function afterChange(request: FastifyRequest, reply: FastifyReply, caseId: number, notice: MessageKey, done: string): Promise<FastifyReply> | FastifyReply {
    const row = findCase(app.db, caseId);
    const actor = request.requireActor();
    // A transfer can take the case out of the actor's reach; they go back to their queue.
    if (!row || !isAllowed('case.read', actor, caseSubject(app.db, row), app.orgRelations)) {
      if (request.headers['hx-request'] === 'true') return reply.header('hx-redirect', '/triage').code(204).send();
      return reply.redirect('/triage', 303);
    }
    if (request.headers['hx-request'] !== 'true') return reply.redirect(`/cases/${caseId}?done=${done}`, 303);
    request.auditRead({ action: 'case.view', entityType: 'case', entityId: row.id });
    return renderCase(request, reply, row, { notice });
  }

  function rowVersionOf(body: Record<string, unknown>): number {
    const parsed = rowVersionSchema.safeParse(body.row_version);
    if (!parsed.success) throw new HttpError(400, 'error.bad_request');
    return parsed.data;
  }

  for (const module of CASEWORK_MODULES) module.routes?.(app, { loadReadable, renderCase, afterChange });

  app.get('/cases/:id', { config: { permission: 'case.read' } }, async (request, reply) => {
    const row = loadReadable(request);
    request.auditRead({ action: 'case.view', entityType: 'case', entityId: row.id });
    // After a plain (non-htmx) submission the redirect says what was done, so the page can confirm it.
    const done = (request.query as Record<string, unknown>).done;
    const notice: MessageKey | null =
      done === 'child'
        ? 'caseDuplicate.linked'
        : findCaseAction(done)
          ? 'case.event_done'
          : typeof done === 'string'
            ? (CASEWORK_NOTICES[done] ?? null)
            : null;
    return renderCase(request, reply, row, { notice });
  });

  /**
   * Every workflow form posts here. The route gate is only 'case.read': which permission the event
   * needs depends on the event (EVENT_PERMISSIONS), and the case service checks it.
   */
  app.post('/cases/:id/events', { config: { permission: 'case.read' } }, async (request, reply) => {
    const row = loadReadable(request);
    const actor = request.requireActor();
    const body = (request.body ?? {}) as Record<string, unknown>;
    const action = findCaseAction(body.event);
    if (!action) throw new HttpError(400, 'error.bad_request');
    // Refused before the form is even read, so nobody learns the rules of a step they may not take.
    request.authorize(EVENT_PERMISSIONS[action.event], caseSubject(app.db, row), { type: 'case', id: row.id });
    const expectedVersion = rowVersionOf(body);
    const form = parseActionForm(action, body);
    const again = (status: number, extra: PageState) =>
      renderCase(request, reply, findCase(app.db, row.id) ?? row, { status, openAction: action.event, values: form.values, ...extra });
    if (!form.ok) return again(400, { errors: form.errors });

    const resolved = resolveTargets(request, row, action, form.data);
    if ('errors' in resolved) return again(400, { errors: resolved.errors });
    const { command, detail } = action.toCommand(resolved.input);
    const targetField = action.fields.find((field) => field.kind === 'commune' || field.kind === 'case_reference');
    const refused = (reason: ApplyRefusal): Promise<FastifyReply> => {
      switch (reason) {
        case 'not_found':
          throw notFound();
        case 'forbidden':
          throw new HttpError(403, 'error.forbidden');
        case 'not_allowed_now':
          return again(409, { message: 'case.not_allowed_now' });
        case 'conflict':
          // The page shows the case as it is now (with its new row version) and keeps what the user typed.
          return again(409, { message: 'case.conflict' });
        case 'invalid_target':
          return again(400, { errors: { [targetField?.name ?? '_form']: 'caseAction.target_invalid' } });
      }
    };
    const writer = { actor, audit: request.auditContext };
    let version = expectedVersion;
    // An emergency declared on an intake nobody has taken makes the declarer responsible for it:
    // otherwise the most urgent case would leave the triage queue with nobody assigned.
    if (command.type === 'DECLARE_EMERGENCY' && row.state === 'intake' && row.assignedUserId === null) {
      const taken = applyCaseEvent(app.db, app.orgRelations, writer, row.id, { type: 'TAKE' }, { expectedVersion });
      if (!taken.ok) return refused(taken.reason);
      version = taken.caseRow.rowVersion;
    }
    const result = applyCaseEvent(app.db, app.orgRelations, writer, row.id, command, {
      expectedVersion: version,
      ...(detail ? { detail } : {}),
      // Mẫu 07 prints from the measures' own record, written with the transition.
      ...(command.type === 'RECORD_EMERGENCY_MEASURES' && detail
        ? { within: (tx: Tx) => insertEmergencyMeasures(tx, row.id, actor.userId, detail) }
        : {}),
    });
    return result.ok ? afterChange(request, reply, row.id, 'case.event_done', action.event) : refused(result.reason);
  });

  /**
   * Turns a typed case reference into the id of a case the actor may read (the same message whether
   * it does not exist or is out of reach, so references cannot be probed) and checks a commune.
   */
  function resolveTargets(
    request: FastifyRequest,
    row: CaseRow,
    action: CaseAction,
    data: Record<string, unknown>,
  ): { input: ActionInput } | { errors: FieldErrors } {
    const input: ActionInput = {};
    const errors: FieldErrors = {};
    for (const field of action.fields) {
      const value = data[field.name];
      if (field.kind === 'case_reference' && typeof value === 'string') {
        const other = findCaseByReference(app.db, value);
        const visible = other && isAllowed('case.read', request.requireActor(), caseSubject(app.db, other), app.orgRelations);
        if (!other || !visible || other.id === row.id) errors[field.name] = 'caseAction.reference_not_found';
        else if (!isOpenState(other.state as CaseState)) errors[field.name] = 'caseAction.reference_not_open';
        else input[field.name] = other.id;
      } else if (field.kind === 'commune' && typeof value === 'number') {
        const org = findOrganisation(app.db, value);
        if (!org || !org.active || org.kind !== 'commune' || org.id === row.orgId) errors[field.name] = 'caseAction.target_invalid';
        else input[field.name] = org.id;
      } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        input[field.name] = value;
      }
    }
    return Object.keys(errors).length > 0 ? { errors } : { input };
  }

  /** Links the case to a suggested child (child_id) or records the intake's child as new (child_id=new). */
  app.post('/cases/:id/child', { config: { permission: 'case.work' } }, async (request, reply) => {
    const row = findCase(app.db, idParam(request));
    if (!row) throw notFound();
    request.authorize('case.work', caseSubject(app.db, row), { type: 'case', id: row.id });
    const actor = request.requireActor();
    const body = (request.body ?? {}) as Record<string, unknown>;
    const expectedVersion = rowVersionOf(body);
    const intake = findIntakeForCase(app.db, row.id);
    const form = parseForm(childChoiceSchema, body);
    const again = (status: number, extra: PageState) => renderCase(request, reply, findCase(app.db, row.id) ?? row, { status, ...extra });
    if (!intake || !isOpenState(row.state as CaseState)) return again(409, { message: 'case.not_allowed_now' });
    if (row.childId !== null) return again(409, { message: 'caseDuplicate.already_linked' });
    if (!form.ok) return again(400, { message: 'caseDuplicate.choose' });

    const writer = { actor, audit: request.auditContext };
    const choice = form.data.child_id;
    if (choice !== 'new') {
      // Only a child the actor was shown may be linked: the suggestions are the permission check.
      const visible = suggestDuplicates(app.db, { caseRow: row, intake, actor, caseScope: request.scope('case.read', CASE_COLUMNS) }, Infinity);
      if (!visible.some((suggestion) => suggestion.kind === 'child' && suggestion.childId === choice)) {
        recordAudit(app.db, request.auditContext, { action: 'case.child_link', entityType: 'case', entityId: row.id, outcome: 'refused' });
        return again(400, { message: 'caseDuplicate.not_a_candidate' });
      }
    }
    const result = choice === 'new' ? confirmNewChild(app.db, writer, row, intake, expectedVersion) : linkChild(app.db, writer, row, choice, expectedVersion);
    if (!result.ok) return again(409, { message: 'case.conflict' });
    return afterChange(request, reply, row.id, 'caseDuplicate.linked', 'child');
  });
}
