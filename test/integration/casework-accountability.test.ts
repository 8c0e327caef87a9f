// Accountability: supervisors see who opened, printed or downloaded from a case, and who changed
// what; looking is itself audited, and nobody else may look.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordAudit, SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { writeTransaction } from '../../src/db/client.js';
import { createIntake } from '../../src/intake/service.js';
import { auditActions, createTestApp, login, seedOrgs, seedUser, send, type Browser, type TestApp, type TestOrgs } from '../helpers/app.js';

let t: TestApp;
let orgs: TestOrgs;

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');

function openCase(): number {
  const opened = writeTransaction(t.db, (tx) =>
    createIntake(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT, recordedBy: null }, {
      channel: 'hotline',
      medium: 'phone',
      receivedAt: new Date(Date.now() - 3_600_000).toISOString(),
      sourceOrgId: orgs.hotline,
      child: { name: 'Đỗ Minh Châu', birthDate: '2013-11-30', sex: 'female' },
      residenceOrgId: orgs.communeA,
      description: 'Cháu nghỉ học để phụ bán hàng đến đêm.',
      immediateDanger: false,
      categories: ['abuse_violence_physical'],
      reporter: { consented: false },
    }),
  );
  if (!opened) throw new Error('no responsible commune');
  return opened.caseId;
}

function uploadPdf(browser: Browser, caseId: number) {
  const boundary = 'bvte-accountability';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${browser.csrf}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="giay-khai-sinh.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
    PDF,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return t.app.inject({
    method: 'POST',
    url: `/cases/${caseId}/documents`,
    headers: { cookie: browser.cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: body,
  });
}

/** The rows of the page's table, as the text of their cells. */
function tableRows(html: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? '').matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => (cell[1] ?? '').replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim()),
  );
}

