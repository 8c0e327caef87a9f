import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  categoriesField,
  categoryCodesOf,
  concernCategories,
  intakeInputFrom,
  mau01Fields,
  MAU01_FAMILY_FIELDS,
  MAU01_SITUATION_FIELDS,
  NARRATIVE_MAX,
  parseDateInput,
  parseIntakeForm,
  vietnamDateTimeInputs,
  vietnamInstant,
} from '../intake/form.js';
import { activeCommunes, asksForCommunes, intakePlaces } from '../intake/commune-picker.js';
import { formValues, type FieldErrors, type FormValues } from '../web/forms.js';
import { notFound } from '../web/http-error.js';
import { idParam, pageParam } from '../web/params.js';
import { CALL_MEDIA, CALLER_RELATIONS, isCaseCall, parseCall } from './call-form.js';
import { findCall, listCalls } from './repository.js';
import { CALL_TYPES, CASE_CALL_TYPES } from './schema.js';
import { recordCall } from './service.js';

const PAGE_SIZE = 50;
const DAY_MS = 86_400_000;

const hotlineIntakeSchema = z.object({ ...mau01Fields, categories: categoriesField });

function isCaseCallValue(value: FormValues[string] | undefined): boolean {
  return typeof value === 'string' && (CASE_CALL_TYPES as readonly string[]).includes(value);
}

export default async function hotlineRoutes(app: FastifyInstance): Promise<void> {
  const config = { permission: 'hotline.record' } as const;

  function showForm(request: FastifyRequest, reply: FastifyReply, values: FormValues, errors: FieldErrors = {}): Promise<FastifyReply> {
    return reply.code(Object.keys(errors).length > 0 ? 400 : 200).page('pages/hotline/call-new', {
      title: request.t('hotline.new_title'),
      // Shown again after a failed POST: the menu and the language switch should still mean this form.
      currentPath: '/hotline/calls/new',
      values,
      errors,
      callTypes: CALL_TYPES,
      caseCallTypes: CASE_CALL_TYPES,
      media: CALL_MEDIA,
      relations: CALLER_RELATIONS,
      places: intakePlaces(app.db, values),
      categoryGroups: concernCategories(app.db),
      situationFields: MAU01_SITUATION_FIELDS,
      familyFields: MAU01_FAMILY_FIELDS,
      narrativeMax: NARRATIVE_MAX,
    });
  }

  app.get('/hotline/calls/new', { config }, async (request, reply) => {
    const now = vietnamDateTimeInputs(new Date());
    return showForm(request, reply, { call_date: now.date, call_time: now.time, medium: 'phone' });
  });

  app.post('/hotline/calls', { config }, async (request, reply) => {
    // Choosing a province shows its communes; nothing is recorded yet.
    if (asksForCommunes(request.body)) return showForm(request, reply, formValues(request.body));
    const actor = request.requireActor();
    const call = parseCall(request.body, new Date());
    // Only a call about a child asks for Mẫu 01; a silent or hang-up call is recorded in one click.
    const caseCall = call.ok ? isCaseCall(call.data.callType) : isCaseCallValue(call.values.call_type);
    const intake = caseCall
      ? parseIntakeForm(hotlineIntakeSchema, request.body, {
          communeIds: activeCommunes(app.db),
          categoryCodes: categoryCodesOf(concernCategories(app.db)),
          communeRequired: 'intake.commune_required',
        })
      : null;
    if (!call.ok || (intake && !intake.ok)) {
      return showForm(request, reply, call.values, { ...(intake && !intake.ok ? intake.errors : {}), ...(call.ok ? {} : call.errors) });
    }
    const input = intake?.ok
      ? intakeInputFrom(intake.data, {
          channel: 'hotline',
          medium: call.data.medium,
          receivedAt: call.data.receivedAt,
          sourceOrgId: actor.orgId,
          categories: intake.data.categories,
          reporterRelation: call.data.callerRelation,
        })
      : null;
    const recorded = recordCall(app.db, { actor, audit: request.auditContext }, call.data, input);
    if (!recorded) {
      return showForm(request, reply, call.values, { residence_org_id: 'intake.commune_required', incident_org_id: 'intake.commune_required' });
    }
    return reply.redirect(`/hotline/calls/${recorded.callId}`, 303);
  });

  app.get('/hotline/calls', { config }, async (request, reply) => {
    const actor = request.requireActor();
    const rawDate = (request.query as { date?: unknown }).date;
    const date = (typeof rawDate === 'string' && parseDateInput(rawDate)) || vietnamDateTimeInputs(new Date()).date;
    const start = vietnamInstant(date, '00:00') ?? new Date();
    const range = { from: start.toISOString(), to: new Date(start.getTime() + DAY_MS).toISOString() };
    const page = pageParam(request);
    const { rows, total } = listCalls(app.db, actor.orgId, range, PAGE_SIZE, (page - 1) * PAGE_SIZE);
    return reply.page('pages/hotline/calls', {
      title: request.t('hotline.calls_title'),
      rows,
      date,
      total,
      page,
      pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    });
  });

  app.get('/hotline/calls/:id', { config }, async (request, reply) => {
    const call = findCall(app.db, idParam(request));
    // Another hotline's calls are not this operator's business: answer as if they did not exist.
    if (!call || call.hotlineOrgId !== request.requireActor().orgId) throw notFound();
    return reply.page('pages/hotline/call-recorded', {
      title: request.t('hotline.recorded_title'),
      call,
      caseCall: isCaseCall(call.callType),
    });
  });
}
