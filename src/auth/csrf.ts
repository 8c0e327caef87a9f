import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { recordAudit } from '../audit/log.js';
import { HttpError } from '../web/http-error.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function submittedToken(request: FastifyRequest): string {
  const header = request.headers['x-csrf-token'];
  if (typeof header === 'string') return header;
  const body = request.body as Record<string, unknown> | null | undefined;
  return typeof body?._csrf === 'string' ? body._csrf : '';
}

/** Browsers say where a request came from; anything but this site is refused before the token is looked at. */
function fromThisSite(request: FastifyRequest, publicUrl: string): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return false;
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return true;
  return origin === new URL(publicUrl).origin || origin === `${request.protocol}://${request.host}`;
}

/** Refuses (403, audited) a write that does not come from this site with the session's token. */
export function verifyCsrf(request: FastifyRequest, submitted: string): void {
  const app = request.server;
  if (fromThisSite(request, app.config.publicUrl) && sameToken(submitted, request.csrfToken)) return;
  recordAudit(app.db, request.auditContext, { action: 'csrf.refused', outcome: 'refused' });
  throw new HttpError(403, 'error.csrf');
}

/** The token of a multipart form: the X-CSRF-Token header (htmx) or the `_csrf` field sent before the file. */
export function multipartToken(request: FastifyRequest, fields: Record<string, unknown>): string {
  const header = request.headers['x-csrf-token'];
  if (typeof header === 'string') return header;
  const field = fields._csrf as { type?: unknown; value?: unknown } | undefined;
  return field?.type === 'field' && typeof field.value === 'string' ? field.value : '';
}

/**
 * Synchronizer token (the session's, sent by htmx in hx-headers or by forms as _csrf) plus an origin check.
 * Upload routes (config.csrf 'multipart') check it themselves with verifyCsrf, before reading the file:
 * their token is inside a body this hook must not consume.
 */
async function csrfPlugin(app: FastifyInstance): Promise<void> {
  app.addHook('preValidation', async (request) => {
    const mode = request.routeOptions.config.csrf;
    if (SAFE_METHODS.has(request.method) || mode === false || mode === 'multipart') return;
    verifyCsrf(request, submittedToken(request));
  });
}

export default fp(csrfPlugin, { name: 'csrf', dependencies: ['session'] });
