import { asc, eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseForm, type FieldErrors, type FormValues } from '../web/forms.js';
import { notFound } from '../web/http-error.js';
import { idParam } from '../web/params.js';
import {
  ancestorsOf,
  createOrganisation,
  findOrganisation,
  moveOrganisation,
  renameOrganisation,
  setOrganisationActive,
  type Organisation,
} from './repository.js';
import { asksForOrgs, orgPicker, type OrgPicker } from './org-picker.js';
import { ORG_KINDS, organisations } from './schema.js';

const nameSchema = z.object({ name: z.string().trim().min(2, 'form.required').max(200, 'form.too_long') });
const childSchema = nameSchema.extend({ kind: z.enum(ORG_KINDS, 'form.invalid') });
const moveSchema = z.object({ parent_id: z.coerce.number().int().positive('form.required') });
const activeSchema = z.object({ active: z.enum(['0', '1']) });

/** The organisation, if an administrator may place something there (a user, a role, an API key): active and in their tree. */
export function managedOrg(app: FastifyInstance, request: FastifyRequest, orgId: number): Organisation | null {
  const org = findOrganisation(app.db, orgId);
  return org && org.active && app.orgRelations.isWithin(org.id, request.requireActor().orgId) ? org : null;
}

/**
 * An admin form's organisation field: the administrator's own tree, active organisations only, less
 * `outside`'s subtree when given (an organisation cannot move under itself).
 */
export function managedOrgPicker(
  app: FastifyInstance,
  request: FastifyRequest,
  field: string,
  values: Readonly<Record<string, unknown>>,
  options: { fallback?: number | null; outside?: number } = {},
): OrgPicker {
  const top = request.requireActor().orgId;
  const { outside } = options;
  return orgPicker(app.db, field, values, {
    top,
    fallback: options.fallback ?? null,
    mayChoose: (id) => app.orgRelations.isWithin(id, top) && (outside === undefined || !app.orgRelations.isWithin(id, outside)),
  });
}

export default async function organisationRoutes(app: FastifyInstance): Promise<void> {
  const config = { permission: 'org.manage' } as const;

  function loadAuthorized(request: FastifyRequest, id: number): Organisation {
    const org = findOrganisation(app.db, id);
    if (!org) throw notFound();
    request.authorize('org.manage', { id: org.id, orgId: org.id }, { type: 'organisation', id: org.id });
    return org;
  }

  function showOrganisation(request: FastifyRequest, org: Organisation, status = 200, forms: { values?: FormValues; errors?: FieldErrors; form?: string } = {}) {
    const actor = request.requireActor();
    const breadcrumbs = ancestorsOf(app.db, org.id).filter((item) => app.orgRelations.isWithin(item.id, actor.orgId));
    const children = app.db.select().from(organisations).where(eq(organisations.parentId, org.id)).orderBy(asc(organisations.name)).all();
    const parentPicker = managedOrgPicker(app, request, 'parent_id', forms.form === 'move' ? (forms.values ?? {}) : {}, {
      fallback: org.parentId,
      outside: org.id,
    });
    return { status, data: { title: org.name, org, breadcrumbs, children, parentPicker, kinds: ORG_KINDS, ...forms } };
  }

  app.get('/admin/organisations', { config }, async (request, reply) => {
    return reply.redirect(`/admin/organisations/${request.requireActor().orgId}`, 303);
  });

  app.get('/admin/organisations/:id', { config }, async (request, reply) => {
    const { status, data } = showOrganisation(request, loadAuthorized(request, idParam(request)));
    return reply.code(status).page('pages/admin/organisation', data);
  });

  app.post('/admin/organisations/:id/children', { config }, async (request, reply) => {
    const parent = loadAuthorized(request, idParam(request));
    const form = parseForm(childSchema, request.body);
    if (!form.ok) {
      const { data } = showOrganisation(request, parent, 400, { values: form.values, errors: form.errors, form: 'child' });
      return reply.code(400).page('pages/admin/organisation', data);
    }
    const id = createOrganisation(app.db, request.auditContext, { name: form.data.name, kind: form.data.kind, parentId: parent.id });
    return reply.redirect(`/admin/organisations/${id}`, 303);
  });

  app.post('/admin/organisations/:id/rename', { config }, async (request, reply) => {
    const org = loadAuthorized(request, idParam(request));
    const form = parseForm(nameSchema, request.body);
    if (!form.ok) {
      const { data } = showOrganisation(request, org, 400, { values: form.values, errors: form.errors, form: 'rename' });
      return reply.code(400).page('pages/admin/organisation', data);
    }
    renameOrganisation(app.db, request.auditContext, org.id, form.data.name);
    return reply.redirect(`/admin/organisations/${org.id}`, 303);
  });

  app.post('/admin/organisations/:id/move', { config }, async (request, reply) => {
    const org = loadAuthorized(request, idParam(request));
    const form = parseForm(moveSchema, request.body);
    const again = (status: number, errors: FieldErrors) => {
      const { data } = showOrganisation(request, org, status, { values: form.values, errors, form: 'move' });
      return reply.code(status).page('pages/admin/organisation', data);
    };
    const fail = (errors: FieldErrors) => again(400, errors);
    if (asksForOrgs(request.body)) return again(200, {});
    if (!form.ok) return fail(form.errors);
    const parent = findOrganisation(app.db, form.data.parent_id);
    if (!parent) return fail({ parent_id: 'form.invalid' });
    request.authorize('org.manage', { id: parent.id, orgId: parent.id }, { type: 'organisation', id: parent.id });
    if (moveOrganisation(app.db, request.auditContext, org.id, parent.id)) return fail({ parent_id: 'org.move_into_self' });
    return reply.redirect(`/admin/organisations/${org.id}`, 303);
  });

  app.post('/admin/organisations/:id/active', { config }, async (request, reply) => {
    const org = loadAuthorized(request, idParam(request));
    const form = parseForm(activeSchema, request.body);
    if (!form.ok) return reply.redirect(`/admin/organisations/${org.id}`, 303);
    const actor = request.requireActor();
    // Deactivating one's own top organisation would lock every administrator of it out of the tree.
    if (org.id !== actor.orgId) setOrganisationActive(app.db, request.auditContext, org.id, form.data.active === '1');
    return reply.redirect(`/admin/organisations/${org.id}`, 303);
  });
}

