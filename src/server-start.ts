import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { issueSetupToken } from './auth/setup-link.js';
import { ConfigError, type Config } from './config/config.js';

/** Builds the app, listens, offers the first-administrator link on an empty database, and closes cleanly on a signal. */
export async function startServer(config: Config): Promise<FastifyInstance> {
  const app = await buildApp({ config });
  await app.listen({ port: config.port, host: config.host });

  const token = issueSetupToken(app.db, config.setupLinkMs);
  if (token) {
    const minutes = Math.round(config.setupLinkMs / 60_000);
    // Printed, not logged: the link is a credential and must not sit in log storage.
    process.stdout.write(
      `\nBVTE has no users yet. Create the first administrator within ${minutes} minutes at:\n  ${config.publicUrl}/setup/${token}\n\n`,
    );
  }

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  return app;
}

/** For an entry point's final catch: a configuration problem is the operator's to fix, so no stack trace. */
export function exitOnStartupFailure(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`BVTE failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
}
