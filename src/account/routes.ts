import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { cookieNames, setCookie } from '../auth/cookies.js';
import { hashPassword, MAX_PASSWORD_LENGTH, verifyPassword } from '../auth/password.js';
import { newPasswordFields, refinePassword } from '../auth/routes.js';
import { createSession, generateSessionToken } from '../auth/session.js';
import { findUser, setPassword } from '../users/repository.js';
import { parseForm } from '../web/forms.js';

const changePasswordSchema = z
  .object({
    current_password: z.string().min(1, 'form.required').max(MAX_PASSWORD_LENGTH, 'form.too_long'),
    username: z.string(),
    ...newPasswordFields,
  })
  .superRefine(refinePassword);

export default async function accountRoutes(app: FastifyInstance): Promise<void> {
  const config = { permission: 'account.use' } as const;

  app.get('/account', { config }, async (request, reply) => {
    return reply.page('pages/account', { title: request.t('account.title') });
  });

  app.post('/account/password', { config }, async (request, reply) => {
    const actor = request.requireActor();
    const user = findUser(app.db, actor.userId);
    if (!user) return reply.redirect('/login', 303);
    const form = parseForm(changePasswordSchema, { ...(request.body as object), username: user.username });
    const fail = (errors: Record<string, 'form.required' | 'account.wrong_password'> | typeof form.values) =>
      reply.code(400).page('pages/account', { title: request.t('account.title'), errors });
    if (!form.ok) return fail(form.errors);
    if (!(await verifyPassword(user.passwordHash, form.data.current_password))) {
      return fail({ current_password: 'account.wrong_password' });
    }
    setPassword(app.db, request.auditContext, user.id, await hashPassword(form.data.password), 'user.password_change');
    // Every session ended with the change, this one included; the person who changed it stays signed in here.
    const token = generateSessionToken();
    createSession(app.db, token, user.id, actor.assignmentId, app.config.session);
    setCookie(reply, app.config, cookieNames(app.config).session, token, Math.floor(app.config.session.absoluteMs / 1000));
    return reply.page('pages/account', { title: request.t('account.title'), notice: 'account.password_changed' });
  });
}
