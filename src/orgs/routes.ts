import { and, asc, eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SubjectColumns } from '../permissions/conditions.js';
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
import { ORG_KINDS, organisations } from './schema.js';

const ORG_COLUMNS: SubjectColumns = { id: organisations.id, orgId: organisations.id };

const nameSchema = z.object({ name: z.string().trim().min(2, 'form.required').max(200, 'form.too_long') });
const childSchema = nameSchema.extend({ kind: z.enum(ORG_KINDS, 'form.invalid') });
const moveSchema = z.object({ parent_id: z.coerce.number().int().positive('form.required') });
const activeSchema = z.object({ active: z.enum(['0', '1']) });

/** Organisations an administrator may pick, e.g. as a new parent or a user's home organisation. */
export function organisationsInScope(request: FastifyRequest, db: FastifyInstance['db']): Pick<Organisation, 'id' | 'name' | 'kind'>[] {
  return db
    .select({ id: organisations.id, name: organisations.name, kind: organisations.kind })
    .from(organisations)
    .where(and(request.scope('org.manage', ORG_COLUMNS), eq(organisations.active, true)))
    .orderBy(asc(organisations.name))
    .all();
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
    const parents = organisationsInScope(request, app.db).filter((candidate) => !app.orgRelations.isWithin(candidate.id, org.id));
    return { status, data: { title: org.name, org, breadcrumbs, children, parents, kinds: ORG_KINDS, ...forms } };
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
    const fail = (errors: FieldErrors) => {
      const { data } = showOrganisation(request, org, 400, { values: form.values, errors, form: 'move' });
      return reply.code(400).page('pages/admin/organisation', data);
    };
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

