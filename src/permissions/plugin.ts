import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { recordAudit } from '../audit/log.js';
import { createOrgRelations } from '../orgs/repository.js';
import { HttpError } from '../web/http-error.js';
import { PUBLIC, type DeclaredRoute, type RoutePermission } from '../web/types.js';
import { isAllowed, roleMayEver, scopeCondition } from './check.js';
import { isAction, isApiKeyAction, validatePermissions } from './rules.js';

export class MissingPermissionError extends Error {}

function declaredPermission(config: unknown): RoutePermission | undefined {
  const permission = (config as { permission?: unknown } | undefined)?.permission;
  return permission === PUBLIC || isAction(permission) ? permission : undefined;
}

function isPageRequest(request: FastifyRequest): boolean {
  return !request.url.startsWith('/api/') && request.headers['hx-request'] !== 'true';
}

function redirectToLogin(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
  if (request.headers['hx-request'] === 'true') return reply.header('hx-redirect', `/login${next}`).code(401).send();
  return reply.redirect(`/login${next}`, 303);
}

/**
 * Deny by default: a route that declares no permission cannot be registered, and a request reaches its
 * handler only when the active role could be allowed the declared action. Records are checked by the
 * handler with request.authorize(), lists with request.scope(), both from the same rules.
 */
async function permissionsPlugin(app: FastifyInstance): Promise<void> {
  validatePermissions();
  app.decorate('orgRelations', createOrgRelations(app.db));
  const declaredRoutes: DeclaredRoute[] = [];
  app.decorate('declaredRoutes', declaredRoutes);

  app.addHook('onRoute', (route) => {
    const permission = declaredPermission(route.config);
    if (!permission) {
      throw new MissingPermissionError(`Route ${String(route.method)} ${route.url} declares no permission (config.permission)`);
    }
    // A key permission on a session route, or a key route open to sessions, would let the wrong caller in.
    if ((route.config?.auth === 'api_key') !== (permission !== PUBLIC && isApiKeyAction(permission))) {
      throw new MissingPermissionError(`Route ${String(route.method)} ${route.url}: config.auth 'api_key' goes with an API-key permission, and only with one`);
    }
    for (const method of [route.method].flat()) {
      declaredRoutes.push({
        method,
        url: route.url,
        permission,
        auth: route.config?.auth === 'api_key' ? 'api_key' : 'session',
        csrf: route.config?.csrf ?? true,
      });
    }
  });

  function refuse(request: FastifyRequest, action: string, entity?: { type: string; id: string | number }): never {
    recordAudit(app.db, request.auditContext, {
      action,
      outcome: 'refused',
      ...(entity ? { entityType: entity.type, entityId: entity.id } : {}),
    });
    throw new HttpError(403, 'error.forbidden');
  }

  app.decorateRequest('authorize', function authorize(this: FastifyRequest, action, record, entity) {
    const actor = this.actor;
    if (!actor || !isAllowed(action, actor, record, app.orgRelations)) refuse(this, action, entity);
  });
  app.decorateRequest('scope', function scope(this: FastifyRequest, action, columns) {
    return scopeCondition(action, this.requireActor(), columns);
  });
  app.decorateRequest('requireActor', function requireActor(this: FastifyRequest) {
    if (!this.actor) throw new HttpError(403, 'error.forbidden');
    return this.actor;
  });

  // API-key routes: src/api/plugin.ts resolved the key in onRequest. Refusing here, before the body is
  // read, means an unauthenticated caller never gets its body parsed or validated.
  app.addHook('preParsing', async (request) => {
    if (request.routeOptions.config.auth !== 'api_key' || request.apiKey) return;
    recordAudit(app.db, request.auditContext, { action: 'api.auth_failed', outcome: 'refused' });
    throw new HttpError(401, 'error.unauthenticated');
  });

  app.addHook('preHandler', async (request, reply) => {
    const permission = declaredPermission(request.routeOptions.config);
    if (permission === PUBLIC || request.is404) return;
    // Checked in preParsing, with the key instead of a session (no role holds an API-key permission).
    if (request.routeOptions.config.auth === 'api_key' && request.apiKey) return;
    if (!permission) refuse(request, 'route.undeclared');
    if (!request.user) {
      if (isPageRequest(request) || request.headers['hx-request'] === 'true') return redirectToLogin(request, reply);
      throw new HttpError(401, 'error.unauthenticated');
    }
    if (!request.actor) throw new HttpError(403, 'error.no_role');
    if (!roleMayEver(permission, request.actor.role)) refuse(request, permission);
  });
}

export default fp(permissionsPlugin, { name: 'permissions', dependencies: ['session', 'database'] });
