import { en } from './en.js';
import { vi, type MessageKey } from './vi.js';

export const LOCALES = ['vi', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'vi';

export const CATALOGUES: Record<Locale, Record<MessageKey, string>> = { vi, en };

export type MessageParams = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: MessageParams) => string;

export function isLocale(value: unknown): value is Locale {
  return value === 'vi' || value === 'en';
}

export function isMessageKey(value: string): value is MessageKey {
  return Object.hasOwn(vi, value);
}

/** `{name}` placeholders are filled from params; the result is escaped later by the template. */
export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
  const message = CATALOGUES[locale][key];
  if (!params) return message;
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function translator(locale: Locale): Translate {
  return (key, params) => translate(locale, key, params);
}
