import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config/config.js';
import { DEMO_PASSWORD, seedDemo, type DemoSeed } from '../../src/demo/seed.js';
import { freshDatabase, removeDatabase, type TestDatabase } from '../helpers/db.js';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Browser tests need Debian's chromium (never a downloaded browser). CI installs it and must run them;
 * on a developer machine without it they are skipped with a note rather than failing the suite.
 */
export const browserAvailable = fs.existsSync(CHROMIUM);
if (!browserAvailable && process.env.CI) throw new Error(`${CHROMIUM} is missing: CI must install the chromium package`);
if (!browserAvailable) process.stderr.write(`Skipping browser tests: ${CHROMIUM} is not installed (apt-get install chromium)\n`);

export interface DemoServer {
  baseUrl: string;
  app: FastifyInstance;
  seed: DemoSeed;
  database: TestDatabase;
  close(): Promise<void>;
}

/** The real app on a loopback port, over a fresh copy of the demo data. */
export async function startDemoServer(): Promise<DemoServer> {
  const database = freshDatabase();
  const seed = await seedDemo(database.db);
  const app = await buildApp({ config: testConfig({ dataDir: database.dataDir, demo: true }), db: database.db });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server has no port');
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    app,
    seed,
    database,
    async close() {
      await app.close();
      removeDatabase(database);
    },
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * For a describe block: the demo server and Chromium, started before its tests and stopped after.
 * Read `server` and `browser` inside the tests, once they run.
 */
export function demoInBrowser(startTimeoutMs: number): { readonly server: DemoServer; readonly browser: Browser } {
  let server: DemoServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchBrowser();
  }, startTimeoutMs);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get server() {
      if (!server) throw new Error('the demo server is not running');
      return server;
    },
    get browser() {
      if (!browser) throw new Error('the browser is not running');
      return browser;
    },
  };
}

/** A phone-sized browser context (360 px wide), signed in as one of the demo accounts. */
export async function signedIn(
  browser: Browser,
  baseUrl: string,
  username: string,
  viewport = { width: 360, height: 780 },
): Promise<{ context: BrowserContext; page: Page; cspErrors: string[] }> {
  const context = await browser.newContext({ viewport, locale: 'vi-VN' });
  const page = await context.newPage();
  const cspErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
  });
  await page.goto(`${baseUrl}/login`);
  await page.fill('#username', username);
  await page.fill('#password', DEMO_PASSWORD);
  await Promise.all([page.waitForURL(`${baseUrl}/`), page.click('button[type=submit].primary')]);
  return { context, page, cspErrors };
}
