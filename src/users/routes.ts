import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { hashPassword } from '../auth/password.js';
import { newPasswordFields, refinePassword, usernameSchema } from '../auth/routes.js';
import { asksForOrgs } from '../orgs/org-picker.js';
import { managedOrg, managedOrgPicker } from '../orgs/routes.js';
import { findOrganisation } from '../orgs/repository.js';
import { isAllowed } from '../permissions/check.js';
import { ROLES } from '../permissions/roles.js';
import { parseForm, type FieldErrors, type FormValues } from '../web/forms.js';
import { notFound } from '../web/http-error.js';
import { idParam, pageParam } from '../web/params.js';
import {
  activeAssignments,
  addAssignment,
  createUser,
  endAssignment,
  endUserSessions,
  findUser,
  findUserByUsername,
  listUsers,
  setPassword,
  setUserDisabled,
  type User,
} from './repository.js';

const PAGE_SIZE = 50;

const assignmentSchema = z.object({
  role: z.enum(ROLES, 'form.invalid'),
  org_id: z.coerce.number().int().positive('form.required'),
});

const newUserSchema = z
  .object({
    username: usernameSchema,
    display_name: z.string().trim().min(2, 'form.required').max(120, 'form.too_long'),
    email: z.union([z.literal(''), z.email('form.invalid_email').max(254, 'form.too_long')]).optional(),
    home_org_id: z.coerce.number().int().positive('form.required'),
    ...assignmentSchema.shape,
    ...newPasswordFields,
  })
  .superRefine(refinePassword);

const passwordSchema = z.object({ ...newPasswordFields, username: z.string() }).superRefine(refinePassword);

