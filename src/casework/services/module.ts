import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { CaseRow } from '../../cases/repository.js';
import { writeTransaction } from '../../db/client.js';
import { isAllowed } from '../../permissions/check.js';
import { parseForm } from '../../web/forms.js';
import { notFound } from '../../web/http-error.js';
import { idParam } from '../../web/params.js';
import type { CasePageTools, CaseworkModule } from '../module.js';
import { recordCasework, recordFieldChanges } from '../record.js';
import { acceptedReferralOf, serviceOrganisations } from '../referrals/repository.js';
import { services } from '../schema.js';
import { dueDateField, dueStatus, isServing, pastDateField, requiredText, todayInVietnam } from './due.js';
import { findService, SERVICE_KINDS, servicesOf, type ServiceRow } from './repository.js';
import { keptTexts, servableCase, type ShowAgain } from './serve-route.js';

const addSchema = z.object({
  kind: z.enum(SERVICE_KINDS, 'service.kind_choose'),
  description: requiredText,
  provider_org_id: z.union([z.literal(''), z.coerce.number().int().positive()]).optional(),
  due_on: dueDateField,
});
/** Built per request: "not after today" is judged at the time of the request. */
const implementedSchema = () => z.object({ implemented_on: pastDateField() });
const dueSchema = z.object({ due_on: dueDateField });

/** Form ids on the case page (openAction): one to add, one per service to record delivery or move its date. */
const ADD_FORM = 'service';
const implementedForm = (id: number): string => `service-${id}-implemented`;
const dueForm = (id: number): string => `service-${id}-due`;

/** The field-change history names the record: "service:12". */
const entityOf = (service: Pick<ServiceRow, 'id'>): string => `service:${service.id}`;

export const servicesModule: CaseworkModule = {
  id: 'services',
  template: '/pages/cases/sections/services',
  load({ db, row, subject, actor, orgs, state }) {
    const list = servicesOf(db, row.id);
    const canServe = isServing(row) && isAllowed('case.serve', actor, subject, orgs);
    const kept = keptTexts(state, (formId) => formId === ADD_FORM, canServe, [{ name: 'description', label: 'service.description' }]);
    if (list.length === 0 && !canServe && kept.length === 0) return null;
    const today = todayInVietnam();
    const providers = canServe ? serviceOrganisations(db, row.orgId) : [];
    return {
      services: list.map((service) => ({
        ...service,
        due: dueStatus(service.dueOn, service.implementedOn, today),
        implementedForm: implementedForm(service.id),
        dueForm: dueForm(service.id),
      })),
      canServe,
      addForm: ADD_FORM,
      kinds: SERVICE_KINDS.map((kind) => ({ value: kind, label: `serviceKind.${kind}` })),
      providers: providers.map((org) => ({ value: org.id, label: org.name })),
      // A social worker records the services of their own centre.
      defaultProvider: providers.some((org) => org.id === actor.orgId) ? actor.orgId : null,
      today,
      kept,
    };
  },
  routes(app, tools) {
    const config = { config: { permission: 'case.serve' } } as const;

    app.post('/cases/:id/services', config, async (request, reply) => {
      const { row, again } = servableCase(app, tools, request, reply, ADD_FORM);
      if (!isServing(row)) return again(409, { message: 'case.not_allowed_now' });
      const form = parseForm(addSchema, request.body);
      if (!form.ok) return again(400, { errors: form.errors });
      const providerId = typeof form.data.provider_org_id === 'number' ? form.data.provider_org_id : null;
      if (providerId !== null && !serviceOrganisations(app.db, row.orgId).some((org) => org.id === providerId)) {
        return again(400, { errors: { provider_org_id: 'caseAction.target_invalid' } });
      }
      const actor = request.requireActor();
      const writer = { actor, audit: request.auditContext };
      writeTransaction(app.db, (tx) => {
        const { id } = tx
          .insert(services)
          .values({
            caseId: row.id,
            // Services a receiving organisation records are part of the referral it accepted.
            referralId: acceptedReferralOf(tx, row.id, actor.orgId),
            providerOrgId: providerId,
            kind: form.data.kind,
            description: form.data.description,
            dueOn: form.data.due_on,
            createdBy: actor.userId,
          })
          .returning({ id: services.id })
          .get();
        recordCasework(tx, writer, row.id, { kind: 'service_added', detail: { serviceId: id, kind: form.data.kind, dueOn: form.data.due_on, note: form.data.description } }, 'service.add');
      });
      return tools.afterChange(request, reply, row.id, 'service.added', ADD_FORM);
    });

    app.post('/cases/:id/services/:sid/implemented', config, async (request, reply) => {
      const { row, service, again } = servableService(app, tools, request, reply, implementedForm);
      if (!isServing(row)) return again(409, { message: 'case.not_allowed_now' });
      if (service.implementedOn !== null) return again(409, { message: 'service.already_done' });
      const form = parseForm(implementedSchema(), request.body);
      if (!form.ok) return again(400, { errors: form.errors });
      const implementedOn = form.data.implemented_on;
      const writer = { actor: request.requireActor(), audit: request.auditContext };
      writeTransaction(app.db, (tx) => {
        tx.update(services).set({ implementedOn }).where(eq(services.id, service.id)).run();
        recordFieldChanges(tx, row.id, writer.actor.userId, entityOf(service), { implementedOn: null }, { implementedOn });
        recordCasework(tx, writer, row.id, { kind: 'service_implemented', detail: { serviceId: service.id, kind: service.kind, implementedOn, note: service.description } }, 'service.implemented');
      });
      return tools.afterChange(request, reply, row.id, 'service.implemented', implementedForm(service.id));
    });

    app.post('/cases/:id/services/:sid/due', config, async (request, reply) => {
      const { row, service, again } = servableService(app, tools, request, reply, dueForm);
      if (!isServing(row)) return again(409, { message: 'case.not_allowed_now' });
      if (service.implementedOn !== null) return again(409, { message: 'service.already_done' });
      const form = parseForm(dueSchema, request.body);
      if (!form.ok) return again(400, { errors: form.errors });
      const dueOn = form.data.due_on;
      if (dueOn !== service.dueOn) {
        const writer = { actor: request.requireActor(), audit: request.auditContext };
        writeTransaction(app.db, (tx) => {
          tx.update(services).set({ dueOn }).where(eq(services.id, service.id)).run();
          recordFieldChanges(tx, row.id, writer.actor.userId, entityOf(service), { dueOn: service.dueOn }, { dueOn });
          recordCasework(tx, writer, row.id, { kind: 'service_rescheduled', detail: { serviceId: service.id, from: service.dueOn, dueOn, note: service.description } }, 'service.reschedule');
        });
      }
      return tools.afterChange(request, reply, row.id, 'service.rescheduled', dueForm(service.id));
    });
  },
  timelineKinds: {
    service_added: 'caseTimeline.kind_service_added',
    service_implemented: 'caseTimeline.kind_service_implemented',
    service_rescheduled: 'caseTimeline.kind_service_rescheduled',
  },
};

/** A service of the case, with the case as servableCase gives it. */
function servableService(
  app: FastifyInstance,
  tools: CasePageTools,
  request: FastifyRequest,
  reply: FastifyReply,
  formOf: (id: number) => string,
): { row: CaseRow; service: ServiceRow; again: ShowAgain } {
  const serviceId = idParam(request, 'sid');
  const { row, again } = servableCase(app, tools, request, reply, formOf(serviceId));
  const service = findService(app.db, row.id, serviceId);
  if (!service) throw notFound();
  return { row, service, again };
}

