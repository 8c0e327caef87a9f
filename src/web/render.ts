import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { countUnread } from '../alerts/repository.js';
import { formatDate, formatDateTime } from '../i18n/dates.js';
import { activeAssignments } from '../users/repository.js';
import { navigationFor } from './navigation.js';

/** htmx asks for the fragment; a boosted or plain request gets the whole page from the same template. */
function wantsFragment(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['hx-request'] === 'true' && headers['hx-boosted'] !== 'true';
}

/** Renders a template with everything every page gets; also used for errors raised before any hook ran. */
export async function renderPage(app: FastifyInstance, reply: FastifyReply, template: string, data: Record<string, unknown> = {}): Promise<FastifyReply> {
  const request = reply.request;
  const fragment = wantsFragment(request.headers);
  const context = {
    t: request.t,
    locale: request.locale,
    user: request.user,
    actor: request.actor,
    assignments: !fragment && request.user ? activeAssignments(app.db, request.user.id) : [],
    nav: navigationFor(request.actor, fragment ? undefined : app.db),
    // alerts (issue 4): the header badge, one indexed COUNT per full page; fragments have no header.
    unreadNotifications: !fragment && request.user && request.actor ? countUnread(app.db, request.user.id) : 0,
    csrfToken: request.csrfToken,
    demo: app.config.demo,
    fragment,
    currentPath: request.url.split('?')[0],
    formatDate,
    formatDateTime,
    values: {},
    errors: {},
    ...data,
  };
  const html = await app.view(template, context);
  // Encoded once here: sent as a string, the page would be encoded twice, once by Fastify to count its
  // bytes for Content-Length and again by the socket's write, and Vietnamese text makes that costly.
  return reply.header('vary', 'HX-Request').type('text/html; charset=utf-8').send(Buffer.from(html));
}

async function renderPlugin(app: FastifyInstance): Promise<void> {
  app.decorateReply('page', function page(this: FastifyReply, template: string, data: Record<string, unknown> = {}) {
    return renderPage(app, this, template, data);
  });
}

export default fp(renderPlugin, { name: 'render', dependencies: ['@fastify/view', 'session'] });
