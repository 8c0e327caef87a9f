import type { FastifyInstance } from 'fastify';
import apiKeyAdminRoutes from './admin-routes.js';
import intakeApi from './plugin.js';

/** The intake API (its own context: strict JSON validation, JSON errors, key authentication) and its key administration. */
export default async function apiRoutes(app: FastifyInstance): Promise<void> {
  await app.register(intakeApi);
  await app.register(apiKeyAdminRoutes);
}
