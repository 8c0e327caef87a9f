// Who may not see a case, in the browser: a teacher, a social worker of a centre the case was NOT
// referred to, and an administrator each get the 403 page (in Vietnamese, the refusal on record) for
// the case and its printouts, and find the case in none of the lists and searches their role opens.
// The social worker of the centre that accepted the referral is the control: the same searches find it.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { hashPassword } from '../../src/auth/password.js';
import { createReferral, decideReferral } from '../../src/casework/referrals/service.js';
import { findReferral } from '../../src/casework/referrals/repository.js';
import { applyCaseEvent, type CaseCommand } from '../../src/cases/service.js';
import { writeTransaction } from '../../src/db/client.js';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';
import { translator } from '../../src/i18n/i18n.js';
import { createIntake } from '../../src/intake/service.js';
import { createOrganisation } from '../../src/orgs/repository.js';
import type { Actor } from '../../src/permissions/actor.js';
import { activeAssignments, createUser } from '../../src/users/repository.js';
import { browserAvailable, launchBrowser, signedIn, startDemoServer, type DemoServer } from './harness.js';

const vn = translator('vi');
const DESKTOP = { width: 1280, height: 900 };
const CHILD = 'Quách Thị Thảo Vy';
const OTHER_CENTRE_USER = 'ctxh.so2';

/** What a refused page must say: the localised 403 title and message. */
const FORBIDDEN_TITLE = vn('error.title_403');
const FORBIDDEN_MESSAGE = vn('error.forbidden');

