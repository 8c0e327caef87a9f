import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, signedIn, startDemoServer, type DemoServer } from './harness.js';

describe.skipIf(!browserAvailable)('how a concern comes in, in the browser', () => {
  let server: DemoServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('at 360 px a teacher flags a concern with the body map, the school lead forwards it, and the commune worker sees it in triage with the clock running', async () => {
    const { baseUrl } = server;

    const teacher = await signedIn(browser, baseUrl, 'giaovien');
    await teacher.page.goto(`${baseUrl}/flags/new`);
    expect(await teacher.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await teacher.page.getByLabel('Đặng Quốc Bảo').check();
    await teacher.page.locator('details.category-group').first().locator('summary').click();
    await teacher.page.locator('input[name="categories"][value="abuse_violence_physical"]').check();
    await teacher.page.fill('#description', 'Em có vết bầm lớn ở cánh tay trái, nói bị bố đánh tối qua.');
    await teacher.page.locator('#danger-no').check();
    const region = teacher.page.locator('svg .body-region[data-region="front_upper_arm_left"]');
    await region.click();
    await expect.poll(() => region.getAttribute('aria-pressed')).toBe('true');
    await teacher.page.locator('textarea[name="body_note_front_upper_arm_left"], input[name="body_note_front_upper_arm_left"]').fill('Vết bầm tím khoảng 5 cm');
    await Promise.all([teacher.page.waitForURL(/\/flags\/mine/), teacher.page.click('form[action="/flags"] button[type=submit].primary')]);
    expect(await teacher.page.textContent('main')).toContain('Đặng Quốc Bảo'.split(' ').at(-1));
    expect(teacher.cspErrors).toEqual([]);
    await teacher.context.close();

    const lead = await signedIn(browser, baseUrl, 'bgh');
    await lead.page.goto(`${baseUrl}/flags`);
    await lead.page.getByRole('link', { name: /Đặng Quốc Bảo/ }).first().click();
    expect(await lead.page.textContent('main')).toContain('Vết bầm tím khoảng 5 cm');
    await lead.page.fill('textarea[name="lead_context"]', 'Gia đình có tiền sử bạo lực, em sống cùng bố.');
    await lead.page.locator('form[action$="/forward"] button[type=submit]').click();
    await lead.page.waitForLoadState('domcontentloaded');
    const reference = (await lead.page.textContent('main'))?.match(/BV-\d{4}-\d{6}/)?.[0];
    expect(reference).toBeTruthy();
    await lead.context.close();

    const worker = await signedIn(browser, baseUrl, 'canboxa');
    await worker.page.goto(`${baseUrl}/triage`);
    const row = worker.page.locator('tr', { hasText: reference! });
    await expect.poll(() => row.count()).toBe(1);
    const countdown = await row.locator('time').first().textContent();
    expect(countdown).toMatch(/giờ|phút/);
    expect(worker.cspErrors).toEqual([]);
    await worker.context.close();
  }, 90_000);

  it('an anonymous call to 111 becomes an intake in the commune of residence', async () => {
    const { baseUrl, seed, database } = server;
    const operator = await signedIn(browser, baseUrl, 'tongdai111', { width: 1280, height: 900 });
    await operator.page.goto(`${baseUrl}/hotline/calls/new`);
    await operator.page.locator('input[name="call_type"][value="about_child"]').check();
    await operator.page.fill('#child_name', 'Lê Văn Tí');
    await operator.page.fill('#child_estimated_age', '10');
    await operator.page.selectOption('#residence_org_id', String(seed.orgs.voCuong));
    await operator.page.fill('#description', 'Người gọi giấu tên báo trẻ bị bỏ mặc, thường xuyên nhịn đói.');
    await operator.page.locator('input[name="immediate_danger"][value="no"]').check();
    await operator.page.locator('form[action="/hotline/calls"] button[type=submit].primary').click();
    await operator.page.waitForLoadState('domcontentloaded');
    const reference = (await operator.page.textContent('main'))?.match(/BV-\d{4}-\d{6}/)?.[0];
    expect(reference).toBeTruthy();
    await operator.context.close();

    const stored = database.db.$client
      .prepare(
        `SELECT c.org_id AS orgId, c.state, c.channel, i.reporter_name AS reporterName, i.reporter_phone AS reporterPhone
         FROM cases c JOIN intakes i ON i.case_id = c.id WHERE c.reference = ?`,
      )
      .get(reference) as { orgId: number; state: string; channel: string; reporterName: string | null; reporterPhone: string | null };
    expect(stored).toEqual({ orgId: seed.orgs.voCuong, state: 'intake', channel: 'hotline', reporterName: null, reporterPhone: null });
  }, 60_000);
});
