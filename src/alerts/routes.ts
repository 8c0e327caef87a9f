import type { FastifyInstance } from 'fastify';
import { appendAudit } from '../audit/log.js';
import { CASE_COLUMNS } from '../cases/repository.js';
import { writeTransaction } from '../db/client.js';
import { notFound } from '../web/http-error.js';
import { idParam, pageParam } from '../web/params.js';
import { countUnread, findNotification, listNotifications, markAllRead, markRead, NOTIFICATION_COLUMNS } from './repository.js';
import { kindMessage, notificationLink } from './rules.js';

const PAGE_SIZE = 25;

/** The signed-in user's own alerts: the list, opening one (marks it read) and marking all read. */
export default async function notificationRoutes(app: FastifyInstance): Promise<void> {
  app.get('/notifications', { config: { permission: 'notification.read' } }, async (request, reply) => {
    const actor = request.requireActor();
    const page = pageParam(request);
    const readableCase = request.scope('case.read', CASE_COLUMNS);
    const { rows, total } = listNotifications(app.db, request.scope('notification.read', NOTIFICATION_COLUMNS), readableCase, PAGE_SIZE, (page - 1) * PAGE_SIZE);
    // A case the reader can no longer open is named only as such (the list gives no reference for it).
    const referenceOf = (row: (typeof rows)[number]): string => row.reference ?? (row.caseId === null ? '' : request.t('alert.case_out_of_reach'));
    const items = rows.map((row) => ({
      id: row.id,
      createdAt: row.createdAt,
      unread: row.readAt === null,
      sentence: request.t(kindMessage(row.kind), { reference: referenceOf(row) }),
    }));
    return reply.page('pages/notifications/index', {
      title: request.t('alert.title'),
      items,
      total,
      page,
      pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
      hasUnread: countUnread(app.db, actor.userId) > 0,
      allRead: (request.query as Record<string, unknown>).done === '1',
    });
  });

  app.post('/notifications/:id/read', { config: { permission: 'notification.read' } }, async (request, reply) => {
    const notification = findNotification(app.db, idParam(request));
    if (!notification) throw notFound();
    request.authorize('notification.read', { ownerUserId: notification.userId, id: notification.id }, { type: 'notification', id: notification.id });
    if (notification.readAt === null) {
      writeTransaction(app.db, (tx) => {
        markRead(tx, notification.id, new Date().toISOString());
        appendAudit(tx, request.auditContext, { action: 'notification.mark_read', entityType: 'notification', entityId: notification.id });
      });
    }
    return reply.redirect(notificationLink(notification.kind, notification.caseId), 303);
  });

  app.post('/notifications/read-all', { config: { permission: 'notification.read' } }, async (request, reply) => {
    const scope = request.scope('notification.read', NOTIFICATION_COLUMNS);
    writeTransaction(app.db, (tx) => {
      if (markAllRead(tx, scope, new Date().toISOString()) > 0) appendAudit(tx, request.auditContext, { action: 'notification.mark_all_read' });
    });
    return reply.redirect('/notifications?done=1', 303);
  });
}
