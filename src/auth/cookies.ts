import type { FastifyReply } from 'fastify';
import type { Config } from '../config/config.js';

export interface CookieNames {
  session: string;
  csrf: string;
  language: string;
}

/** The __Host- prefix makes the browser refuse the cookie unless it is Secure, host-only and Path=/. */
export function cookieNames(config: Config): CookieNames {
  const prefix = config.secureCookies ? '__Host-' : '';
  return { session: `${prefix}bvte_session`, csrf: `${prefix}bvte_csrf`, language: `${prefix}bvte_lang` };
}

export function setCookie(reply: FastifyReply, config: Config, name: string, value: string, maxAgeSeconds?: number): void {
  reply.setCookie(name, value, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: config.secureCookies,
    ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
  });
}

export function clearCookie(reply: FastifyReply, config: Config, name: string): void {
  reply.clearCookie(name, { path: '/', secure: config.secureCookies, httpOnly: true, sameSite: 'lax' });
}
