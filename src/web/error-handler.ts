import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { MessageKey } from '../i18n/vi.js';
import { HttpError } from './http-error.js';

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
