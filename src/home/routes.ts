import type { FastifyInstance } from 'fastify';
import { findOrganisation } from '../orgs/repository.js';
import { hasWorklist, loadWorklist } from '../worklists/sections.js';

export default async function homeRoutes(app: FastifyInstance): Promise<void> {
  /** Each role's home page is its worklist (src/worklists); roles without case work get their main links. */
  app.get('/', { config: { permission: 'account.use' } }, async (request, reply) => {
    const actor = request.requireActor();
    const worklist = loadWorklist({
      db: app.db,
      actor,
      scope: (action, columns) => request.scope(action, columns),
      t: request.t,
      query: request.query as Record<string, unknown>,
    });
    // The lists name children: one entry per page view (not per row), like opening the triage queue.
    if (hasWorklist(actor.role)) request.auditRead({ action: 'case.worklist' });
    return reply.page('pages/home', { title: request.t('home.title'), org: findOrganisation(app.db, actor.orgId), worklist });
  });
}
