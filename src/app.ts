import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import view from '@fastify/view';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import accountRoutes from './account/routes.js';
import alerts from './alerts/plugin.js';
import apiRoutes from './api/routes.js';
import csrf from './auth/csrf.js';
import session from './auth/plugin.js';
import authRoutes from './auth/routes.js';
import calendarRoutes from './calendar/routes.js';
import caseRoutes from './cases/routes.js';
import referralRoutes from './casework/referrals/routes.js';
import type { Config } from './config/config.js';
import type { Db } from './db/client.js';
import database from './db/plugin.js';
import flagRoutes from './flags/routes.js';
import healthRoutes from './health/routes.js';
import homeRoutes from './home/routes.js';
import hotlineRoutes from './hotline/routes.js';
import organisationRoutes from './orgs/routes.js';
import permissions from './permissions/plugin.js';
import publicReportRoutes from './public-report/routes.js';
import userRoutes from './users/routes.js';
import errorHandler, { frameworkErrors } from './web/error-handler.js';
import render from './web/render.js';
import search from './search/plugin.js';
import securityHeaders from './web/security-headers.js';
import staticFiles from './web/static-files.js';
import { ViewEngine } from './web/view-engine.js';
import statistics from './statistics/plugin.js';
import taxonomyRoutes from './taxonomy/routes.js';
import triageRoutes from './triage/routes.js';

const VIEWS_DIR = fileURLToPath(new URL('../views', import.meta.url));

export interface AppOptions {
  config: Config;
  db?: Db;
}

/**
 * Builds the whole application without listening, so tests drive it through app.inject().
 * Order matters and each plugin names its dependencies: infrastructure, then identity and
 * permissions, then routes (which the permissions plugin checks as they register).
 */
export async function buildApp({ config, db }: AppOptions): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    logger: { level: config.logLevel },
    // Requests are logged by the onResponse hook below: method, route pattern, status and id, never bodies.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    trustProxy: config.trustProxy,
    bodyLimit: 1_048_576,
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: (error, request, reply) => frameworkErrors(app, error, request, reply),
  });
  app.decorate('config', config);

  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { reqId: request.id, method: request.method, route: request.routeOptions.url ?? '(unmatched)', status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  await app.register(database, { ...(db ? { db } : {}) });
  await app.register(cookie);
  await app.register(formbody);
  await app.register(view, {
    engine: { eta: new ViewEngine({ views: VIEWS_DIR, cache: config.env === 'production', autoEscape: true }) },
    templates: VIEWS_DIR,
    viewExt: 'eta',
    // @fastify/view otherwise decides template caching from process.env.NODE_ENV and overrides Eta's own setting.
    production: config.env === 'production',
  });
  await app.register(securityHeaders);
  await app.register(session);
  await app.register(csrf);
  await app.register(permissions);
  await app.register(render);
  await app.register(errorHandler);

  await app.register(staticFiles);
  await app.register(healthRoutes);
  await app.register(authRoutes);
  await app.register(homeRoutes);
  await app.register(accountRoutes);
  await app.register(organisationRoutes);
  await app.register(userRoutes);
  await app.register(taxonomyRoutes);
  await app.register(calendarRoutes);
  await app.register(hotlineRoutes);
  await app.register(publicReportRoutes);
  await app.register(flagRoutes);
  await app.register(apiRoutes);
  await app.register(triageRoutes);
  await app.register(caseRoutes);
  await app.register(referralRoutes);
  await app.register(search);
  await app.register(alerts);
  await app.register(statistics);
  return app;
}
