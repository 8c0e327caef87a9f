import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { appendAudit, recordAudit } from '../audit/log.js';
import { writeTransaction } from '../db/client.js';
import { isLocale } from '../i18n/i18n.js';
import type { ORG_KINDS } from '../orgs/schema.js';
import { activeAssignments, findUserByUsername, setUserLocale } from '../users/repository.js';
import { parseForm, safeNextPath } from '../web/forms.js';
import { HttpError } from '../web/http-error.js';
import { PUBLIC } from '../web/types.js';
import { clearCookie, cookieNames, setCookie } from './cookies.js';
import { dummyPasswordHash, hashPassword, MAX_PASSWORD_LENGTH, passwordProblem, verifyPassword } from './password.js';
import { createSession, generateSessionToken, invalidateSession, setActiveAssignment } from './session.js';
import { completeSetup, isSetupTokenValid } from './setup-link.js';
import { Throttler, TokenBucket } from './throttle.js';

/** The top of the tree is the whole country or one province; everything else is created below it. */
export const SETUP_ORG_KINDS = ['national', 'province'] as const satisfies readonly (typeof ORG_KINDS)[number][];

const loginSchema = z.object({
  username: z.string().trim().min(1, 'form.required').max(64, 'form.too_long'),
  password: z.string().min(1, 'form.required').max(MAX_PASSWORD_LENGTH, 'form.too_long'),
  next: z.string().optional(),
});

const usernameSchema = z
  .string()
  .trim()
  .min(3, 'user.username_invalid')
  .max(64, 'user.username_invalid')
  .regex(/^[a-zA-Z0-9._-]+$/, 'user.username_invalid');

export const newPasswordFields = {
  password: z.string().max(MAX_PASSWORD_LENGTH, 'password.too_long'),
  password_confirm: z.string(),
};

/** Checks a chosen password against the policy; the message keys name the rule that failed. */
export function refinePassword(data: { password: string; password_confirm: string; username?: string }, ctx: z.RefinementCtx): void {
  const problem = passwordProblem(data.password, data.username ?? '');
  if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: `password.${problem}` });
  else if (data.password !== data.password_confirm) {
    ctx.addIssue({ code: 'custom', path: ['password_confirm'], message: 'password.mismatch' });
  }
}

const setupSchema = z
  .object({
    org_name: z.string().trim().min(2, 'form.required').max(200, 'form.too_long'),
    org_kind: z.enum(SETUP_ORG_KINDS, 'form.invalid'),
    username: usernameSchema,
    display_name: z.string().trim().min(2, 'form.required').max(120, 'form.too_long'),
    ...newPasswordFields,
  })
  .superRefine(refinePassword);

export { usernameSchema };

/** Per IP, a burst of 20 tries then one every 10 s; per account, a doubling wait after each failure. */
const ipBucket = (): TokenBucket => new TokenBucket(20, 10_000);

