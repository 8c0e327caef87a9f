import type { FastifySchemaValidationError } from 'fastify';
import { NOT_BLANK } from './intake-schema.js';

/**
 * The API talks to machines, so its messages are English and fixed, not translated; they name the
 * field (a JSON Pointer into the body) so an integrator can fix the mapping without reading docs.
 */
export interface ApiFieldError {
  path: string;
  message: string;
}

export const API_MESSAGES = {
  unauthenticated: 'Missing, unknown or revoked API key. Send "Authorization: Bearer <key>".',
  tooLarge: 'The request body is larger than 64 KiB.',
  unsupportedMediaType: 'Send the body as application/json.',
  notJson: 'The body is not valid JSON.',
  emptyBody: 'The body is empty; send a JSON object.',
  idempotencyKeyShape: 'must be 1 to 128 printable ASCII characters',
  idempotencyKeyReused: 'This Idempotency-Key was already used with a different request body.',
  unknownCategory: 'is not an active category code',
  noCommune: 'no active commune found: give residenceCommuneId (or incidentCommuneId) of an active commune',
  inFuture: 'must not be in the future',
  badRequest: 'The request is not valid.',
  notFound: 'Not found.',
  internal: 'Internal error. Nothing was recorded; retry later with the same Idempotency-Key.',
} as const;

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function typeMessage(type: unknown): string {
  const types = (Array.isArray(type) ? type : String(type).split(',')).map((name) => TYPE_NAMES[String(name)] ?? String(name));
  return `must be ${types.join(' or ')}`;
}

function formatMessage(format: unknown): string {
  if (format === 'date-time') return 'must be an ISO 8601 date-time with a time zone, e.g. 2026-03-01T08:30:00+07:00';
  if (format === 'date') return 'must be a date as YYYY-MM-DD';
  return `must be a valid ${String(format)}`;
}

function describe(error: FastifySchemaValidationError): ApiFieldError {
  const { params } = error;
  switch (error.keyword) {
    case 'required':
      return { path: `${error.instancePath}/${String(params.missingProperty)}`, message: 'is required' };
    case 'additionalProperties':
      return { path: `${error.instancePath}/${String(params.additionalProperty)}`, message: 'is not a known field' };
    case 'type':
      return { path: error.instancePath, message: typeMessage(params.type) };
    case 'enum':
      return { path: error.instancePath, message: `must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}` };
    case 'format':
      return { path: error.instancePath, message: formatMessage(params.format) };
    case 'minLength':
      return { path: error.instancePath, message: 'must not be empty' };
    case 'maxLength':
      return { path: error.instancePath, message: `must be at most ${String(params.limit)} characters` };
    case 'pattern':
      return { path: error.instancePath, message: params.pattern === NOT_BLANK ? 'must not be blank' : 'contains characters that are not allowed' };
    case 'minimum':
      return { path: error.instancePath, message: `must be at least ${String(params.limit)}` };
    case 'maximum':
      return { path: error.instancePath, message: `must be at most ${String(params.limit)}` };
    case 'maxItems':
      return { path: error.instancePath, message: `must have at most ${String(params.limit)} items` };
    default:
      return { path: error.instancePath, message: error.message ?? API_MESSAGES.badRequest };
  }
}

/**
 * One entry per field. With several types allowed (e.g. string or null) ajv also reports the
 * failed alternative, so only the first error of a path is kept.
 */
export function validationErrors(errors: readonly FastifySchemaValidationError[]): ApiFieldError[] {
  const byPath = new Map<string, ApiFieldError>();
  for (const error of errors) {
    const described = describe(error);
    if (!byPath.has(described.path)) byPath.set(described.path, described);
  }
  return [...byPath.values()];
}
