import type { FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import { PUBLIC } from '../web/types.js';

export default async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', { config: { permission: PUBLIC } }, async (_request, reply) => {
    try {
      app.db.get(sql`SELECT 1`);
      return reply.send({ status: 'ok' });
    } catch {
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
}