describe.skipIf(!browserAvailable)('a case stays out of reach of those with no part in it', () => {
  let server: DemoServer;
  let browser: Browser;
  let caseId: number;
  let reference: string;
  let otherSocialWorkerId: number;

  const actorOf = (userId: number): Actor => {
    const assignment = activeAssignments(server.database.db, userId)[0]!;
    return { userId, assignmentId: assignment.id, role: assignment.role, orgId: assignment.orgId };
  };

  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchBrowser();
    const { database, seed, app } = server;
    const db = database.db;

    // A second social work centre in the same province, which the case is never referred to, with its
    // own social worker (signing in like the demo accounts).
    const otherCentre = createOrganisation(db, SYSTEM_AUDIT_CONTEXT, { name: 'Trung tâm Công tác xã hội số 2 tỉnh Bắc Ninh', kind: 'social_work_centre', parentId: seed.orgs.province });
    otherSocialWorkerId = createUser(db, SYSTEM_AUDIT_CONTEXT, {
      username: OTHER_CENTRE_USER,
      displayName: 'Lương Thị Hồng',
      passwordHash: await hashPassword(DEMO_PASSWORD),
      homeOrgId: otherCentre,
      assignments: [{ role: 'social_worker', orgId: otherCentre }],
    });

    // A case of Phường Kinh Bắc, taken through the services up to an approved plan and an accepted referral.
    const opened = writeTransaction(db, (tx) =>
      createIntake(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT, recordedBy: null }, {
        channel: 'hotline',
        medium: 'phone',
        receivedAt: new Date(Date.now() - 3_600_000).toISOString(),
        sourceOrgId: seed.orgs.hotline,
        child: { name: CHILD, birthDate: '2015-09-02', sex: 'female' },
        residenceOrgId: seed.orgs.kinhBac,
        description: 'Cháu thường xuyên bị bỏ đói, phải đi nhặt ve chai đến khuya.',
        immediateDanger: false,
        categories: [],
        reporter: { consented: false },
      }),
    );
    if (!opened) throw new Error('no responsible commune');
    caseId = opened.caseId;
    reference = opened.reference;
    const worker = actorOf(seed.users.canboxa);
    const chair = actorOf(seed.users.chutichxa);
    const commands: CaseCommand[] = [
      { type: 'TAKE' },
      { type: 'DECIDE_SUPPORT' },
      { type: 'RECORD_NEEDS_MEETING' },
      { type: 'COMPLETE_ASSESSMENT' },
      { type: 'SUBMIT_PLAN' },
      { type: 'APPROVE_PLAN' },
    ];
    for (const command of commands) {
      const actor = command.type === 'APPROVE_PLAN' ? chair : worker;
      const result = applyCaseEvent(db, app.orgRelations, { actor, audit: SYSTEM_AUDIT_CONTEXT }, caseId, command);
      if (!result.ok) throw new Error(`${command.type}: ${result.reason}`);
    }
    writeTransaction(db, (tx) => {
      const referralId = createReferral(tx, { actor: worker, audit: SYSTEM_AUDIT_CONTEXT }, caseId, {
        toOrgId: seed.orgs.socialWorkCentre,
        reason: 'Cần hỗ trợ dinh dưỡng và tư vấn cho gia đình.',
        consent: 'guardian',
        overrideReason: null,
      });
      const accepted = decideReferral(tx, { actor: actorOf(seed.users.ctxh), audit: SYSTEM_AUDIT_CONTEXT }, findReferral(tx, referralId)!, { accept: true });
      if (!accepted) throw new Error('referral not accepted');
    });
    expect(database.db.$client.prepare('SELECT state FROM cases WHERE id = ?').get(caseId)).toEqual({ state: 'implementation' });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens a page; the status, whether it is the localised 403 page, and whether the case shows anywhere in it. */
  async function visit(page: Page, path: string): Promise<{ path: string; status: number; forbidden: boolean; showsCase: boolean }> {
    const response = await page.goto(`${server.baseUrl}${path}`);
    const main = (await page.locator('main').textContent()) ?? '';
    const forbidden = (await page.locator('main h1').first().textContent()) === FORBIDDEN_TITLE && main.includes(FORBIDDEN_MESSAGE);
    // What the page says and links to (a search box keeps the typed name as its value: that is not the case showing).
    const said = `${await page.title()}\n${main}`;
    const showsCase = said.includes(reference) || said.includes(CHILD) || (await page.locator(`a[href^="/cases/${caseId}"]`).count()) > 0;
    return { path, status: response?.status() ?? 0, forbidden, showsCase };
  }

  const search = `/search?q=${encodeURIComponent(CHILD)}`;
  const casePages = (): string[] => [`/cases/${caseId}`, `/cases/${caseId}/print/mau-01`, `/cases/${caseId}/print/mau-04`];

  /** Each case page is the 403 page, with the refusal recorded against the user. */
  async function expectRefusedCase(page: Page, userId: number): Promise<void> {
    for (const path of casePages()) {
      expect(await visit(page, path)).toEqual({ path, status: 403, forbidden: true, showsCase: false });
    }
    const refusals = server.database.db.$client
      .prepare("SELECT action FROM audit_log WHERE actor_user_id = ? AND outcome = 'refused' AND action = 'case.read'")
      .all(userId);
    expect(refusals.length).toBeGreaterThanOrEqual(casePages().length);
  }

  /** Pages the role opens (200) never show the case; pages it cannot open are the 403 page. */
  async function expectLists(page: Page, open: string[], closed: string[]): Promise<void> {
    for (const path of open) expect(await visit(page, path)).toEqual({ path, status: 200, forbidden: false, showsCase: false });
    for (const path of closed) expect(await visit(page, path)).toEqual({ path, status: 403, forbidden: true, showsCase: false });
  }

  it('the social worker of the centre that accepted the referral finds and opens the case (the control)', async () => {
    const { context, page, cspErrors } = await signedIn(browser, server.baseUrl, 'ctxh', DESKTOP);
    // The header search box, as a user would use it.
    await page.fill('#header-search-q', CHILD);
    await Promise.all([page.waitForURL(/\/search\?q=/), page.locator('form.header-search button[type=submit]').click()]);
    expect(await page.locator('table.search-results tbody tr').count()).toBe(1);
    expect(await page.locator('table.search-results').textContent()).toContain(reference);
    // Its referrals page lists the accepted referral with a link to the case.
    expect(await visit(page, '/referrals')).toMatchObject({ status: 200, showsCase: true });
    const opened = await visit(page, `/cases/${caseId}`);
    expect(opened).toMatchObject({ status: 200, forbidden: false, showsCase: true });
    expect(cspErrors).toEqual([]);
    await context.close();
  }, 180_000);

  it('a teacher gets the 403 page for the case and its printouts, and has no case list or search', async () => {
    const { context, page, cspErrors } = await signedIn(browser, server.baseUrl, 'giaovien');
    await expectRefusedCase(page, server.seed.users.giaovien);
    expect(await page.locator('#header-search-q').count()).toBe(0);
    await expectLists(page, ['/', '/flags/mine'], [search, '/triage', '/referrals', '/flags']);
    expect(cspErrors).toEqual([]);
    await context.close();
  }, 180_000);

  it('a social worker of another centre gets the 403 page, and neither the worklist, the referrals nor the search show the case', async () => {
    const { context, page, cspErrors } = await signedIn(browser, server.baseUrl, OTHER_CENTRE_USER, DESKTOP);
    await expectRefusedCase(page, otherSocialWorkerId);
    // The search this role may run, through the header box: nothing found in its reach.
    await page.goto(`${server.baseUrl}/`);
    await page.fill('#header-search-q', CHILD);
    await Promise.all([page.waitForURL(/\/search\?q=/), page.locator('form.header-search button[type=submit]').click()]);
    expect(await page.locator('main').textContent()).toContain(vn('search.empty'));
    expect(await page.locator('table.search-results').count()).toBe(0);
    await expectLists(page, ['/', search, `/search?q=${encodeURIComponent(reference)}`, '/referrals'], ['/triage']);
    expect(cspErrors).toEqual([]);
    await context.close();
  }, 180_000);

  it('an administrator gets the 403 page for the case and its printouts, and has no case list or search', async () => {
    const { context, page, cspErrors } = await signedIn(browser, server.baseUrl, 'quantri', DESKTOP);
    await expectRefusedCase(page, server.seed.users.quantri);
    expect(await page.locator('#header-search-q').count()).toBe(0);
    await expectLists(page, ['/', '/admin/users', '/admin/organisations'], [search, '/triage', '/referrals']);
    expect(cspErrors).toEqual([]);
    await context.close();
  }, 180_000);
});