describe('case accountability', () => {
  let caseId: number;
  let supervisor: Browser;
  let workerIds: { a: number; a2: number };

  beforeEach(async () => {
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    workerIds = {
      a: await seedUser(t.db, 'canbo.a', [{ role: 'commune_worker', orgId: orgs.communeA }]),
      a2: await seedUser(t.db, 'canbo2.a', [{ role: 'commune_worker', orgId: orgs.communeA }]),
    };
    await seedUser(t.db, 'giamsat.a', [{ role: 'supervisor', orgId: orgs.communeA }]);
    await seedUser(t.db, 'chutich.a', [{ role: 'commune_chair', orgId: orgs.communeA }]);
    caseId = openCase();
    supervisor = await login(t.app, t.db, 'giamsat.a');
  });
  afterEach(async () => t.close());

  it("shows another user's view and download, with name, role, dd/mm/yyyy HH:mm and what they did, and audits the look", async () => {
    const worker = await login(t.app, t.db, 'canbo.a');
    expect((await send(t.app, worker, { url: `/cases/${caseId}` })).statusCode).toBe(200);
    expect((await uploadPdf(worker, caseId)).statusCode).toBe(303);
    const documentId = (t.db.$client.prepare('SELECT id FROM documents WHERE case_id = ?').get(caseId) as { id: number }).id;
    expect((await send(t.app, worker, { url: `/cases/${caseId}/documents/${documentId}` })).statusCode).toBe(200);
    // Another module's print, named per form, is shown as a print.
    recordAudit(t.db, { actorUserId: workerIds.a2, actorRole: 'commune_worker', actorOrgId: orgs.communeA, ip: null, requestId: null }, {
      action: 'case.print.mau01',
      entityType: 'case',
      entityId: caseId,
    });

    const page = await send(t.app, supervisor, { url: `/cases/${caseId}/access-log` });
    expect(page.statusCode).toBe(200);
    const rows = tableRows(page.body);
    // Newest first; the supervisor's own look at this page is the newest.
    expect(rows[0]).toEqual([expect.stringMatching(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/), 'Người dùng giamsat.a', 'Lãnh đạo, giám sát', 'Xem nhật ký truy cập']);
    expect(rows.slice(1).map((row) => row.slice(1))).toEqual([
      ['Người dùng canbo2.a', 'Cán bộ bảo vệ trẻ em cấp xã', 'In biểu mẫu'],
      ['Người dùng canbo.a', 'Cán bộ bảo vệ trẻ em cấp xã', 'Tải tài liệu về'],
      ['Người dùng canbo.a', 'Cán bộ bảo vệ trẻ em cấp xã', 'Mở hồ sơ trường hợp'],
    ]);
    // Writes are not reads: the upload is not in the access log.
    expect(page.body).not.toContain('case.document_upload');
    expect(auditActions(t.db)).toContainEqual({ action: 'case.access_log_view', outcome: 'allowed', entity_type: 'case', entity_id: String(caseId) });
  });

  it('lists refused attempts to open the case, marked as refused', async () => {
    await seedUser(t.db, 'canbo.b', [{ role: 'commune_worker', orgId: orgs.communeB }]);
    expect((await send(t.app, await login(t.app, t.db, 'canbo.b'), { url: `/cases/${caseId}` })).statusCode).toBe(403);
    const page = await send(t.app, supervisor, { url: `/cases/${caseId}/access-log` });
    expect(tableRows(page.body)[1]?.slice(1)).toEqual(['Người dùng canbo.b', 'Cán bộ bảo vệ trẻ em cấp xã', 'Cố mở hồ sơ trường hợp Bị từ chối']);
    expect(page.body).toContain('<tr class="is-refused">');
  });

  it('pages through a long access log', async () => {
    const context = { actorUserId: workerIds.a, actorRole: 'commune_worker', actorOrgId: orgs.communeA, ip: null, requestId: null };
    for (let i = 0; i < 55; i += 1) recordAudit(t.db, context, { action: 'case.view', entityType: 'case', entityId: caseId });
    const first = await send(t.app, supervisor, { url: `/cases/${caseId}/access-log` });
    expect(tableRows(first.body)).toHaveLength(50);
    expect(first.body).toContain('Tổng số: 56');
    expect(first.body).toContain(`href="/cases/${caseId}/access-log?page=2"`);
    const second = await send(t.app, supervisor, { url: `/cases/${caseId}/access-log?page=2` });
    // 55 views, the first look at the page, and this second look.
    expect(tableRows(second.body)).toHaveLength(7);
  });

  it('shows the reassignment in the change history, by name, and audits the look', async () => {
    await send(t.app, supervisor, { method: 'POST', url: `/cases/${caseId}/assignment`, payload: { user_id: String(workerIds.a), row_version: '1' } });
    await send(t.app, supervisor, { method: 'POST', url: `/cases/${caseId}/assignment`, payload: { user_id: String(workerIds.a2), row_version: '2' } });
    const page = await send(t.app, supervisor, { url: `/cases/${caseId}/changes` });
    expect(page.statusCode).toBe(200);
    expect(tableRows(page.body).map((row) => row.slice(1))).toEqual([
      ['Người dùng giamsat.a', 'Cán bộ phụ trách', 'Người dùng canbo.a', 'Người dùng canbo2.a'],
      ['Người dùng giamsat.a', 'Cán bộ phụ trách', '(trống)', 'Người dùng canbo.a'],
    ]);
    expect(auditActions(t.db)).toContainEqual({ action: 'case.changes_view', outcome: 'allowed', entity_type: 'case', entity_id: String(caseId) });
  });

  it('links to both pages from the case page for supervisors only', async () => {
    const mine = await send(t.app, supervisor, { url: `/cases/${caseId}` });
    expect(mine.body).toContain(`href="/cases/${caseId}/access-log"`);
    expect(mine.body).toContain(`href="/cases/${caseId}/changes"`);
    for (const username of ['canbo.a', 'chutich.a']) {
      const page = await send(t.app, await login(t.app, t.db, username), { url: `/cases/${caseId}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain(`/cases/${caseId}/access-log`);
      expect(page.body).not.toContain(`/cases/${caseId}/changes`);
    }
  });

  it('refuses everybody else (403, audited), whatever they may read', async () => {
    for (const username of ['canbo.a', 'chutich.a']) {
      const browser = await login(t.app, t.db, username);
      for (const url of [`/cases/${caseId}/access-log`, `/cases/${caseId}/changes`]) {
        const refused = await send(t.app, browser, { url });
        expect(refused.statusCode).toBe(403);
        expect(refused.body).not.toContain('accountability-table');
      }
    }
    expect(auditActions(t.db).filter((entry) => entry.action === 'case.accountability' && entry.outcome === 'refused')).toHaveLength(4);
    expect(auditActions(t.db).filter((entry) => entry.action === 'case.access_log_view' || entry.action === 'case.changes_view')).toEqual([]);
    expect((await send(t.app, supervisor, { url: '/cases/999999/access-log' })).statusCode).toBe(404);
  });
});
