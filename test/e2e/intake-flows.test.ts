import { describe, expect, it } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { createOrganisation } from '../../src/orgs/repository.js';
import { browserAvailable, demoInBrowser, signedIn } from './harness.js';

describe.skipIf(!browserAvailable)('how a concern comes in, in the browser', () => {
  const demo = demoInBrowser(60_000);

  it('at 360 px a teacher flags a concern with the body map, the school lead forwards it, and the commune worker sees it in triage with the clock running', async () => {
    const { baseUrl } = demo.server;

    const teacher = await signedIn(demo.browser, baseUrl, 'giaovien');
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

    const lead = await signedIn(demo.browser, baseUrl, 'bgh');
    await lead.page.goto(`${baseUrl}/flags`);
    await lead.page.getByRole('link', { name: /Đặng Quốc Bảo/ }).first().click();
    expect(await lead.page.textContent('main')).toContain('Vết bầm tím khoảng 5 cm');
    await lead.page.fill('textarea[name="lead_context"]', 'Gia đình có tiền sử bạo lực, em sống cùng bố.');
    await lead.page.locator('form[action$="/forward"] button[type=submit]').click();
    await lead.page.waitForLoadState('domcontentloaded');
    const reference = (await lead.page.textContent('main'))?.match(/BV-\d{4}-\d{6}/)?.[0];
    expect(reference).toBeTruthy();
    await lead.context.close();

    const worker = await signedIn(demo.browser, baseUrl, 'canboxa');
    await worker.page.goto(`${baseUrl}/triage`);
    const row = worker.page.locator('tr', { hasText: reference! });
    await expect.poll(() => row.count()).toBe(1);
    const countdown = await row.locator('time').first().textContent();
    expect(countdown).toMatch(/giờ|phút/);
    expect(worker.cspErrors).toEqual([]);
    await worker.context.close();
  }, 90_000);

  it('an anonymous call to 111 becomes an intake in the commune of residence', async () => {
    const { baseUrl, seed, database } = demo.server;
    const operator = await signedIn(demo.browser, baseUrl, 'tongdai111', { width: 1280, height: 900 });
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
  it('with several provinces, the commune list follows the province chosen, with JavaScript and without', async () => {
    const { baseUrl, database } = demo.server;
    const other = createOrganisation(database.db, SYSTEM_AUDIT_CONTEXT, { name: 'Tỉnh Lạng Sơn', kind: 'province', parentId: null });
    const far = createOrganisation(database.db, SYSTEM_AUDIT_CONTEXT, { name: 'Xã Mẫu Sơn', kind: 'commune', parentId: other });

    // htmx: choosing the province swaps in its communes, and what was typed stays.
    const withScript = await demo.browser.newContext({ locale: 'vi-VN' });
    const page = await withScript.newPage();
    await page.goto(`${baseUrl}/report`);
    await page.fill('#description', 'Cháu bé hàng xóm bị bỏ đói nhiều ngày.');
    await page.selectOption('#residence_province', String(other));
    await expect.poll(() => page.locator(`#residence_org_id option[value="${far}"]`).count()).toBe(1);
    await page.selectOption('#residence_org_id', String(far));
    expect(await page.inputValue('#description')).toBe('Cháu bé hàng xóm bị bỏ đói nhiều ngày.');
    await withScript.close();

    // Without JavaScript the button posts the form back with the province's communes.
    const withoutScript = await demo.browser.newContext({ locale: 'vi-VN', javaScriptEnabled: false });
    const plain = await withoutScript.newPage();
    await plain.goto(`${baseUrl}/report`);
    await plain.fill('#description', 'Cháu bé hàng xóm bị bỏ đói nhiều ngày.');
    await plain.selectOption('#residence_province', String(other));
    await Promise.all([plain.waitForLoadState('domcontentloaded'), plain.click('button[name="_communes"][value="residence_org_id"]')]);
    expect(await plain.locator(`#residence_org_id option[value="${far}"]`).count()).toBe(1);
    expect(await plain.inputValue('#description')).toBe('Cháu bé hàng xóm bị bỏ đói nhiều ngày.');
    await withoutScript.close();
  }, 60_000);
});
