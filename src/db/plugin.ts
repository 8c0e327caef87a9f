import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { startBackgroundCheckpoints } from './checkpoints.js';
import { databaseFile, openDatabase, runMigrations, type Db } from './client.js';
import { createReader } from './reader.js';

export interface DatabasePluginOptions {
  /**
   * An already open database (tests, demo), which keeps its own WAL checkpoints; otherwise the file
   * under config.dataDir is opened and checkpointed by a worker thread.
   */
  db?: Db;
}

async function databasePlugin(app: FastifyInstance, options: DatabasePluginOptions): Promise<void> {
  const db = options.db ?? openDatabase(databaseFile(app.config.dataDir));
  runMigrations(db);
  const checkpoints = options.db ? null : startBackgroundCheckpoints(db, app.log);
  const reader = createReader(db, app.log);
  app.decorate('db', db);
  app.decorate('reader', reader);
  app.addHook('onClose', async () => {
    await reader.close();
    await checkpoints?.stop();
    if (!options.db) db.$client.close();
  });
}

export default fp(databasePlugin, { name: 'database' });
