import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordAudit, type AuditContext } from '../audit/log.js';
import { TokenBucket } from '../auth/throttle.js';
import { writeTransaction } from '../db/client.js';
import type { MessageKey } from '../i18n/vi.js';
import { activeCommunes, asksForCommunes, intakePlaces } from '../intake/commune-picker.js';
import { intakeInputFrom, mau01Schema, NARRATIVE_MAX, parseIntakeForm } from '../intake/form.js';
import { createIntake } from '../intake/service.js';
import { formValues, parseForm, type FieldErrors, type FormValues } from '../web/forms.js';
import { PUBLIC } from '../web/types.js';
import { hashOfTypedReceipt, newReceipt } from './receipt.js';
import { addPublicUpdate, findReportedCase, type CoarseStatus } from './service.js';

/** What a citizen is asked: what happened, where, whether the child is in danger, and who they are only if they wish. */
const publicReportSchema = mau01Schema.pick({
  description: true,
  child_name: true,
  child_estimated_age: true,
  incident_org_id: true,
  residence_org_id: true,
  incident_place: true,
  immediate_danger: true,
  reporter_consented: true,
  reporter_name: true,
  reporter_phone: true,
  reporter_address: true,
});

const addInformationSchema = z.object({
  text: z.string('form.required').trim().min(1, 'form.required').max(NARRATIVE_MAX, 'form.too_long'),
});

/**
 * An anonymous reporter's address is not kept next to the case they reported: their audit entries
 * are written without the IP, which only the in-memory rate limits see.
 */
function reporterAudit(request: FastifyRequest): AuditContext {
  return { ...request.auditContext, ip: null };
}

function typedCode(body: unknown): string {
  const code = (body as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code.slice(0, 64) : '';
}

export default async function publicReportRoutes(app: FastifyInstance): Promise<void> {
  const config = { permission: PUBLIC } as const;
  // Per IP: 5 reports, then one more every 12 minutes (5 an hour); 10 receipt look-ups, then one every
  // 6 minutes, which makes guessing a 60-bit code hopeless.
  const reportBucket = new TokenBucket(5, 12 * 60_000);
  const lookupBucket = new TokenBucket(10, 6 * 60_000);

  function showReportForm(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    values: FormValues,
    errors: FieldErrors = {},
    formError: MessageKey | null = null,
  ): Promise<FastifyReply> {
    return reply.code(status).page('pages/report/new', {
      title: request.t('report.title'),
      currentPath: '/report',
      values,
      errors,
      formError,
      places: intakePlaces(app.db, values),
      narrativeMax: NARRATIVE_MAX,
    });
  }

  function showStatusPage(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    data: { code?: string; reportStatus?: CoarseStatus; values?: FormValues; errors?: FieldErrors; formError?: MessageKey },
  ): Promise<FastifyReply> {
    return reply.code(status).page('pages/report/status', {
      title: request.t('report.status_title'),
      // Pages answering a POST: switching language comes back to a page that exists for GET.
      currentPath: '/report/status',
      code: data.code ?? '',
      reportStatus: data.reportStatus ?? null,
      values: data.values ?? {},
      errors: data.errors ?? {},
      formError: data.formError ?? null,
      narrativeMax: NARRATIVE_MAX,
    });
  }

  /** The case behind a typed receipt code, counting every try against the IP's look-up budget. */
  function lookUp(request: FastifyRequest, code: string): { caseId: number; status: CoarseStatus } | 'throttled' | null {
    if (!lookupBucket.consume(request.ip)) {
      recordAudit(app.db, request.auditContext, { action: 'report.status_throttled', outcome: 'refused' });
      return 'throttled';
    }
    const hash = hashOfTypedReceipt(code);
    const found = hash ? findReportedCase(app.db, hash) : null;
    if (!found) recordAudit(app.db, request.auditContext, { action: 'report.status_lookup', outcome: 'refused' });
    return found;
  }

  app.get('/report', { config }, async (request, reply) => showReportForm(request, reply, 200, {}));

  app.post('/report', { config }, async (request, reply) => {
    // Choosing a province shows its communes; nothing is sent yet.
    if (asksForCommunes(request.body)) return showReportForm(request, reply, 200, formValues(request.body));
    const form = parseIntakeForm(publicReportSchema, request.body, {
      communeIds: activeCommunes(app.db),
      communeRequired: 'report.commune_required',
    });
    if (!form.ok) return showReportForm(request, reply, 400, form.values, form.errors);
    if (!reportBucket.consume(request.ip)) {
      recordAudit(app.db, request.auditContext, { action: 'report.throttled', outcome: 'refused' });
      return showReportForm(request, reply, 429, form.values, {}, 'report.throttled');
    }
    const receipt = newReceipt();
    const input = intakeInputFrom(form.data, {
      channel: 'public',
      medium: 'online',
      receivedAt: new Date().toISOString(),
      sourceOrgId: null,
      receiptHash: receipt.hash,
    });
    const opened = writeTransaction(app.db, (tx) => createIntake(tx, { actor: null, audit: reporterAudit(request), recordedBy: null }, input));
    // The communes were checked a moment ago; one deactivated since then is the only way to get here.
    if (!opened) return showReportForm(request, reply, 400, form.values, { incident_org_id: 'report.commune_required', residence_org_id: 'report.commune_required' });
    return reply.page('pages/report/received', { title: request.t('report.received_title'), currentPath: '/report', code: receipt.code });
  });

  app.get('/report/status', { config }, async (request, reply) => showStatusPage(request, reply, 200, {}));

  app.post('/report/status', { config }, async (request, reply) => {
    const code = typedCode(request.body);
    const found = lookUp(request, code);
    if (found === 'throttled') return showStatusPage(request, reply, 429, { code, formError: 'report.status_throttled' });
    if (!found) return showStatusPage(request, reply, 404, { code, formError: 'report.status_not_found' });
    recordAudit(app.db, reporterAudit(request), { action: 'case.public_status', entityType: 'case', entityId: found.caseId });
    return showStatusPage(request, reply, 200, { code, reportStatus: found.status });
  });

  app.post('/report/status/add', { config }, async (request, reply) => {
    const code = typedCode(request.body);
    const found = lookUp(request, code);
    if (found === 'throttled') return showStatusPage(request, reply, 429, { code, formError: 'report.status_throttled' });
    if (!found) return showStatusPage(request, reply, 404, { code, formError: 'report.status_not_found' });
    const form = parseForm(addInformationSchema, request.body);
    if (!form.ok) return showStatusPage(request, reply, 400, { code, reportStatus: found.status, values: form.values, errors: form.errors });
    addPublicUpdate(app.db, reporterAudit(request), found.caseId, form.data.text);
    return reply.page('pages/report/added', { title: request.t('report.added_title'), currentPath: '/report/status' });
  });
}
