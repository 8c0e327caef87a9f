import { loadConfig } from './config/config.js';
import { exitOnStartupFailure, startServer } from './server-start.js';

async function main(): Promise<void> {
  await startServer(loadConfig());
}

main().catch(exitOnStartupFailure);
