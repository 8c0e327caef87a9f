import type { MessageKey } from '../i18n/vi.js';

/** An expected failure a route turns into a localised page: 404 for a missing record, 403 for a refusal. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly messageKey: MessageKey,
  ) {
    super(messageKey);
  }
}

export const notFound = (): HttpError => new HttpError(404, 'error.not_found');
export const forbidden = (): HttpError => new HttpError(403, 'error.forbidden');
