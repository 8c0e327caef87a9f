import { Ajv } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../web/http-error.js';
import { API_MESSAGES, validationErrors, type ApiFieldError } from './errors.js';
import { createIntakeSubmitter, idempotencyFor, type ApiReply } from './intake.js';
import { intakeBodySchema, type IntakeBody } from './intake-schema.js';
import { createApiKeyResolver } from './keys.js';

/** Fastify's shared ajv coerces types and silently drops unknown fields; an API for machines must refuse both. */
const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, coerceTypes: false, removeAdditional: false, useDefaults: false, strict: true });
// ajv-formats is CommonJS; under NodeNext its default export arrives as the module object.
const addFormats = (addFormatsPlugin as unknown as { default: typeof addFormatsPlugin.default }).default;
addFormats(ajv, ['date', 'date-time']);

const INTAKE_BODY_LIMIT = 64 * 1024;
const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,128}$/;
const JSON_TYPE = 'application/json; charset=utf-8';

function bearerToken(header: string | undefined): string | null {
  return header?.match(/^Bearer +(\S+) *$/i)?.[1] ?? null;
}

function fieldErrors(reply: FastifyReply, errors: ApiFieldError[]): FastifyReply {
  return reply.code(400).type(JSON_TYPE).send({ errors });
}

function sendStored(reply: FastifyReply, stored: ApiReply): FastifyReply {
  if (stored.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(stored.status).type(JSON_TYPE).send(stored.json);
}

const STATUS_MESSAGES: Record<number, string> = {
  401: API_MESSAGES.unauthenticated,
  404: API_MESSAGES.notFound,
  413: API_MESSAGES.tooLarge,
  415: API_MESSAGES.unsupportedMediaType,
};

/** Every failure as JSON a client can act on; never HTML, never a stack trace. */
function sendError(error: FastifyError | HttpError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) return fieldErrors(reply, validationErrors(fastifyError.validation));
  if (fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return fieldErrors(reply, [{ path: '', message: API_MESSAGES.notJson }]);
  if (fastifyError.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return fieldErrors(reply, [{ path: '', message: API_MESSAGES.emptyBody }]);
  const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  if (status === 500) request.log.error({ err: error }, 'API request failed');
  const message = STATUS_MESSAGES[status] ?? (status === 500 ? API_MESSAGES.internal : API_MESSAGES.badRequest);
  return reply.code(status).type(JSON_TYPE).send({ error: message });
}

/**
 * The intake API for telephony and contact-centre systems. Callers authenticate with an API key, not a
 * session: the key is resolved here, and the permissions plugin refuses a route marked
 * `auth: 'api_key'` before its body is read unless a live key was found.
 */
export default async function intakeApi(app: FastifyInstance): Promise<void> {
  const resolveKey = createApiKeyResolver(app.db.$client);
  const submit = createIntakeSubmitter(app.db, app.config.publicUrl);

  app.decorateRequest('apiKey', null);
  // JSON only: a form or text body is refused with 415 instead of failing validation field by field.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));
  app.setErrorHandler(async (error: FastifyError | HttpError, request, reply) => sendError(error, request, reply));

  app.addHook('onRequest', async (request) => {
    const token = bearerToken(request.headers.authorization);
    const key = token ? resolveKey(token) : null;
    if (!key) return;
    request.apiKey = key;
    request.auditContext = { ...request.auditContext, actorUserId: null, actorRole: 'api_key', actorOrgId: key.orgId };
  });

  app.post(
    '/api/v1/intakes',
    {
      config: { permission: 'intake.api', csrf: false, auth: 'api_key' },
      bodyLimit: INTAKE_BODY_LIMIT,
      schema: { body: intakeBodySchema },
    },
    async (request, reply) => {
      // The permissions plugin already refused requests without a live key; this only narrows the type.
      if (!request.apiKey) throw new HttpError(401, 'error.unauthenticated');
      const header = request.headers['idempotency-key'];
      if (header !== undefined && (typeof header !== 'string' || !IDEMPOTENCY_KEY.test(header))) {
        return fieldErrors(reply, [{ path: 'Idempotency-Key', message: API_MESSAGES.idempotencyKeyShape }]);
      }
      const idempotency = header === undefined ? null : idempotencyFor(header, request.body);
      return sendStored(reply, await submit(request.apiKey, request.auditContext, request.body as IntakeBody, idempotency));
    },
  );
}
