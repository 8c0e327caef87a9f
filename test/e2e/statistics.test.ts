import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserAvailable, demoInBrowser, signedIn } from './harness.js';

/** Every statistics table on the page: its title, and each row's label and what the reader sees. */
async function tablesOnPage(page: Page): Promise<{ title: string; rows: [string, string][] }[]> {
  return page.$$eval('section.stats-table', (sections) =>
    sections.map((section) => ({
      title: section.querySelector('h3')?.textContent?.trim() ?? '',
      rows: Array.from(section.querySelectorAll('tbody tr')).map((row): [string, string] => [
        row.querySelector('th')?.textContent?.trim() ?? '',
        row.querySelector('td')?.textContent?.trim() ?? '',
      ]),
    })),
  );
}

describe.skipIf(!browserAvailable)('statistics in the browser', () => {
  const demo = demoInBrowser(90_000);

  it('a school board member opens statistics at 360 px, filters, downloads the XLSX, and its numbers match the page', async () => {
    const { baseUrl } = demo.server;
    const { page, context, cspErrors } = await signedIn(demo.browser, baseUrl, 'hoidong');

    await page.locator('nav.site-nav').getByRole('link', { name: 'Thống kê', exact: true }).click();
    await page.waitForURL(`${baseUrl}/statistics`);
    expect(await page.textContent('h1')).toBe('Thống kê ẩn danh');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    // Filter: last year's figures, cases from schools only.
    const year = String(new Date().getFullYear() - 1);
    await page.selectOption('#stats-period', year);
    await page.selectOption('#stats-level', 'school');
    await Promise.all([page.waitForURL(/period=/), page.click('form.stats-filters button[type=submit]')]);
    expect(page.url()).toContain(`period=${year}`);
    expect(page.url()).toContain('level=school');
    expect(await page.textContent('h2.stats-heading')).toContain(`Năm ${year}`);

    const shown = await tablesOnPage(page);
    const channels = shown.find((table) => table.title === 'Thông tin tiếp nhận theo kênh');
    // The school raised enough concerns last year for its teachers' count to be shown as a number.
    expect(channels?.rows.find(([label]) => label === 'Giáo viên, nhà trường')?.[1]).toMatch(/^\d+$/);
    expect(await page.locator('svg[role="img"] title').count()).toBeGreaterThan(5);
    expect(await page.locator('main a[href^="/cases"]').count()).toBe(0);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#stats-download-xlsx')]);
    expect(download.suggestedFilename()).toBe(`thong-ke-${year}-school-all.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(await download.path());
    const rows: string[][] = [];
    workbook.worksheets[0]?.eachRow({ includeEmpty: true }, (row) =>
      rows.push((row.values as unknown[]).slice(1).map((value) => (value === null || value === undefined ? '' : String(value)))),
    );
    expect(rows.find((row) => row[0] === 'Kỳ báo cáo')?.[1]).toBe(`Năm ${year}`);
    expect(rows.find((row) => row[0] === 'Cấp đơn vị')?.[1]).toContain('Trường học');
    expect(rows.find((row) => row[0] === 'Thời điểm tạo')?.[1]).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);

    // Every table on the page is in the file, row for row, with the same numbers, "<5" and "x".
    expect(shown.length).toBeGreaterThan(8);
    for (const table of shown) {
      const start = rows.findIndex((row) => row[0] === table.title);
      expect(start, `${table.title} is in the file`).toBeGreaterThanOrEqual(0);
      if (table.rows.length === 0) continue;
      const exported = rows.slice(start + 2, start + 2 + table.rows.length).map((row): [string, string] => [row[0] ?? '', row[1] ?? '']);
      expect(exported, table.title).toEqual(table.rows.map(([label, text]) => [label, text.replace(/\./g, '')]));
    }
    expect(cspErrors).toEqual([]);
    await context.close();
  }, 90_000);
});
