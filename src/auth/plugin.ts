import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditEvent } from '../audit/log.js';
import fp from 'fastify-plugin';
import { recordAuditShared } from '../audit/log.js';
import { DEFAULT_LOCALE, isLocale, translator } from '../i18n/i18n.js';
import { cookieNames, setCookie } from './cookies.js';
import { generateSessionToken, validateSessionToken } from './session.js';

/** Resolves who is asking (session), in which language, and with which CSRF token, before any route runs. */
async function sessionPlugin(app: FastifyInstance): Promise<void> {
  const names = cookieNames(app.config);
  app.decorateRequest('user', null);
  app.decorateRequest('session', null);
  app.decorateRequest('actor', null);
  app.decorateRequest('locale', DEFAULT_LOCALE);
  app.decorateRequest('t', translator(DEFAULT_LOCALE));
  app.decorateRequest('csrfToken', '');
  app.decorateRequest('auditContext', null as never);
  app.decorateRequest('pendingAudit', null);
  app.decorateRequest('auditRead', function auditRead(this: FastifyRequest, event: AuditEvent) {
    const entry = recordAuditShared(app.db, this.auditContext, event);
    this.pendingAudit = this.pendingAudit ? Promise.all([this.pendingAudit, entry]).then(() => undefined) : entry;
  });
  // Nothing read leaves the server before its audit entry is on disk; a failed commit becomes an error page.
  app.addHook('onSend', async (request) => {
    const pending = request.pendingAudit;
    // Cleared first: the error page for a failed commit passes through here again.
    request.pendingAudit = null;
    if (pending) await pending;
  });

  app.addHook('onRequest', async (request, reply) => {
    const token = request.cookies[names.session];
    if (token) {
      const result = validateSessionToken(app.db, token, app.config.session);
      request.user = result.user;
      request.session = result.session;
      request.actor = result.actor;
    }
    const cookieLocale = request.cookies[names.language];
    request.locale = request.user?.locale ?? (isLocale(cookieLocale) ? cookieLocale : DEFAULT_LOCALE);
    request.t = translator(request.locale);

    if (request.session) {
      request.csrfToken = request.session.csrfToken;
    } else if (request.routeOptions.config.csrf !== false) {
      // Signed-out forms (login, setup, public report) use a double-submit cookie instead of the session's token.
      let anonymous = request.cookies[names.csrf];
      if (!anonymous || !/^[a-z2-7]{32}$/.test(anonymous)) {
        anonymous = generateSessionToken();
        setCookie(reply, app.config, names.csrf, anonymous);
      }
      request.csrfToken = anonymous;
    }
    request.auditContext = {
      actorUserId: request.user?.id ?? null,
      actorRole: request.actor?.role ?? null,
      actorOrgId: request.actor?.orgId ?? null,
      ip: request.ip,
      requestId: request.id,
    };
  });
}

export default fp(sessionPlugin, { name: 'session', dependencies: ['@fastify/cookie', 'database'] });
