import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { PeriodicJob } from '../runtime/periodic-job.js';
import { createSearchIndexMerger } from './index-merging.js';
import searchRoutes from './routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Keeps the search index merged; `searchIndex.tick()` merges now. */
    searchIndex: PeriodicJob<number>;
  }
}

/** New and changed cases leave their segments for at most this long. */
const MERGE_INTERVAL_MS = 10_000;

/** Case search: the page, and the merging that keeps its index fast as cases change. */
async function searchPlugin(app: FastifyInstance): Promise<void> {
  const merger = createSearchIndexMerger({ db: app.db, log: app.log.child({ component: 'search' }), intervalMs: MERGE_INTERVAL_MS });
  app.decorate('searchIndex', merger);
  app.addHook('onReady', async () => merger.start());
  app.addHook('onClose', async () => merger.stop());
  await app.register(searchRoutes);
}

export default fp(searchPlugin, { name: 'search', dependencies: ['database', 'permissions', 'render'] });
