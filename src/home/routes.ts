import type { FastifyInstance } from 'fastify';
import { findOrganisation } from '../orgs/repository.js';

export default async function homeRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', { config: { permission: 'account.use' } }, async (request, reply) => {
    const actor = request.requireActor();
    return reply.page('pages/home', { title: request.t('home.title'), org: findOrganisation(app.db, actor.orgId) });
  });
}
