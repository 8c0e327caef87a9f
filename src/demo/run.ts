import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../config/config.js';
import { databaseFile, openDatabase, runMigrations } from '../db/client.js';
import { translate } from '../i18n/i18n.js';
import { listOrganisations } from '../orgs/repository.js';
import { DEMO_API_KEY } from '../api/keys.js';
import { exitOnStartupFailure, startServer } from '../server-start.js';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemo, type DemoOrgs } from './seed.js';

const DEMO_DATA_DIR = './.demo-data';
/** Written into every demo directory: only a directory carrying it is ever deleted, so a mistyped DATA_DIR cannot wipe real data. */
const DEMO_MARKER = '.bvte-demo';

function resetDemoDirectory(dataDir: string): void {
  if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0) {
    if (!fs.existsSync(path.join(dataDir, DEMO_MARKER))) {
      throw new Error(
        `${dataDir} is not a demo data directory (no ${DEMO_MARKER} file); refusing to delete it. Unset DATA_DIR or point it at an empty directory.`,
      );
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(path.join(dataDir, DEMO_MARKER), 'Deleted and re-created by `npm run demo`.\n');
}

function accountLines(orgNames: Map<number, string>, orgs: DemoOrgs): string[] {
  const width = Math.max(...DEMO_ACCOUNTS.map((account) => account.username.length));
  return DEMO_ACCOUNTS.map((account) => {
    const roles = account.assignments.map(({ role, org }) => `${translate('vi', `role.${role}`)} · ${orgNames.get(orgs[org]) ?? ''}`);
    return `  ${account.username.padEnd(width)}  ${account.displayName} — ${roles.join('; ')}`;
  });
}

async function main(): Promise<void> {
  // The demo never uses the normal ./data: its own directory unless DATA_DIR says otherwise, always in demo mode.
  const config: Config = loadConfig({ ...process.env, DATA_DIR: process.env.DATA_DIR ?? DEMO_DATA_DIR, DEMO_MODE: 'true' });
  const normalDataDir = loadConfig({}).dataDir;
  if (config.dataDir === normalDataDir) {
    throw new Error(`${config.dataDir} is the normal data directory; the demo needs its own. Unset DATA_DIR.`);
  }
  resetDemoDirectory(config.dataDir);
  const db = openDatabase(databaseFile(config.dataDir));
  runMigrations(db);
  const seed = await seedDemo(db);
  const orgNames = new Map(listOrganisations(db).map((org) => [org.id, org.name]));
  db.$client.close();

  await startServer(config);
  process.stdout.write(
    [
      '',
      `BVTE demo (bản trình diễn) at ${config.publicUrl}`,
      `Data: ${config.dataDir} (made-up data, deleted and re-seeded on every run)`,
      `Password for every account (mật khẩu): ${DEMO_PASSWORD}`,
      ...accountLines(orgNames, seed.orgs),
      `Intake API key (khóa API tiếp nhận): ${DEMO_API_KEY}`,
      '',
    ].join('\n') + '\n',
  );
}

main().catch(exitOnStartupFailure);
