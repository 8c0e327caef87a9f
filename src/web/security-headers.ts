import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/** The headers every response carries; also set by hand on errors Fastify answers before any hook runs. */
export function setSecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('x-frame-options', 'DENY');
  reply.header('referrer-policy', 'same-origin');
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('x-request-id', request.id);
  // Any page may show personal data, so nothing but static assets may be stored by a browser or proxy.
  if (!request.url.startsWith('/static/')) reply.header('cache-control', 'no-store');
}

async function securityHeaders(app: FastifyInstance): Promise<void> {
  app.addHook('onSend', async (request, reply) => setSecurityHeaders(request, reply));
}

export default fp(securityHeaders, { name: 'security-headers' });