export default async function userRoutes(app: FastifyInstance): Promise<void> {
  const config = { permission: 'user.manage' } as const;

  function loadAuthorized(request: FastifyRequest): User {
    const user = findUser(app.db, idParam(request));
    if (!user) throw notFound();
    request.authorize('user.manage', { id: user.id, orgId: user.homeOrgId }, { type: 'user', id: user.id });
    return user;
  }

  function userPage(request: FastifyRequest, user: User, forms: { values?: FormValues; errors?: FieldErrors; form?: string } = {}) {
    return {
      title: user.displayName,
      account: user,
      homeOrg: findOrganisation(app.db, user.homeOrgId),
      assignments: activeAssignments(app.db, user.id),
      // An administrator's own page offers no new role: nobody grants rights to themselves.
      mayGrantRoles: isAllowed('user.grant_roles', request.requireActor(), { id: user.id, orgId: user.homeOrgId }, app.orgRelations),
      mayResetPassword: isAllowed('user.reset_password', request.requireActor(), { id: user.id, orgId: user.homeOrgId }, app.orgRelations),
      rolePicker: managedOrgPicker(app, request, 'org_id', forms.form === 'assignment' ? (forms.values ?? {}) : {}),
      roles: ROLES,
      ...forms,
    };
  }

  /** The new-user form, as typed: an administrator may only place people in organisations they manage. */
  function newUserPage(request: FastifyRequest, values: FormValues, errors: FieldErrors = {}) {
    return {
      title: request.t('users.new'),
      homePicker: managedOrgPicker(app, request, 'home_org_id', values, { fallback: request.requireActor().orgId }),
      rolePicker: managedOrgPicker(app, request, 'org_id', values),
      roles: ROLES,
      values,
      errors,
    };
  }

  app.get('/admin/users', { config }, async (request, reply) => {
    const page = pageParam(request);
    const q = String((request.query as { q?: unknown }).q ?? '').trim().slice(0, 100);
    const scope = request.scope('user.manage', { id: sql`u.id`, orgId: sql`u.home_org_id` });
    const filter = q ? sql`${scope} AND (u.username LIKE ${`%${q}%`} OR u.display_name LIKE ${`%${q}%`})` : scope;
    const { rows, total } = listUsers(app.db, filter, PAGE_SIZE, (page - 1) * PAGE_SIZE);
    return reply.page('pages/admin/users', {
      title: request.t('users.title'),
      rows,
      q,
      page,
      pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
      total,
    });
  });

  app.get('/admin/users/new', { config }, async (request, reply) => {
    return reply.page('pages/admin/user-new', newUserPage(request, {}));
  });

  app.post('/admin/users', { config }, async (request, reply) => {
    const form = parseForm(newUserSchema, request.body);
    if (asksForOrgs(request.body)) return reply.page('pages/admin/user-new', newUserPage(request, form.values));
    const fail = (errors: FieldErrors) => reply.code(400).page('pages/admin/user-new', newUserPage(request, form.values, errors));
    if (!form.ok) return fail(form.errors);
    const { data } = form;
    if (!managedOrg(app, request, data.home_org_id)) return fail({ home_org_id: 'form.invalid' });
    if (!managedOrg(app, request, data.org_id)) return fail({ org_id: 'form.invalid' });
    if (findUserByUsername(app.db, data.username)) return fail({ username: 'user.username_taken' });
    const id = createUser(app.db, request.auditContext, {
      username: data.username,
      displayName: data.display_name,
      email: data.email || null,
      homeOrgId: data.home_org_id,
      passwordHash: await hashPassword(data.password),
      assignments: [{ role: data.role, orgId: data.org_id }],
    });
    return reply.redirect(`/admin/users/${id}`, 303);
  });

  app.get('/admin/users/:id', { config }, async (request, reply) => {
    return reply.page('pages/admin/user', userPage(request, loadAuthorized(request)));
  });

  app.post('/admin/users/:id/assignments', { config }, async (request, reply) => {
    const user = loadAuthorized(request);
    request.authorize('user.grant_roles', { id: user.id, orgId: user.homeOrgId }, { type: 'user', id: user.id });
    const form = parseForm(assignmentSchema, request.body);
    if (asksForOrgs(request.body)) return reply.page('pages/admin/user', userPage(request, user, { values: form.values, form: 'assignment' }));
    const errors = !form.ok ? form.errors : managedOrg(app, request, form.data.org_id) ? null : { org_id: 'form.invalid' as const };
    if (!form.ok || errors) {
      return reply.code(400).page('pages/admin/user', userPage(request, user, { values: form.values, errors: errors ?? {}, form: 'assignment' }));
    }
    addAssignment(app.db, request.auditContext, user.id, form.data.role, form.data.org_id);
    return reply.redirect(`/admin/users/${user.id}`, 303);
  });

  app.post('/admin/users/:id/assignments/:assignmentId/end', { config }, async (request, reply) => {
    const user = loadAuthorized(request);
    endAssignment(app.db, request.auditContext, user.id, idParam(request, 'assignmentId'));
    return reply.redirect(`/admin/users/${user.id}`, 303);
  });

  app.post('/admin/users/:id/disable', { config }, async (request, reply) => {
    const user = loadAuthorized(request);
    if (user.id !== request.requireActor().userId) setUserDisabled(app.db, request.auditContext, user.id, true);
    return reply.redirect(`/admin/users/${user.id}`, 303);
  });

  app.post('/admin/users/:id/enable', { config }, async (request, reply) => {
    const user = loadAuthorized(request);
    setUserDisabled(app.db, request.auditContext, user.id, false);
    return reply.redirect(`/admin/users/${user.id}`, 303);
  });

  app.post('/admin/users/:id/sessions/end', { config }, async (request, reply) => {
    const user = loadAuthorized(request);
    endUserSessions(app.db, request.auditContext, user.id);
    return reply.redirect(`/admin/users/${user.id}`, 303);
  });

  app.post('/admin/users/:id/password', { config }, async (request, reply) => {
    const user = loadAuthorized(request);
    request.authorize('user.reset_password', { id: user.id, orgId: user.homeOrgId }, { type: 'user', id: user.id });
    const form = parseForm(passwordSchema, { ...(request.body as object), username: user.username });
    if (!form.ok) {
      return reply.code(400).page('pages/admin/user', userPage(request, user, { errors: form.errors, form: 'password' }));
    }
    setPassword(app.db, request.auditContext, user.id, await hashPassword(form.data.password), 'user.password_reset');
    return reply.redirect(`/admin/users/${user.id}`, 303);
  });
}
