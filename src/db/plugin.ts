import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { startBackgroundCheckpoints } from './checkpoints.js';
import { databaseFile, openDatabase, runMigrations, type Db } from './client.js';

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
  app.decorate('db', db);
  app.addHook('onClose', async () => {
    await checkpoints?.stop();
    if (!options.db) db.$client.close();
  });
}

export default fp(databasePlugin, { name: 'database' });
