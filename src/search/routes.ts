import type { FastifyInstance } from 'fastify';
import { CASE_COLUMNS } from '../cases/repository.js';
import { readableOrganisations } from '../permissions/check.js';
import { pageParam } from '../web/params.js';
import { searchCases } from './index.js';

const PAGE_SIZE = 25;

export default async function searchRoutes(app: FastifyInstance): Promise<void> {
  app.get('/search', { config: { permission: 'case.read' } }, async (request, reply) => {
    const raw = (request.query as Record<string, unknown>).q;
    const q = typeof raw === 'string' ? raw.trim() : '';
    const page = pageParam(request);
    const actor = request.requireActor();
    const found =
      q === '' ? null : await searchCases(app.db, app.reader, q, request.scope('case.read', CASE_COLUMNS), { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE, readable: readableOrganisations('case.read', actor) });
    // The search is audited, but never what was searched for: a child's name typed into the box is
    // personal data, and the audit log is read by more people than the case file.
    if (found) request.auditRead({ action: 'case.search' });
    return reply.page('pages/search/index', {
      title: request.t('search.title'),
      q,
      // Typed but nothing to search for (only punctuation): a hint, not an error.
      noTerms: q !== '' && found === null,
      rows: found?.rows ?? [],
      total: found?.total ?? 0,
      searched: found !== null,
      page,
      pages: Math.max(1, Math.ceil((found?.total ?? 0) / PAGE_SIZE)),
      base: `/search?q=${encodeURIComponent(q)}&`,
    });
  });
}
