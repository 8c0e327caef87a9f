import path from 'node:path';
import { z } from 'zod';

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const minutes = z.coerce.number().int().positive();

const settings = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default('localhost'),
  DATA_DIR: z.string().min(1).default('./data'),
  PUBLIC_URL: z.url().optional(),
  SECURE_COOKIES: flag.optional(),
  TRUST_PROXY: flag.default(false),
  SESSION_IDLE_MINUTES: minutes.default(30),
  SESSION_ABSOLUTE_HOURS: minutes.default(12),
  SETUP_LINK_MINUTES: minutes.default(30),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEMO_MODE: flag.default(false),
  MAX_UPLOAD_MB: z.coerce.number().int().min(1).max(100).default(10),
  // alerts (issue 4): the scheduler's interval (0 = off) and outgoing email (off without SMTP_URL)
  ALERT_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MAIL_FROM: z.string().min(3).optional(),
  // statistics (issue 5): counts below this are shown as "<N"; never below 3, whatever is configured
  STATS_THRESHOLD: z.coerce.number().int().min(3).max(100).default(5),
});

/** Every environment variable the app reads; .env.example documents each (a unit test holds them in step). */
export const CONFIG_KEYS = Object.keys(settings.shape) as (keyof typeof settings.shape)[];

const schema = settings.transform((env) => {
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    dataDir: path.resolve(env.DATA_DIR),
    publicUrl,
    // Secure cookies need HTTPS; production is assumed to sit behind TLS unless told otherwise.
    secureCookies: env.SECURE_COOKIES ?? env.NODE_ENV === 'production',
    trustProxy: env.TRUST_PROXY,
    session: {
      idleMs: env.SESSION_IDLE_MINUTES * 60_000,
      absoluteMs: env.SESSION_ABSOLUTE_HOURS * 3_600_000,
    },
    setupLinkMs: env.SETUP_LINK_MINUTES * 60_000,
    logLevel: env.LOG_LEVEL,
    demo: env.DEMO_MODE,
    maxUploadBytes: env.MAX_UPLOAD_MB * 1_048_576,
    // alerts (issue 4)
    alerts: {
      intervalMs: env.ALERT_INTERVAL_SECONDS * 1000,
      smtpUrl: env.SMTP_URL ?? null,
      mailFrom: env.MAIL_FROM ?? `BVTE <no-reply@${new URL(publicUrl).hostname}>`,
    },
    // statistics (issue 5)
    statistics: { threshold: env.STATS_THRESHOLD },
  };
});

export type Config = z.output<typeof schema>;

export class ConfigError extends Error {}

/** Reads and validates the environment once; a bad value stops start-up with a message naming it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.');
    const given = name in env ? ` (got "${env[name]}")` : '';
    return `  ${name}: ${issue.message}${given}`;
  });
  throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}\nSee .env.example for every setting.`);
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  // The alert scheduler stays off in tests (ALERT_INTERVAL_SECONDS=0); a test that needs it calls app.alerts.tick().
  return { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ALERT_INTERVAL_SECONDS: '0' }), ...overrides };
}
