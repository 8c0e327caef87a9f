import type { Browser, Page, Request, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { issueSetupToken } from '../../src/auth/setup-link.js';
import { testConfig } from '../../src/config/config.js';
import { DEMO_ACCOUNTS } from '../../src/demo/seed.js';
import { freshDatabase, removeDatabase } from '../helpers/db.js';
import { AXE_TAGS, isBlocking, runAxe, type AxeViolation } from './axe.js';
import { browserAvailable, launchBrowser, signedIn, startDemoServer, type DemoServer } from './harness.js';
import { crawl, crawlableLinks, declaredRouteOf, PageBudget, pageKey, routeMatchers, type RouteMatcher } from './page-crawl.js';
import { checkHtml } from './vnu.js';

/**
 * Issue 6: every page of every role, with the demo data, passes axe-core (WCAG 2.1 A and AA) with no
 * serious or critical violation, and the Nu HTML Checker finds no error in the HTML the server sent.
 *
 * Pages are found by crawling each demo account's links from its home page (one or two instances of
 * each page), plus the public pages and the states no link leads to: forms re-rendered with their
 * errors, error pages, the first-run setup, the role switch and the English interface. The declared GET
 * routes are then checked off against what was opened.
 */

/** Declared GET routes that are not pages of their own, and why they are not opened. */
const NOT_PAGES: Record<string, string> = {
  '/healthz': 'health probe (JSON)',
  '/statistics/export.csv': 'download (CSV)',
  '/statistics/export.xlsx': 'download (XLSX)',
  '/cases/:id/documents/:documentId': 'download of an uploaded document',
  '/cases/:id/plan/measure-row': 'htmx fragment (one row of the plan table), shown inside the case page which is checked',
};

const PHONE = { width: 360, height: 780 };

interface AuditedPage {
  label: string;
  /** Where the browser ended up, and what was asked for (they differ after a redirect). */
  url: string;
  requested: string;
  status: number;
  /** The HTML the server sent; null for a state reached by an htmx swap, whose response is only a fragment. */
  html: string | null;
  violations: AxeViolation[];
}

/** The first URL asked for, before any redirect. */
function firstRequested(request: Request): string {
  let first = request;
  for (let previous = first.redirectedFrom(); previous; previous = previous.redirectedFrom()) first = previous;
  return first.url();
}

/** The next document the main frame receives that is not a redirect: what the user ends up looking at. */
function nextDocument(page: Page): Promise<Response> {
  return page.waitForResponse(
    (response) =>
      response.request().isNavigationRequest() && response.frame() === page.mainFrame() && (response.status() < 300 || response.status() >= 400),
  );
}

describe.skipIf(!browserAvailable)('accessibility and valid HTML of every page', () => {
  let server: DemoServer;
  let browser: Browser;
  let matchers: RouteMatcher[];
  const audited: AuditedPage[] = [];

  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchBrowser();
    matchers = routeMatchers(server.app.declaredRoutes.filter((route) => route.method === 'GET').map((route) => route.url));
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Checks the page as it is shown now with axe, and keeps the HTML the server sent for the Nu checker. */
  async function audit(page: Page, label: string, response: Response | null): Promise<void> {
    if (!response) throw new Error(`${label}: no response`);
    const html = await response.text();
    const violations = await runAxe(page);
    audited.push({ label, url: page.url(), requested: firstRequested(response.request()), status: response.status(), html, violations });
  }

  /**
   * Submits a form through htmx (as a user with JavaScript does) and checks the page once the answer is
   * swapped in. The fragment itself is not a document for the Nu checker; the same state is re-rendered
   * whole by the native submission or by reloading the page, which are checked.
   */
  async function submitWithHtmx(page: Page, label: string, formSelector: string, submitter?: string): Promise<number> {
    const responded = page.waitForResponse((response) => response.request().method() === 'POST' && response.request().headers()['hx-request'] === 'true');
    if (submitter) await page.click(`${formSelector} ${submitter}`);
    else await page.$eval(formSelector, (form) => (form as HTMLFormElement).requestSubmit());
    const response = await responded;
    await page.waitForFunction(() => document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling') === null);
    audited.push({ label, url: page.url(), requested: response.url(), status: response.status(), html: null, violations: await runAxe(page) });
    return response.status();
  }

  async function open(page: Page, label: string, path: string): Promise<void> {
    await audit(page, label, await page.goto(new URL(path, server.baseUrl).href));
  }

  /** Clicks something that loads a new page, and audits that page. */
  async function clickThrough(page: Page, label: string, selector: string): Promise<void> {
    const [response] = await Promise.all([nextDocument(page), page.click(selector)]);
    await page.waitForLoadState('load');
    await audit(page, label, response);
  }

  /**
   * Submits a form as a browser without JavaScript does (htmx stays out), so the answer is the whole page,
   * e.g. re-rendered with its validation errors.
   */
  async function submitNatively(page: Page, label: string, formSelector: string): Promise<void> {
    const responded = nextDocument(page);
    await page.$eval(formSelector, (form) => HTMLFormElement.prototype.submit.call(form));
    const response = await responded;
    await page.waitForLoadState('load');
    await audit(page, label, response);
  }

  async function publicPages(): Promise<void> {
    const context = await browser.newContext({ viewport: PHONE, locale: 'vi-VN' });
    const page = await context.newPage();
    await open(page, 'public: login', '/login');
    await page.fill('#username', 'giaovien');
    await page.fill('#password', 'not the password');
    await clickThrough(page, 'public: login refused (401)', 'main button[type=submit]');
    await open(page, 'public: report', '/report');
    await submitNatively(page, 'public: report with errors (400)', 'form[action="/report"]');
    await page.fill('#description', 'Cháu bé hàng xóm thường bị bỏ đói, khóc nhiều đêm.');
    await page.selectOption('#residence_org_id', { index: 1 });
    await page.locator('input[name="immediate_danger"][value="no"]').check();
    await clickThrough(page, 'public: report received', 'form[action="/report"] button[type=submit]');
    const receipt = (await page.textContent('.receipt-code'))?.trim() ?? '';
    expect(receipt).not.toBe('');

    await open(page, 'public: report status', '/report/status');
    await page.fill('#code', 'NOT-A-CODE');
    await clickThrough(page, 'public: report status not found (404)', 'form[action="/report/status"] button[type=submit]');
    await page.fill('#code', receipt);
    await clickThrough(page, 'public: report status found', 'form[action="/report/status"] button[type=submit]');
    await submitNatively(page, 'public: add information with errors (400)', 'form[action="/report/status/add"]');
    await page.fill('#text', 'Sáng nay cháu vẫn chưa được ăn.');
    await clickThrough(page, 'public: information added', 'form[action="/report/status/add"] button[type=submit]');

    await open(page, 'public: not found (404)', '/no-such-page');
    await open(page, 'public: spent setup link (410)', '/setup/not-a-token');
    await context.close();
  }

  /** The first-run page only exists while there are no users, so it needs an empty database of its own. */
  async function setupPages(): Promise<void> {
    const database = freshDatabase();
    const app = await buildApp({ config: testConfig({ dataDir: database.dataDir }), db: database.db });
    try {
      const token = issueSetupToken(database.db, 60_000);
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      if (!token || !address || typeof address === 'string') throw new Error('no setup server');
      const context = await browser.newContext({ viewport: PHONE, locale: 'vi-VN' });
      const page = await context.newPage();
      await audit(page, 'public: first-run setup', await page.goto(`http://127.0.0.1:${address.port}/setup/${token}`));
      await submitNatively(page, 'public: first-run setup with errors (400)', 'main form');
      await context.close();
    } finally {
      await app.close();
      removeDatabase(database);
    }
  }

  /** What each role reaches by following links from its home page. */
  async function crawlRoles(budget: PageBudget): Promise<Map<string, string[]>> {
    const reached = new Map<string, string[]>();
    for (const account of DEMO_ACCOUNTS) {
      const { context, page } = await signedIn(browser, server.baseUrl, account.username, PHONE);
      const visited = await crawl(new URL(`${server.baseUrl}/`), (url) => pageKey(url, matchers), budget, async (url) => {
        await audit(page, `${account.username}: ${url.pathname}${url.search}`, await page.goto(url.href));
        return crawlableLinks(page, server.baseUrl);
      });
      reached.set(account.username, [...new Set(visited.map((url) => pageKey(url, matchers)))]);
      process.stdout.write(`${account.username}: ${visited.length} pages, ${audited.length} in all\n`);
      await context.close();
    }
    return reached;
  }

  async function as(username: string, steps: (page: Page) => Promise<void>): Promise<void> {
    const { context, page } = await signedIn(browser, server.baseUrl, username, PHONE);
    try {
      await steps(page);
    } finally {
      await context.close();
    }
  }

  function casesByState(orgId: number): { id: number; state: string }[] {
    return server.database.db.$client.prepare('SELECT min(id) AS id, state FROM cases WHERE org_id = ? GROUP BY state ORDER BY state').all(orgId) as {
      id: number;
      state: string;
    }[];
  }

  /**
   * The demo data has a case waiting for its plan but no plan yet: the commune worker drafts one (the
   * form with errors first), which also makes a plan version to open.
   */
  async function writePlan(page: Page): Promise<void> {
    const planning = casesByState(server.seed.orgs.kinhBac).find((row) => row.state === 'planning');
    if (!planning) throw new Error('the demo data has no case in planning');
    await open(page, 'canboxa: case in planning', `/cases/${planning.id}`);
    await submitWithHtmx(page, 'canboxa: case note with errors (htmx, 400)', 'form[action$="/notes"]');
    await submitNatively(page, 'canboxa: plan with errors (400)', 'form.plan-form');
    await page.fill('#plan-goals', 'Em được đi học đều và có người lớn chăm sóc mỗi ngày.');
    await page.selectOption('#plan-m0-kind', { index: 1 });
    await page.fill('#plan-m0-description', 'Gặp gia đình mỗi tuần, theo dõi việc đi học.');
    await page.selectOption('#plan-m0-org', { index: 1 });
    await page.fill('#plan-m0-starts', '2026-03-02');
    await page.fill('#plan-m0-ends', '2026-06-30');
    expect(await submitWithHtmx(page, 'canboxa: plan draft saved (htmx)', 'form.plan-form', 'button[value=draft]')).toBe(200);
    await open(page, 'canboxa: case with a draft plan', `/cases/${planning.id}`);
    await open(page, 'canboxa: plan version 1', `/cases/${planning.id}/plans/1`);
  }

  /** States that following links does not reach: refusals, forms with errors, role switch, English. */
  async function interactiveStates(): Promise<void> {
    await as('giaovien', async (page) => {
      await open(page, 'giaovien: forbidden (403)', '/admin/users');
      await open(page, 'giaovien: new flag', '/flags/new');
      await submitNatively(page, 'giaovien: new flag with errors (400)', 'form[action="/flags"]');
      await open(page, 'giaovien: account', '/account');
      await submitNatively(page, 'giaovien: password change with errors (400)', 'form[action="/account/password"]');
    });
    await as('tongdai111', async (page) => {
      await open(page, 'tongdai111: new call', '/hotline/calls/new');
      await submitNatively(page, 'tongdai111: call with errors (400)', 'main form[action="/hotline/calls"][novalidate]');
    });
    await as('quantri', async (page) => {
      await open(page, 'quantri: new user', '/admin/users/new');
      await submitNatively(page, 'quantri: new user with errors (400)', 'form[action="/admin/users"]');
    });
    await as('canboxa', async (page) => {
      await open(page, 'canboxa: case not found (404)', '/cases/999999999');
      // The case page shows different sections in each state: one case of each state in the commune.
      for (const { id, state } of casesByState(server.seed.orgs.kinhBac)) await open(page, `canboxa: case in state ${state}`, `/cases/${id}`);
      await writePlan(page);
    });
    await as('giamsat', async (page) => {
      await page.selectOption('#active-role', { index: 1 });
      await clickThrough(page, 'giamsat: after switching role', '.role-switch button[type=submit]');
    });
    await as('chutichxa', async (page) => {
      // The chair sees other forms on the same cases (approving a plan, deciding a closure).
      for (const { id, state } of casesByState(server.seed.orgs.kinhBac)) await open(page, `chutichxa: case in state ${state}`, `/cases/${id}`);
      await clickThrough(page, 'chutichxa (English): home', '.language-switch button[value=en]');
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      const caseLink = page.locator('main a[href^="/cases/"]').first();
      if ((await caseLink.count()) > 0) await open(page, 'chutichxa (English): a case', (await caseLink.getAttribute('href')) ?? '/');
      await open(page, 'chutichxa (English): search', '/search?q=a');
      await open(page, 'chutichxa (English): statistics', '/statistics');
      await clickThrough(page, 'chutichxa: back to Vietnamese', '.language-switch button[value=vi]');
    });
  }

  // The two checks after this one read the pages this one collects.
  it('every page of every role has no serious or critical axe-core violation', async () => {
    const started = Date.now();
    const stage = (name: string): void => void process.stdout.write(`${name}: ${audited.length} pages after ${Math.round((Date.now() - started) / 1000)} s\n`);
    await publicPages();
    stage('public');
    await setupPages();
    stage('setup');
    const reached = await crawlRoles(new PageBudget(2, 3, 60));
    stage('crawl');
    await interactiveStates();
    stage('states');

    for (const [username, pages] of reached) process.stdout.write(`${username} (${pages.length}): ${pages.join(' ')}\n`);
    process.stdout.write(`axe (${AXE_TAGS.join(', ')}): ${audited.length} pages in ${Math.round((Date.now() - started) / 1000)} s\n`);

    // Moderate and minor findings do not fail the test; they are listed so they stay visible.
    const others = new Map<string, number>();
    for (const violation of audited.flatMap((page) => page.violations.filter((v) => !isBlocking(v)))) {
      others.set(`${violation.rule} (${violation.impact})`, (others.get(`${violation.rule} (${violation.impact})`) ?? 0) + 1);
    }
    process.stdout.write(`axe moderate/minor: ${others.size === 0 ? 'none' : [...others].map(([rule, pages]) => `${rule} on ${pages} pages`).join(', ')}\n`);
    const blocking = audited.flatMap((page) =>
      page.violations.filter(isBlocking).map((violation) => `${page.label} [${page.url}]: ${violation.rule} (${violation.impact}) ${violation.help} → ${violation.targets.join(' | ')}`),
    );
    expect(blocking).toEqual([]);
  }, 420_000);

  it('every declared GET page was opened, or is listed as not a page with a reason', () => {
    // A refusal or a 404 at a route's address does not show its page.
    const shown = audited.filter((page) => page.status < 400);
    const opened = new Set(shown.flatMap((page) => [page.url, page.requested].map((url) => declaredRouteOf(new URL(url), matchers))));
    const pageRoutes = server.app.declaredRoutes.filter((route) => route.method === 'GET' && !route.url.startsWith('/static/'));
    const missed = pageRoutes.filter((route) => !opened.has(route.url) && !(route.url in NOT_PAGES)).map((route) => route.url);
    expect(missed).toEqual([]);
    // An exclusion for a route that no longer exists would hide nothing; keep the list honest.
    expect(Object.keys(NOT_PAGES).filter((url) => !pageRoutes.some((route) => route.url === url))).toEqual([]);
  });

  it('the Nu HTML Checker finds no error in the HTML served for the same pages', async () => {
    expect(audited.length).toBeGreaterThan(50);
    const started = Date.now();
    const documents = audited.flatMap((page) => (page.html === null ? [] : [{ label: `${page.label} [${page.url}]`, html: page.html }]));
    const messages = await checkHtml(documents);
    const notes = new Map<string, number>();
    for (const { subType, type, message } of messages) notes.set(`${subType ?? type}: ${message}`, (notes.get(`${subType ?? type}: ${message}`) ?? 0) + 1);
    process.stdout.write(`vnu: ${documents.length} documents in ${Math.round((Date.now() - started) / 1000)} s; ${notes.size === 0 ? 'no messages' : [...notes].map(([note, count]) => `${count}× ${note}`).join('; ')}\n`);
    // Only errors fail (including a document the checker could not read); warnings and info are allowed.
    const errors = messages.filter((message) => message.type === 'error' || message.type === 'non-document-error');
    expect(errors.map((error) => `${error.label}:${error.line ?? '?'} ${error.message} «${error.extract ?? ''}»`)).toEqual([]);
  }, 120_000);
});
