import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { writeTransaction } from '../../src/db/client.js';
import { createIntake, type IntakeInput } from '../../src/intake/service.js';
import { looksSmall } from '../../src/statistics/suppression.js';
import { computeStatistics } from '../../src/statistics/compute.js';
import { attackerView } from '../unit/suppression-attacker.js';
import { auditActions, createTestApp, login, seedOrgs, seedUser, send, type Browser, type TestApp, type TestOrgs } from '../helpers/app.js';

/** 'YYYY-MM' of the month `back` months before the current one (Viet Nam time is close enough mid-month). */
function monthBefore(now: Date, back: number): string {
  const date = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 15));
  return date.toISOString().slice(0, 7);
}

/** The quarter two to three quarters back, entirely in the past, with its three months. */
function pastQuarter(now: Date): { key: string; months: string[] } {
  const month = monthBefore(now, 7);
  const year = Number(month.slice(0, 4));
  const quarter = Math.ceil(Number(month.slice(5, 7)) / 3);
  const months = [1, 2, 3].map((i) => `${year}-${String((quarter - 1) * 3 + i).padStart(2, '0')}`);
  return { key: `${year}-Q${quarter}`, months };
}

/** RFC 4180 fields of one CSV line (quoted fields may hold commas and doubled quotes). */
function csvFields(line: string): string[] {
  return [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].filter((match) => match.index < line.length || match[1] !== '').map((match) => {
    const field = match[1] ?? '';
    return field.startsWith('"') ? field.slice(1, -1).replace(/""/g, '"') : field;
  });
}

/** The published cells of one statistics table on a page: row label → what the reader sees. */
function tableCells(html: string, tableId: string): Map<string, string> | null {
  const section = new RegExp(`<section class="stats-table" id="table-${tableId}"[\\s\\S]*?</section>`).exec(html)?.[0];
  if (!section) return null;
  const cells = new Map<string, string>();
  for (const row of section.matchAll(/<tr[^>]*>\s*<th scope="row">([^<]*)<\/th>\s*<td[^>]*>([^<]*)<\/td>/g)) {
    cells.set((row[1] ?? '').trim(), (row[2] ?? '').trim().replace(/&lt;/g, '<'));
  }
  return cells;
}

