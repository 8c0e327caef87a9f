import { describe, expect, it } from 'vitest';
import { browserAvailable, demoInBrowser, signedIn } from './harness.js';

describe.skipIf(!browserAvailable)('choosing an organisation in the admin forms, in the browser', () => {
  const demo = demoInBrowser(60_000);

  it('a search by name fills the list in place, Enter searches instead of creating the user, and it works without JavaScript', async () => {
    const { baseUrl, seed, database } = demo.server;
    const school = seed.orgs.primarySchool;
    const users = (): number => (database.db.$client.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
    const before = users();

    const admin = await signedIn(demo.browser, baseUrl, 'quantri', { width: 1024, height: 800 });
    const { page } = admin;
    await page.goto(`${baseUrl}/admin/users/new`);
    expect(await page.locator(`#org_id option[value="${school}"]`).count()).toBe(0);
    await page.fill('#display_name', 'Lê Thị Hoa');
    await page.fill('#org_id_q', 'tieu hoc kinh bac');
    await expect.poll(() => page.locator(`#org_id option[value="${school}"]`).count()).toBe(1);
    await page.fill('#org_id_q', 'tieu hoc kinh');
    await page.press('#org_id_q', 'Enter');
    await expect.poll(() => page.locator('#org_id-found').textContent()).toContain('Tìm thấy 1 đơn vị.');
    expect(page.url()).toBe(`${baseUrl}/admin/users/new`);
    expect(await page.inputValue('#display_name')).toBe('Lê Thị Hoa');
    expect(users()).toBe(before);
    expect(admin.cspErrors).toEqual([]);

    const withoutScript = await demo.browser.newContext({ locale: 'vi-VN', javaScriptEnabled: false });
    await withoutScript.addCookies(await admin.context.cookies());
    const plain = await withoutScript.newPage();
    await plain.goto(`${baseUrl}/admin/users/new`);
    await plain.fill('#display_name', 'Lê Thị Hoa');
    await plain.fill('#org_id_q', 'Kinh Bắc');
    await Promise.all([plain.waitForLoadState('domcontentloaded'), plain.click('button[name="_orgs"][value="org_id"]')]);
    expect(await plain.locator(`#org_id option[value="${school}"]`).count()).toBe(1);
    expect(await plain.inputValue('#display_name')).toBe('Lê Thị Hoa');
    expect(users()).toBe(before);
    await withoutScript.close();
    await admin.context.close();
  }, 60_000);
});
