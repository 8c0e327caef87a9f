import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseForm, type FieldErrors, type FormValues } from '../web/forms.js';
import { notFound } from '../web/http-error.js';
import {
  TAXONOMY_CODE_MAX_LENGTH,
  TAXONOMY_CODE_PATTERN,
  createTaxonomyCode,
  findTaxonomyCode,
  fullTaxonomy,
  localisedName,
  setTaxonomyCodeActive,
  updateTaxonomyCode,
  type CreateRefusal,
  type TaxonomyCode,
} from './repository.js';
import { TAXONOMY_GROUPS } from './schema.js';

const NAME_MAX_LENGTH = 500;

const nameField = z.string().trim().min(1, 'form.required').max(NAME_MAX_LENGTH, 'form.too_long');
const namesSchema = z.object({
  name_vi: nameField,
  name_en: nameField,
  // An unticked checkbox sends nothing.
  sensitive: z.literal('1', 'form.invalid').optional(),
});
const codeField = z
  .string()
  .trim()
  .min(1, 'form.required')
  .max(TAXONOMY_CODE_MAX_LENGTH, 'form.too_long')
  .regex(TAXONOMY_CODE_PATTERN, 'taxonomy.code_invalid');
const groupSchema = namesSchema.extend({ code: codeField, group_kind: z.enum(TAXONOMY_GROUPS, 'form.required') });
const subCodeSchema = namesSchema.extend({ code: codeField });
const activeSchema = z.object({ active: z.enum(['0', '1']) });

const REFUSAL_ERRORS: Record<CreateRefusal, FieldErrors> = {
  code_taken: { code: 'taxonomy.code_taken' },
  parent_invalid: { code: 'form.invalid' },
};

interface FormState {
  values?: FormValues;
  errors?: FieldErrors;
  form?: string;
}

export default async function taxonomyRoutes(app: FastifyInstance): Promise<void> {
  const config = { permission: 'settings.manage' } as const;

  function loadCode(request: FastifyRequest): TaxonomyCode {
    const raw = (request.params as { code?: string }).code ?? '';
    const found = TAXONOMY_CODE_PATTERN.test(raw) ? findTaxonomyCode(app.db, raw) : null;
    if (!found) throw notFound();
    return found;
  }

  function listPage(request: FastifyRequest, reply: FastifyReply, status = 200, forms: FormState = {}) {
    return reply.code(status).page('pages/admin/taxonomy', {
      title: request.t('taxonomy.title'),
      groupKinds: TAXONOMY_GROUPS,
      groups: fullTaxonomy(app.db),
      ...forms,
    });
  }

  function codePage(request: FastifyRequest, reply: FastifyReply, code: TaxonomyCode, status = 200, forms: FormState = {}) {
    const group = code.parentCode === null ? fullTaxonomy(app.db).find((item) => item.code === code.code) : null;
    const parent = code.parentCode === null ? null : findTaxonomyCode(app.db, code.parentCode);
    return reply.code(status).page('pages/admin/taxonomy-code', {
      title: request.t('taxonomy.edit_title', { code: code.code }),
      code,
      name: localisedName(code, request.locale),
      parent: parent && { code: parent.code, name: localisedName(parent, request.locale) },
      children: group?.children ?? [],
      ...forms,
    });
  }

  app.get('/admin/taxonomy', { config }, async (request, reply) => listPage(request, reply));

  app.post('/admin/taxonomy', { config }, async (request, reply) => {
    const form = parseForm(groupSchema, request.body);
    const fail = (errors: FieldErrors) => listPage(request, reply, 400, { values: form.values, errors, form: 'group' });
    if (!form.ok) return fail(form.errors);
    const { data } = form;
    const refusal = createTaxonomyCode(app.db, request.auditContext, {
      code: data.code,
      parentCode: null,
      groupKind: data.group_kind,
      nameVi: data.name_vi,
      nameEn: data.name_en,
      sensitive: data.sensitive === '1',
    });
    if (refusal) return fail(REFUSAL_ERRORS[refusal]);
    return reply.redirect(`/admin/taxonomy/${data.code}`, 303);
  });

  app.get('/admin/taxonomy/:code', { config }, async (request, reply) => codePage(request, reply, loadCode(request)));

  app.post('/admin/taxonomy/:code', { config }, async (request, reply) => {
    const code = loadCode(request);
    const form = parseForm(namesSchema, request.body);
    if (!form.ok) return codePage(request, reply, code, 400, { values: form.values, errors: form.errors, form: 'edit' });
    updateTaxonomyCode(app.db, request.auditContext, code.code, {
      nameVi: form.data.name_vi,
      nameEn: form.data.name_en,
      sensitive: form.data.sensitive === '1',
    });
    return reply.redirect(`/admin/taxonomy/${code.code}`, 303);
  });

  app.post('/admin/taxonomy/:code/children', { config }, async (request, reply) => {
    const parent = loadCode(request);
    if (parent.parentCode !== null) throw notFound();
    const form = parseForm(subCodeSchema, request.body);
    const fail = (errors: FieldErrors) => codePage(request, reply, parent, 400, { values: form.values, errors, form: 'child' });
    if (!form.ok) return fail(form.errors);
    const { data } = form;
    const refusal = createTaxonomyCode(app.db, request.auditContext, {
      code: data.code,
      parentCode: parent.code,
      groupKind: parent.groupKind,
      nameVi: data.name_vi,
      nameEn: data.name_en,
      sensitive: data.sensitive === '1',
    });
    if (refusal) return fail(REFUSAL_ERRORS[refusal]);
    return reply.redirect(`/admin/taxonomy/${parent.code}`, 303);
  });

  app.post('/admin/taxonomy/:code/active', { config }, async (request, reply) => {
    const code = loadCode(request);
    const form = parseForm(activeSchema, request.body);
    const active = form.ok && form.data.active === '1';
    if (form.ok && active !== code.active) setTaxonomyCodeActive(app.db, request.auditContext, code.code, active);
    return reply.redirect(`/admin/taxonomy/${code.code}`, 303);
  });
}