export default async function authRoutes(app: FastifyInstance): Promise<void> {
  const names = cookieNames(app.config);
  const accountThrottle = new Throttler();
  const ipThrottle = ipBucket();

  function startSession(reply: FastifyReply, userId: number, assignmentId: number | null): void {
    const token = generateSessionToken();
    createSession(app.db, token, userId, assignmentId, app.config.session);
    setCookie(reply, app.config, names.session, token, Math.floor(app.config.session.absoluteMs / 1000));
    clearCookie(reply, app.config, names.csrf);
  }

  app.get('/login', { config: { permission: PUBLIC } }, async (request, reply) => {
    if (request.user) return reply.redirect('/', 303);
    const next = safeNextPath((request.query as { next?: unknown }).next);
    return reply.page('pages/login', { title: request.t('login.title'), values: { next } });
  });

  app.post('/login', { config: { permission: PUBLIC } }, async (request, reply) => {
    const form = parseForm(loginSchema, request.body);
    const showForm = (status: number, messageKey: 'login.failed' | 'login.throttled' | null): Promise<FastifyReply> =>
      reply.code(status).page('pages/login', {
        title: request.t('login.title'),
        values: { username: form.values.username ?? '', next: safeNextPath(form.values.next) },
        errors: form.ok ? {} : form.errors,
        formError: messageKey,
      });
    if (!form.ok) return showForm(400, null);

    const accountKey = form.data.username.toLowerCase();
    if (!ipThrottle.consume(request.ip) || !accountThrottle.check(accountKey)) {
      recordAudit(app.db, request.auditContext, { action: 'auth.login_throttled', outcome: 'refused' });
      return showForm(429, 'login.throttled');
    }
    const user = findUserByUsername(app.db, form.data.username);
    const valid = user
      ? await verifyPassword(user.passwordHash, form.data.password)
      : await verifyPassword(await dummyPasswordHash(), form.data.password);
    if (!user || !valid || user.disabledAt !== null) {
      accountThrottle.recordFailure(accountKey);
      recordAudit(app.db, request.auditContext, {
        action: 'auth.login_failed',
        outcome: 'refused',
        ...(user ? { entityType: 'user', entityId: user.id } : {}),
      });
      return showForm(401, 'login.failed');
    }
    accountThrottle.reset(accountKey);
    const assignment = activeAssignments(app.db, user.id)[0];
    startSession(reply, user.id, assignment?.id ?? null);
    recordAudit(
      app.db,
      { ...request.auditContext, actorUserId: user.id, actorRole: assignment?.role ?? null, actorOrgId: assignment?.orgId ?? null },
      { action: 'auth.login', entityType: 'user', entityId: user.id },
    );
    return reply.redirect(safeNextPath(form.data.next), 303);
  });

  app.post('/logout', { config: { permission: PUBLIC } }, async (request, reply) => {
    const session = request.session;
    if (session) {
      writeTransaction(app.db, (tx) => {
        invalidateSession(tx, session.id);
        appendAudit(tx, request.auditContext, { action: 'auth.logout', entityType: 'user', entityId: session.userId });
      });
    }
    clearCookie(reply, app.config, names.session);
    return reply.redirect('/login', 303);
  });

  app.post('/session/role', { config: { permission: 'account.use' } }, async (request, reply) => {
    const session = request.session;
    // Only a form's text: a JSON object here (even one with a bogus toString) must not reach Number().
    const raw = (request.body as { assignment?: unknown } | null)?.assignment;
    const wanted = typeof raw === 'string' ? Number(raw) : NaN;
    const assignment = session ? activeAssignments(app.db, session.userId).find((item) => item.id === wanted) : undefined;
    if (!session || !assignment) throw new HttpError(400, 'error.bad_request');
    writeTransaction(app.db, (tx) => {
      setActiveAssignment(tx, session.id, assignment.id);
      appendAudit(
        tx,
        { ...request.auditContext, actorRole: assignment.role, actorOrgId: assignment.orgId },
        { action: 'auth.role_switch', entityType: 'user', entityId: session.userId },
      );
    });
    return reply.redirect('/', 303);
  });

  app.post('/language', { config: { permission: PUBLIC } }, async (request, reply) => {
    const body = (request.body ?? {}) as { locale?: unknown; next?: unknown };
    if (!isLocale(body.locale)) throw new HttpError(400, 'error.bad_request');
    setCookie(reply, app.config, names.language, body.locale, 365 * 24 * 3600);
    if (request.user) setUserLocale(app.db, request.user.id, body.locale);
    return reply.redirect(safeNextPath(body.next), 303);
  });

  function setupTokenFrom(request: FastifyRequest): string {
    return String((request.params as { token: string }).token);
  }

  app.get('/setup/:token', { config: { permission: PUBLIC } }, async (request, reply) => {
    if (!isSetupTokenValid(app.db, setupTokenFrom(request))) {
      return reply.code(410).page('pages/setup-invalid', { title: request.t('setup.title') });
    }
    return reply.page('pages/setup', { title: request.t('setup.title'), kinds: SETUP_ORG_KINDS, values: { org_kind: 'province' } });
  });

  app.post('/setup/:token', { config: { permission: PUBLIC } }, async (request, reply) => {
    const token = setupTokenFrom(request);
    if (!isSetupTokenValid(app.db, token)) {
      return reply.code(410).page('pages/setup-invalid', { title: request.t('setup.title') });
    }
    const form = parseForm(setupSchema, request.body);
    if (!form.ok) {
      return reply.code(400).page('pages/setup', { title: request.t('setup.title'), kinds: SETUP_ORG_KINDS, values: form.values, errors: form.errors });
    }
    const userId = completeSetup(app.db, request.auditContext, token, {
      orgName: form.data.org_name,
      orgKind: form.data.org_kind,
      username: form.data.username,
      displayName: form.data.display_name,
      passwordHash: await hashPassword(form.data.password),
    });
    if (userId === null) return reply.code(410).page('pages/setup-invalid', { title: request.t('setup.title') });
    startSession(reply, userId, activeAssignments(app.db, userId)[0]?.id ?? null);
    return reply.redirect('/', 303);
  });
}
