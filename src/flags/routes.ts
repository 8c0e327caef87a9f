import { eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { recordAudit } from '../audit/log.js';
import { cases } from '../cases/schema.js';
import { ageOf, findChild, searchRoster, type Child, type RosterPupil } from '../children/repository.js';
import type { Translate } from '../i18n/i18n.js';
import { findOrganisation, type Organisation } from '../orgs/repository.js';
import { activeCommunes, asksForCommunes, communePicker, isActiveCommune } from '../intake/commune-picker.js';
import { categoryCodesOf, concernCategories } from '../intake/form.js';
import { localisedName } from '../taxonomy/repository.js';
import { findUser } from '../users/repository.js';
import { formValues, parseForm, type FieldErrors, type FormValues } from '../web/forms.js';
import { HttpError, notFound } from '../web/http-error.js';
import { idParam, pageParam } from '../web/params.js';
import { BODY_NOTE_MAX_LENGTH, BODY_REGIONS, BODY_VIEWBOX, BODY_VIEWS, bodyRegionLabel, type BodyMark } from './body-map.js';
import { defaultCommune } from './communes.js';
import { DESCRIPTION_MAX_LENGTH, forwardSchema, noActionSchema, parseFlagForm } from './forms.js';
import { categoriesOfFlag, FLAG_COLUMNS, findFlag, flagSubject, listOwnFlags, listQueue, type Flag } from './repository.js';
import { FLAG_STATUSES } from './schema.js';
import { createFlag, forwardFlag, recordFlagView, recordNoFurtherAction } from './service.js';
import type { FlagStatus } from './status.js';

const PAGE_SIZE = 25;
const ROSTER_LIMIT = 40;
/** Flags are raised where children are looked after day to day. */
const FLAGGING_ORG_KINDS: ReadonlySet<string> = new Set(['school', 'childcare_group']);

/** What the commune worker reads: the teacher's words, the marks on the body map in words, then the lead's context. */
function caseDescription(t: Translate, flag: Flag, leadContext: string | null): string {
  const parts = [flag.description];
  if (flag.bodyMap.length > 0) {
    const marks = flag.bodyMap.map((mark) => (mark.note ? `${bodyRegionLabel(t, mark.region)}: ${mark.note}` : bodyRegionLabel(t, mark.region)));
    parts.push(`${t('flag.body_map')}: ${marks.join('; ')}`);
  }
  if (leadContext) parts.push(`${t('flag.lead_context')}: ${leadContext}`);
  return parts.join('\n\n');
}

function queryString(request: FastifyRequest, name: string, maxLength = 100): string {
  const value = (request.query as Record<string, unknown>)[name];
  return typeof value === 'string' ? value.trim().slice(0, maxLength) : '';
}

export default async function flagRoutes(app: FastifyInstance): Promise<void> {
  /** Flags belong to the school the actor is working for right now; anywhere else there is no roster to flag from. */
  function activeSchool(request: FastifyRequest): Organisation {
    const org = findOrganisation(app.db, request.requireActor().orgId);
    if (!org || !org.active || !FLAGGING_ORG_KINDS.has(org.kind)) {
      recordAudit(app.db, request.auditContext, { action: 'flag.create', outcome: 'refused' });
      throw new HttpError(403, 'flag.not_at_school');
    }
    return org;
  }

  /** The roster list for the form; a pupil already chosen stays in it even when the search no longer matches. */
  function rosterFor(school: Organisation, q: string, chosenId: string): { rows: (RosterPupil & { age: number | null })[]; total: number } {
    const { rows, total } = searchRoster(app.db, school.id, q, ROSTER_LIMIT);
    const chosen = /^\d+$/.test(chosenId) && !rows.some((row) => String(row.id) === chosenId) ? findChild(app.db, Number(chosenId)) : null;
    const list = chosen && chosen.schoolOrgId === school.id ? [chosen, ...rows] : rows;
    return { rows: list.map((row) => ({ ...row, age: ageOf(row) })), total };
  }

  function showForm(request: FastifyRequest, reply: FastifyReply, school: Organisation, form: { values: FormValues; errors?: FieldErrors; q?: string }, status = 200) {
    const q = form.q ?? '';
    const chosen = typeof form.values.child_id === 'string' ? form.values.child_id : '';
    return reply.code(status).page('pages/flags/new', {
      title: request.t('flag.new_title'),
      school,
      q,
      roster: rosterFor(school, q, chosen),
      rosterLimit: ROSTER_LIMIT,
      categoryGroups: concernCategories(app.db),
      regions: BODY_REGIONS,
      views: BODY_VIEWS,
      viewBox: BODY_VIEWBOX,
      noteMax: BODY_NOTE_MAX_LENGTH,
      descriptionMax: DESCRIPTION_MAX_LENGTH,
      values: form.values,
      errors: form.errors ?? {},
    });
  }

  app.get('/flags/new', { config: { permission: 'flag.create' } }, async (request, reply) => {
    const school = activeSchool(request);
    const childId = queryString(request, 'child_id', 20);
    return showForm(request, reply, school, { values: childId ? { child_id: childId } : {}, q: queryString(request, 'q') });
  });

  app.post('/flags', { config: { permission: 'flag.create' } }, async (request, reply) => {
    const school = activeSchool(request);
    const form = parseFlagForm(request.body);
    const errors: FieldErrors = form.ok ? {} : { ...form.errors };
    if (form.ok) {
      const offered = categoryCodesOf(concernCategories(app.db));
      if (form.flag.categories.some((code) => !offered.has(code))) errors.categories = 'form.invalid';
      const pupil = 'id' in form.flag.pupil ? findChild(app.db, form.flag.pupil.id) : null;
      if ('id' in form.flag.pupil && pupil?.schoolOrgId !== school.id) errors.child_id = 'flag.pupil_required';
    }
    if (!form.ok || Object.keys(errors).length > 0) return showForm(request, reply, school, { values: form.values, errors }, 400);
    createFlag(app.db, { userId: request.requireActor().userId, audit: request.auditContext }, { schoolOrgId: school.id, ...form.flag });
    return reply.redirect('/flags/mine?sent=1', 303);
  });

  app.get('/flags/mine', { config: { permission: 'flag.read_own' } }, async (request, reply) => {
    const page = pageParam(request);
    const { rows, total } = listOwnFlags(app.db, request.scope('flag.read_own', FLAG_COLUMNS), PAGE_SIZE, (page - 1) * PAGE_SIZE);
    return reply.page('pages/flags/mine', {
      title: request.t('flag.mine_title'),
      rows,
      total,
      page,
      pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
      sent: queryString(request, 'sent') === '1',
    });
  });

  app.get('/flags', { config: { permission: 'flag.review' } }, async (request, reply) => {
    const page = pageParam(request);
    const wanted = queryString(request, 'status');
    const status = (FLAG_STATUSES as readonly string[]).includes(wanted) ? (wanted as FlagStatus) : null;
    const actor = request.requireActor();
    const queue = listQueue(app.db, request.scope('flag.review', FLAG_COLUMNS), actor.userId, status, PAGE_SIZE, (page - 1) * PAGE_SIZE);
    return reply.page('pages/flags/queue', {
      title: request.t('flag.queue_title'),
      ...queue,
      status,
      statuses: FLAG_STATUSES,
      page,
      pages: Math.max(1, Math.ceil(queue.total / PAGE_SIZE)),
    });
  });

  /** Foreign keys guarantee both; a missing one means a damaged database, not a user error. */
  function pupilAndSchool(flag: Flag): { child: Child; school: Organisation } {
    const child = findChild(app.db, flag.childId);
    const school = findOrganisation(app.db, flag.schoolOrgId);
    if (!child || !school) throw new Error(`flag ${flag.id} lost its pupil or school`);
    return { child, school };
  }

  function loadForReview(request: FastifyRequest): Flag {
    const flag = findFlag(app.db, idParam(request));
    if (!flag) throw notFound();
    request.authorize('flag.review', flagSubject(flag), { type: 'flag', id: flag.id });
    return flag;
  }

  function showFlag(request: FastifyRequest, reply: FastifyReply, flag: Flag, forms: { values?: FormValues; errors?: FieldErrors; form?: string } = {}, status = 200) {
    const { child, school } = pupilAndSchool(flag);
    const forwardedCase = flag.caseId === null ? null : (app.db.select({ reference: cases.reference, orgId: cases.orgId }).from(cases).where(eq(cases.id, flag.caseId)).get() ?? null);
    const marks: (BodyMark & { label: string })[] = flag.bodyMap.map((mark) => ({ ...mark, label: bodyRegionLabel(request.t, mark.region) }));
    return reply.code(status).page('pages/flags/show', {
      title: request.t('flag.show_title', { name: child.fullName }),
      flag,
      child,
      childAge: ageOf(child),
      school,
      teacher: findUser(app.db, flag.createdBy),
      decidedBy: flag.decidedBy === null ? null : findUser(app.db, flag.decidedBy),
      categories: categoriesOfFlag(app.db, flag.id).map((category) => localisedName(category, request.locale)),
      marks,
      markedRegions: new Set(flag.bodyMap.map((mark) => mark.region)),
      regions: BODY_REGIONS,
      views: BODY_VIEWS,
      viewBox: BODY_VIEWBOX,
      forwardedCase,
      forwardedTo: forwardedCase ? findOrganisation(app.db, forwardedCase.orgId) : null,
      // The commune the forwarded case will go to: the child's, else the school's, until the lead picks one.
      commune:
        flag.status === 'new'
          ? communePicker(app.db, 'commune_id', forms.form === 'forward' ? (forms.values ?? {}) : {}, {
              fallback: defaultCommune(app.db, school, child.residenceOrgId, activeCommunes(app.db)),
            })
          : null,
      done: queryString(request, 'done'),
      form: forms.form ?? null,
      values: forms.values ?? {},
      errors: forms.errors ?? {},
    });
  }

  app.get('/flags/:id', { config: { permission: 'flag.review' } }, async (request, reply) => {
    const flag = loadForReview(request);
    recordFlagView(app.db, { actor: request.requireActor(), audit: request.auditContext }, flag.id);
    return showFlag(request, reply, flag);
  });

  function refuseDecided(): never {
    throw new HttpError(409, 'flag.already_decided');
  }

  app.post('/flags/:id/forward', { config: { permission: 'flag.review' } }, async (request, reply) => {
    const flag = loadForReview(request);
    if (flag.status !== 'new') refuseDecided();
    // Choosing a province shows its communes; nothing is forwarded yet.
    if (asksForCommunes(request.body)) return showFlag(request, reply, flag, { values: formValues(request.body), form: 'forward' });
    const form = parseForm(forwardSchema, request.body);
    const allowed = form.ok && isActiveCommune(app.db, form.data.commune_id);
    if (!form.ok || !allowed) {
      const errors: FieldErrors = form.ok ? { commune_id: 'form.invalid' } : form.errors;
      return showFlag(request, reply, flag, { values: form.values, errors, form: 'forward' }, 400);
    }
    const leadContext = form.data.lead_context || null;
    const result = forwardFlag(app.db, { actor: request.requireActor(), audit: request.auditContext }, flag.id, {
      communeOrgId: form.data.commune_id,
      leadContext,
      caseDescription: caseDescription(request.t, flag, leadContext),
      categories: categoriesOfFlag(app.db, flag.id).map((category) => category.code),
    });
    if (!result.ok && result.reason === 'already_decided') refuseDecided();
    if (!result.ok) return showFlag(request, reply, flag, { values: form.values, errors: { commune_id: 'form.invalid' }, form: 'forward' }, 400);
    return reply.redirect(`/flags/${flag.id}?done=forwarded`, 303);
  });

  app.post('/flags/:id/no-action', { config: { permission: 'flag.review' } }, async (request, reply) => {
    const flag = loadForReview(request);
    if (flag.status !== 'new') refuseDecided();
    const form = parseForm(noActionSchema, request.body);
    if (!form.ok) return showFlag(request, reply, flag, { values: form.values, errors: form.errors, form: 'no_action' }, 400);
    const result = recordNoFurtherAction(app.db, { actor: request.requireActor(), audit: request.auditContext }, flag.id, form.data.reason);
    if (!result.ok) refuseDecided();
    return reply.redirect(`/flags/${flag.id}?done=no_action`, 303);
  });
}
