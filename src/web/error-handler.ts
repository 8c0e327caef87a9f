import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { MessageKey } from '../i18n/vi.js';
import { DEFAULT_LOCALE, translator } from '../i18n/i18n.js';
import { HttpError } from './http-error.js';
import { renderPage } from './render.js';
import { setSecurityHeaders } from './security-headers.js';

/** Fastify's own client errors, named by status so users read a sentence, not a code. */
const CLIENT_ERROR_MESSAGES: Record<number, MessageKey> = {
  400: 'error.bad_request',
  401: 'error.unauthenticated',
  403: 'error.forbidden',
  404: 'error.not_found',
  405: 'error.bad_request',
  409: 'error.conflict',
  413: 'error.too_large',
  415: 'error.bad_request',
  429: 'error.too_many_requests',
};

function describe(error: FastifyError | HttpError): { status: number; messageKey: MessageKey } {
  if (error instanceof HttpError) return { status: error.statusCode, messageKey: error.messageKey };
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return { status, messageKey: CLIENT_ERROR_MESSAGES[status] ?? 'error.bad_request' };
  return { status: 500, messageKey: 'error.internal' };
}

const TITLED_STATUSES = new Set([401, 403, 404, 500]);

/** Last resort when even the error page cannot render: plain text, still localised, still no details. */
function sendPlain(request: FastifyRequest, reply: FastifyReply, messageKey: MessageKey): FastifyReply {
  return reply.type('text/plain; charset=utf-8').send(request.t(messageKey));
}

async function sendError(request: FastifyRequest, reply: FastifyReply, status: number, messageKey: MessageKey): Promise<FastifyReply> {
  reply.code(status);
  if (request.url.startsWith('/api/')) return reply.type('application/json').send({ error: request.t(messageKey) });
  const titleKey = `error.title_${TITLED_STATUSES.has(status) ? status : 400}` as MessageKey;
  try {
    return await reply.page('pages/error', { title: request.t(titleKey), status, messageKey });
  } catch (error) {
    request.log.error({ err: error }, 'error page failed to render');
    return sendPlain(request, reply.code(status), messageKey);
  }
}

/**
 * What Fastify refuses before routing (a path with broken percent-encoding, a parameter over the length
 * limit): the same localised page, never Fastify's own JSON in English. No hook has run for such a
 * request and it carries none of the decorations, so it is treated as an anonymous visitor's.
 */
export function frameworkErrors(app: FastifyInstance, error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  const messageKey = CLIENT_ERROR_MESSAGES[status] ?? 'error.bad_request';
  Object.assign(request, { t: translator(DEFAULT_LOCALE), locale: DEFAULT_LOCALE, user: null, session: null, actor: null, csrfToken: '' });
  reply.code(status);
  setSecurityHeaders(request, reply);
  if (request.url.startsWith('/api/')) {
    void reply.type('application/json').send({ error: request.t(messageKey) });
    return;
  }
  renderPage(app, reply, 'pages/error', { title: request.t('error.title_400'), status, messageKey }).catch((renderError: unknown) => {
    request.log.error({ err: renderError }, 'error page failed to render');
    sendPlain(request, reply, messageKey);
  });
}

/** One place turns every failure into a localised page (or JSON for the API); users never see a stack trace. */
async function errorHandler(app: FastifyInstance): Promise<void> {
  app.setErrorHandler(async (error: FastifyError | HttpError, request, reply) => {
    const { status, messageKey } = describe(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return sendError(request, reply, status, messageKey);
  });
  app.setNotFoundHandler(async (request, reply) => sendError(request, reply, 404, 'error.not_found'));
}

export default fp(errorHandler, { name: 'error-handler', dependencies: ['render'] });
