import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { asksForOrgs } from '../orgs/org-picker.js';
import { managedOrg, managedOrgPicker } from '../orgs/routes.js';
import type { SubjectColumns } from '../permissions/conditions.js';
import { parseForm, type FieldErrors, type FormValues } from '../web/forms.js';
import { notFound } from '../web/http-error.js';
import { idParam } from '../web/params.js';
import { createApiKey, findApiKey, listApiKeys, revokeApiKey } from './keys.js';
import { apiKeys } from './schema.js';

const API_KEY_COLUMNS: SubjectColumns = { id: apiKeys.id, orgId: apiKeys.orgId };

const newKeySchema = z.object({
  name: z.string().trim().min(2, 'form.required').max(100, 'form.too_long'),
  org_id: z.coerce.number().int().positive('form.required'),
});

/** Administrators issue and revoke the keys telephony systems use; each key belongs to an organisation. */
export default async function apiKeyAdminRoutes(app: FastifyInstance): Promise<void> {
  const config = { permission: 'apikey.manage' } as const;

  function listPage(request: FastifyRequest, form: { values?: FormValues; errors?: FieldErrors } = {}) {
    return {
      title: request.t('apikey.title'),
      keys: listApiKeys(app.db, request.scope('apikey.manage', API_KEY_COLUMNS)),
      orgPicker: managedOrgPicker(app, request, 'org_id', form.values ?? {}),
      ...form,
    };
  }

  app.get('/admin/api-keys', { config }, async (request, reply) => {
    return reply.page('pages/admin/api-keys', listPage(request));
  });

  app.post('/admin/api-keys', { config }, async (request, reply) => {
    const form = parseForm(newKeySchema, request.body);
    if (asksForOrgs(request.body)) return reply.page('pages/admin/api-keys', listPage(request, { values: form.values }));
    const org = form.ok ? managedOrg(app, request, form.data.org_id) : null;
    if (!form.ok || !org) {
      const errors: FieldErrors = form.ok ? { org_id: 'form.invalid' } : form.errors;
      return reply.code(400).page('pages/admin/api-keys', listPage(request, { values: form.values, errors }));
    }
    request.authorize('apikey.manage', { orgId: org.id }, { type: 'organisation', id: org.id });
    const created = createApiKey(app.db, request.auditContext, { orgId: org.id, name: form.data.name, createdBy: request.requireActor().userId });
    // This response is the only place the key ever appears; pages are already sent with no-store.
    return reply.page('pages/admin/api-key-created', {
      title: request.t('apikey.created_title'),
      key: created.key,
      name: form.data.name,
      orgName: org.name,
      intakeUrl: `${app.config.publicUrl}/api/v1/intakes`,
    });
  });

  app.post('/admin/api-keys/:id/revoke', { config }, async (request, reply) => {
    const key = findApiKey(app.db, idParam(request));
    if (!key) throw notFound();
    request.authorize('apikey.manage', { id: key.id, orgId: key.orgId }, { type: 'api_key', id: key.id });
    revokeApiKey(app.db, request.auditContext, key.id);
    return reply.redirect('/admin/api-keys', 303);
  });
}
