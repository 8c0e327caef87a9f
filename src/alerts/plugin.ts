import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createMailer } from './mail.js';
import notificationRoutes from './routes.js';
import { createAlertScheduler, type AlertScheduler } from './scheduler.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The deadline and email scheduler; tests call `alerts.tick()` themselves. */
    alerts: AlertScheduler;
  }
}

/**
 * Notifications: the in-app list, and the scheduler that derives deadline alerts and sends emails.
 * The scheduler runs only while the app is up and only with ALERT_INTERVAL_SECONDS > 0.
 */
async function alertsPlugin(app: FastifyInstance): Promise<void> {
  const { alerts, publicUrl } = app.config;
  const scheduler = createAlertScheduler({
    db: app.db,
    log: app.log.child({ component: 'alerts' }),
    intervalMs: alerts.intervalMs,
    mailer: createMailer(alerts, publicUrl),
  });
  app.decorate('alerts', scheduler);
  app.addHook('onReady', async () => scheduler.start());
  app.addHook('onClose', async () => scheduler.stop());
  await app.register(notificationRoutes);
}

export default fp(alertsPlugin, { name: 'alerts', dependencies: ['database', 'permissions', 'render'] });
