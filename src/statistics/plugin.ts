import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createStatisticsRefresher, type RefreshResult } from './refresh.js';
import statisticsRoutes from './routes.js';
import { createStatisticsService } from './service.js';

export interface Statistics {
  /** Brings the counts up to date and recomputes the tables viewed recently; tests call it instead of waiting. */
  tick(): Promise<RefreshResult>;
}

declare module 'fastify' {
  interface FastifyInstance {
    statistics: Statistics;
  }
}

/** New and changed cases count within a minute: the refresher runs this often, and at start-up. */
const REFRESH_INTERVAL_MS = 15_000;

/**
 * Anonymised statistics (issue 5): the pages and exports, the refresher that keeps the monthly
 * counts in step with the case records, and the worker that suppresses the tables.
 */
async function statisticsPlugin(app: FastifyInstance): Promise<void> {
  const log = app.log.child({ component: 'statistics' });
  const service = createStatisticsService({ db: app.db, threshold: app.config.statistics.threshold, log });
  const refresher = createStatisticsRefresher({ db: app.db, log, intervalMs: REFRESH_INTERVAL_MS, afterChange: () => service.warm() });
  app.decorate('statistics', { tick: () => refresher.tick() });
  app.addHook('onReady', async () => refresher.start());
  app.addHook('onClose', async () => {
    await refresher.stop();
    await service.close();
  });
  await app.register(statisticsRoutes, { service });
}

export default fp(statisticsPlugin, { name: 'statistics', dependencies: ['database', 'permissions', 'render'] });
