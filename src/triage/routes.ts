import type { FastifyInstance } from 'fastify';
import { CASE_COLUMNS } from '../cases/repository.js';
import { applyCaseEvent } from '../cases/service.js';
import { HttpError, notFound } from '../web/http-error.js';
import { idParam, pageParam } from '../web/params.js';
import { categoryNamesByCase } from './case-facts.js';
import { countdownTo } from './countdown.js';
import { listTriageQueue } from './queue.js';

const PAGE_SIZE = 50;
/** The id of the queue's table region: htmx polls it and asks for it alone (HX-Target). */
const TRIAGE_TABLE_ID = 'triage-table';

export default async function triageRoutes(app: FastifyInstance): Promise<void> {
  const config = { permission: 'case.triage' } as const;

  app.get('/triage', { config }, async (request, reply) => {
    const page = pageParam(request);
    const now = new Date();
    const { rows, total } = listTriageQueue(app.db, request.scope('case.triage', CASE_COLUMNS), PAGE_SIZE, (page - 1) * PAGE_SIZE);
    const categories = categoryNamesByCase(app.db, rows.map((row) => row.id), request.locale);
    const tableOnly = request.headers['hx-request'] === 'true' && request.headers['hx-target'] === TRIAGE_TABLE_ID;
    // The list names children, so opening it is audited; the 30-second refreshes of an open list
    // are not, or one open tab would write thousands of entries a day.
    if (!tableOnly) request.auditRead({ action: 'case.triage_list' });
    return reply.page('pages/triage/index', {
      title: request.t('triage.title'),
      tableId: TRIAGE_TABLE_ID,
      tableOnly,
      rows: rows.map((row) => ({ ...row, categories: categories.get(row.id) ?? [], countdown: countdownTo(request.t, row.nextDueAt, now) })),
      total,
      page,
      pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    });
  });

  app.post('/cases/:id/take', { config }, async (request, reply) => {
    const caseId = idParam(request);
    const raw = (request.body as Record<string, unknown> | null)?.row_version;
    const expectedVersion = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : undefined;
    const result = applyCaseEvent(
      app.db,
      app.orgRelations,
      { actor: request.requireActor(), audit: request.auditContext },
      caseId,
      { type: 'TAKE' },
      { ...(expectedVersion !== undefined ? { expectedVersion } : {}) },
    );
    if (result.ok) return reply.redirect(`/cases/${caseId}?done=TAKE`, 303);
    switch (result.reason) {
      case 'not_found':
        throw notFound();
      case 'forbidden':
        throw new HttpError(403, 'error.forbidden');
      case 'not_allowed_now':
      case 'conflict':
      case 'invalid_target':
        // Someone else took it (or acted on it) first: the queue has moved on.
        throw new HttpError(409, 'triage.already_taken');
    }
  });
}