describe('anonymised statistics', () => {
  let t: TestApp;
  let orgs: TestOrgs;
  let browsers: Record<'boardA' | 'boardB' | 'chairA' | 'supervisor' | 'teacher' | 'admin' | 'worker', Browser>;
  const now = new Date();
  const quarter = pastQuarter(now);

  /** A case opened through the real intake service, received on the 10th of `month` at noon. */
  function openCase(month: string, input: Partial<IntakeInput> & { school?: number; commune: number }): number {
    const receivedAt = `${month}-10T05:00:00.000Z`;
    const opened = writeTransaction(t.db, (tx) =>
      createIntake(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT, recordedBy: null }, {
        channel: input.channel ?? 'teacher',
        medium: 'in_person',
        receivedAt,
        sourceOrgId: input.school ?? null,
        child: { name: 'Nguyễn Thị Hoa', estimatedAge: 9, sex: 'female' },
        residenceOrgId: input.commune,
        description: 'Em Hoa có vết bầm ở tay, nói bố đánh.',
        immediateDanger: false,
        categories: input.categories ?? ['abuse_violence_physical'],
        reporter: { consented: false },
      }),
    );
    if (!opened) throw new Error('no commune for the test case');
    return opened.caseId;
  }

  function seedCases(): void {
    const [m1 = '', m2 = '', m3 = ''] = quarter.months;
    // School A: 12 concerns from teachers over the quarter, 2 public reports in its first month.
    for (const [month, n] of [
      [m1, 3],
      [m2, 5],
      [m3, 4],
    ] as const) {
      for (let i = 0; i < n; i += 1) openCase(month, { school: orgs.schoolA, commune: orgs.communeA });
    }
    // The public channel has 2 cases in the first month and more later: its first month is a small cell.
    for (const month of [m1, m1, m2, m2, m2, m2, m2, m2, m3, m3, m3, m3, m3, m3]) openCase(month, { channel: 'public', commune: orgs.communeA });
    // School B: 7 concerns.
    for (let i = 0; i < 7; i += 1) openCase(m2, { school: orgs.schoolB, commune: orgs.communeB });
  }

  beforeEach(async () => {
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    await seedUser(t.db, 'hoidongA', [{ role: 'board_viewer', orgId: orgs.schoolA }]);
    await seedUser(t.db, 'hoidongB', [{ role: 'board_viewer', orgId: orgs.schoolB }]);
    await seedUser(t.db, 'chutichA', [{ role: 'commune_chair', orgId: orgs.communeA }]);
    await seedUser(t.db, 'giamsat', [{ role: 'supervisor', orgId: orgs.province }]);
    await seedUser(t.db, 'giaovien', [{ role: 'teacher', orgId: orgs.schoolA }]);
    await seedUser(t.db, 'quantri', [{ role: 'admin', orgId: orgs.province }]);
    await seedUser(t.db, 'canbo', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    browsers = {
      boardA: await login(t.app, t.db, 'hoidongA'),
      boardB: await login(t.app, t.db, 'hoidongB'),
      chairA: await login(t.app, t.db, 'chutichA'),
      supervisor: await login(t.app, t.db, 'giamsat'),
      teacher: await login(t.app, t.db, 'giaovien'),
      admin: await login(t.app, t.db, 'quantri'),
      worker: await login(t.app, t.db, 'canbo'),
    };
    seedCases();
    await t.app.statistics.tick();
  });
  afterEach(async () => t.close());

  const page = async (who: Browser, query: string): Promise<string> => {
    const response = await send(t.app, who, { url: `/statistics?${query}` });
    expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
    return response.body;
  };

  it('a school board sees its own school only, and another school’s board sees theirs', async () => {
    const a = tableCells(await page(browsers.boardA, `period=${quarter.key}`), 'channels');
    const b = tableCells(await page(browsers.boardB, `period=${quarter.key}`), 'channels');
    expect(a?.get('Giáo viên, nhà trường')).toBe('12');
    expect(a?.get('Tổng số')).toBe('12');
    // Public reports were received by the commune, not through the school.
    expect(a?.get('Người dân báo qua mạng')).toBe('0');
    expect(b?.get('Giáo viên, nhà trường')).toBe('7');
    expect(b?.get('Tổng số')).toBe('7');

    // Nothing a board member can add to the query reaches another school's numbers.
    for (const query of [`org=${orgs.schoolB}`, `orgId=${orgs.schoolB}`, `school=${orgs.schoolB}`]) {
      expect((await send(t.app, browsers.boardA, { url: `/statistics?${query}` })).statusCode).toBe(400);
    }
    const commune = await page(browsers.chairA, `period=${quarter.key}`);
    const units = tableCells(commune, 'units');
    expect(units?.get('Trường Tiểu học An Bình')).toBe('12');
    expect(commune).not.toContain('Trường Mầm non Đông Hòa');
  });

  it('refuses teachers, case workers and administrators, and shows them no menu item', async () => {
    for (const who of [browsers.teacher, browsers.worker, browsers.admin]) {
      for (const url of ['/statistics', '/statistics/export.csv', '/statistics/export.xlsx', '/statistics/report']) {
        expect((await send(t.app, who, { url })).statusCode).toBe(403);
      }
      expect((await send(t.app, who, { url: '/' })).body).not.toContain('href="/statistics"');
    }
    expect((await send(t.app, browsers.boardA, { url: '/' })).body).toContain('href="/statistics"');
    expect((await send(t.app, null, { url: '/statistics' })).statusCode).toBe(303);
  });

  it('shows counts from 1 to threshold − 1 as "<N", and never links to a case or names a child', async () => {
    const html = await page(browsers.supervisor, `period=${quarter.months[0]}`);
    const channels = tableCells(html, 'channels');
    // Two public reports in the first month: small, and so is any zero hidden with them.
    expect(channels?.get('Người dân báo qua mạng')).toBe('<5');
    expect(html).not.toMatch(/href="\/cases/);
    expect(html).not.toContain('Nguyễn Thị Hoa');
    expect(html).not.toContain('vết bầm');
  });

  it('uses the configured threshold, and never one below 3', async () => {
    expect(() => loadConfig({ STATS_THRESHOLD: '2' })).toThrow(ConfigError);
    expect(() => loadConfig({ STATS_THRESHOLD: 'five' })).toThrow(ConfigError);
    expect(loadConfig({}).statistics.threshold).toBe(5);
    await t.close();
    t = await createTestApp({ statistics: { threshold: 3 } });
    orgs = seedOrgs(t.db);
    await seedUser(t.db, 'hoidongA', [{ role: 'board_viewer', orgId: orgs.schoolA }]);
    seedCases();
    await t.app.statistics.tick();
    const board = await login(t.app, t.db, 'hoidongA');
    // School A's first month has 3 teacher concerns: shown at threshold 3, "<5" at the default.
    const cells = tableCells(await page(board, `period=${quarter.months[0]}`), 'channels');
    expect(cells?.get('Giáo viên, nhà trường')).toBe('3');
  });

  it('exports exactly the tables on the page, suppression included, with the filters and time in the header', async () => {
    const query = `period=${quarter.key}&level=all&group=all`;
    const html = await page(browsers.supervisor, query);
    const csv = await send(t.app, browsers.supervisor, { url: `/statistics/export.csv?${query}` });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toContain(`thong-ke-${quarter.key}-all-all.csv`);
    const lines = csv.body.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines).toContain(`Kỳ báo cáo,Quý ${['I', 'II', 'III', 'IV'][Number(quarter.key.slice(-1)) - 1]} năm ${quarter.key.slice(0, 4)}`);
    expect(lines.some((line) => /^Thời điểm tạo,\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/.test(line))).toBe(true);

    const xlsx = await send(t.app, browsers.supervisor, { url: `/statistics/export.xlsx?${query}` });
    expect(xlsx.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    const rows: string[][] = [];
    sheet?.eachRow({ includeEmpty: true }, (row) => rows.push((row.values as unknown[]).slice(1).map((value) => (value === null || value === undefined ? '' : String(value)))));

    const titles = [...html.matchAll(/<h3 id="table-([a-z_]+)-title">([^<]*)<\/h3>/g)].map((match) => ({ id: match[1] ?? '', title: match[2] ?? '' }));
    expect(titles.length).toBeGreaterThan(8);
    for (const { id, title } of titles) {
      const shown = tableCells(html, id);
      for (const exported of [lines.map(csvFields), rows]) {
        const start = exported.findIndex((row) => row[0] === title);
        expect(start, `${title} exported`).toBeGreaterThanOrEqual(0);
        const body = exported.slice(start + 2, start + 2 + (shown?.size ?? 0));
        const read = new Map(body.map((row) => [String(row[0]), String(row[1])]));
        for (const [label, text] of shown ?? []) expect(read.get(label.replace(/&amp;/g, '&')), `${title}: ${label}`).toBe(text.replace(/\./g, ''));
      }
    }
    // No table the page does not show, e.g. the calls table under a category filter.
    const filtered = await send(t.app, browsers.supervisor, { url: `/statistics/export.csv?period=${quarter.key}&group=abuse` });
    expect(filtered.body).not.toContain('Cuộc gọi đến Tổng đài 111');
  });

  it('audits every view and export by action and organisation, never by filter', async () => {
    const query = `period=${quarter.key}&level=school&group=abuse`;
    await page(browsers.boardA, query);
    await send(t.app, browsers.boardA, { url: `/statistics/export.csv?${query}` });
    await send(t.app, browsers.boardA, { url: `/statistics/export.xlsx?${query}` });
    await send(t.app, browsers.boardA, { url: `/statistics/report?${query}` });
    await send(t.app, browsers.boardA, { url: '/statistics?day=2026-03-02' });
    const entries = auditActions(t.db).filter((entry) => entry.action.startsWith('stats.'));
    expect(entries).toEqual([
      { action: 'stats.view', outcome: 'allowed', entity_type: 'organisation', entity_id: String(orgs.schoolA) },
      { action: 'stats.export_csv', outcome: 'allowed', entity_type: 'organisation', entity_id: String(orgs.schoolA) },
      { action: 'stats.export_xlsx', outcome: 'allowed', entity_type: 'organisation', entity_id: String(orgs.schoolA) },
      { action: 'stats.report', outcome: 'allowed', entity_type: 'organisation', entity_id: String(orgs.schoolA) },
      { action: 'stats.view', outcome: 'refused', entity_type: 'organisation', entity_id: String(orgs.schoolA) },
    ]);
  });

  it('counts a new case once the refresher has run (it runs every 15 seconds)', async () => {
    const month = monthBefore(now, 0);
    const before = tableCells(await page(browsers.supervisor, `period=${month}&level=commune`), 'channels');
    for (let i = 0; i < 6; i += 1) openCase(month, { channel: 'hotline', commune: orgs.communeB });
    await t.app.statistics.tick();
    const after = tableCells(await page(browsers.supervisor, `period=${month}&level=commune`), 'channels');
    expect(before?.get('Tổng đài 111')).toBe('0');
    expect(after?.get('Tổng đài 111')).toBe('6');
  });

  it('prints the periodic report for a quarter or a school year, in Vietnamese, with room to sign', async () => {
    const report = await send(t.app, browsers.boardA, { url: `/statistics/report?period=${quarter.key}` });
    expect(report.statusCode).toBe(200);
    expect(report.body).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(report.body).toContain('THỦ TRƯỞNG ĐƠN VỊ');
    expect(report.body).toContain('II. CÁC CHỈ SỐ QUY TRÌNH');
    const schoolYear = Number(quarter.months[0]?.slice(5, 7)) >= 9 ? Number(quarter.key.slice(0, 4)) : Number(quarter.key.slice(0, 4)) - 1;
    expect((await send(t.app, browsers.boardA, { url: `/statistics/report?period=SY${schoolYear}` })).statusCode).toBe(200);
    // A month is not a reporting period for the printed report.
    expect((await send(t.app, browsers.boardA, { url: `/statistics/report?period=${quarter.months[0]}` })).statusCode).toBe(400);
  });

  describe('differencing', () => {
    it('refuses every query that is not the whole subtree for a whole month, quarter or year', async () => {
      const refused = [
        `period=${quarter.key}&org=${orgs.schoolA}`,
        `period=${quarter.key}&exclude=${orgs.schoolA}`,
        `period=${quarter.months[0]}-15`,
        `period=${quarter.months[0]}..${quarter.months[1]}`,
        `from=${quarter.months[0]}-01&to=${quarter.months[1]}-15`,
        'period=2026-W07',
        'period=1999',
        `period=${Number(now.toISOString().slice(0, 4)) + 2}`,
        `period=${quarter.key}&period=${quarter.months[0]}`,
        'level=province',
        'group=abuse_sexual',
      ];
      for (const query of refused) {
        const response = await send(t.app, browsers.chairA, { url: `/statistics?${query}` });
        expect(response.statusCode, query).toBe(400);
        expect(response.body).toContain('Không thể xem thống kê theo yêu cầu này');
      }
    });

    it('a month hidden in its own view cannot be recovered from the quarter and the other months', async () => {
      const [m1 = '', m2 = '', m3 = ''] = quarter.months;
      const seen = async (period: string): Promise<string | undefined> => tableCells(await page(browsers.supervisor, `period=${period}&level=commune`), 'channels')?.get('Người dân báo qua mạng');
      const first = await seen(m1);
      const quarterValue = await seen(quarter.key);
      const others = [await seen(m2), await seen(m3)];
      expect(first).toBe('<5');
      // Quarter − the other two months would give the first month: one of the three is always hidden.
      const exact = [quarterValue, ...others].filter((value) => /^\d+$/.test(value ?? ''));
      expect(exact.length).toBeLessThan(3);
    });

    it('no combination of the periods and levels the page offers pins down a small count (checked by an exhaustive attacker)', () => {
      const statistics = computeStatistics(t.db, { orgId: orgs.province, group: 'all', threshold: 5, now });
      for (const id of ['channels', 'units']) {
        const table = statistics.tables.find((candidate) => candidate.spec.id === id);
        if (!table) throw new Error(`no ${id} table`);
        const small = [...table.protection.states].filter((state) => looksSmall(state)).length;
        expect(small).toBeGreaterThan(0);
        for (const [cell, possible] of attackerView(table.cube, table.protection)) {
          expect(possible.length, `${id} ${table.cube.coordsOf(cell).join('/')}`).toBeGreaterThanOrEqual(2);
        }
      }
    });
  });
});
