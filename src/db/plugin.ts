import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { databaseFile, openDatabase, runMigrations, type Db } from './client.js';

export interface DatabasePluginOptions {
  /** An already open database (tests, demo); otherwise the file under config.dataDir is opened. */
  db?: Db;
}

async function databasePlugin(app: FastifyInstance, options: DatabasePluginOptions): Promise<void> {
  const db = options.db ?? openDatabase(databaseFile(app.config.dataDir));
  runMigrations(db);
  app.decorate('db', db);
  app.addHook('onClose', async () => {
    if (!options.db) db.$client.close();
  });
}

export default fp(databasePlugin, { name: 'database' });
