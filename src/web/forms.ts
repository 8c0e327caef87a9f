import type { z } from 'zod';
import { isMessageKey } from '../i18n/i18n.js';
import type { MessageKey } from '../i18n/vi.js';

export type FieldErrors = Record<string, MessageKey>;
export type FormValues = Record<string, string | string[]>;

export type FormResult<T> = { ok: true; data: T; values: FormValues } | { ok: false; errors: FieldErrors; values: FormValues };

/** What the user typed, as typed, so a form shown again with errors loses nothing. */
export function formValues(body: unknown): FormValues {
  const values: FormValues = {};
  if (!body || typeof body !== 'object') return values;
  for (const [key, value] of Object.entries(body)) {
    if (key === '_csrf') continue;
    if (typeof value === 'string') values[key] = value;
    else if (Array.isArray(value)) values[key] = value.filter((item): item is string => typeof item === 'string');
  }
  return values;
}

/**
 * Schemas give catalogue keys as their messages (e.g. `.min(1, 'form.required')`), so every error
 * a user reads is localised; anything else becomes the generic "invalid" message.
 */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.output<S>> {
  const values = formValues(body);
  const result = schema.safeParse(body ?? {});
  if (result.success) return { ok: true, data: result.data, values };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? '_form');
    if (errors[field]) continue;
    errors[field] = isMessageKey(issue.message) ? issue.message : issue.code === 'invalid_type' ? 'form.required' : 'form.invalid';
  }
  return { ok: false, errors, values };
}

/** A local path to return to after sign-in; anything that could leave the site becomes the home page. */
export function safeNextPath(next: unknown): string {
  // Browsers drop tabs and newlines inside URLs, so "/\t/evil.example" would leave as "//evil.example".
  if (typeof next !== 'string' || /[\x00-\x1f\x7f]/.test(next)) return '/';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

/** An id a form field chose (a select's value), or null for anything that is not one. */
export function chosenId(value: unknown): number | null {
  const id = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : typeof value === 'number' ? value : NaN;
  return Number.isSafeInteger(id) && id >= 0 ? id : null;
}
