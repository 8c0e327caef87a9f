// Case documents: accepted by content (PDF, JPEG, PNG, WebP), limited in size, stored outside the web
// root under random names, and handed back only as audited downloads that a browser will not render.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { writeTransaction } from '../../src/db/client.js';
import { createIntake } from '../../src/intake/service.js';
import { TINY_PDF } from '../helpers/documents.js';
import { auditActions, createTestApp, login, seedOrgs, seedUser, send, type Browser, type TestApp, type TestOrgs } from '../helpers/app.js';

let t: TestApp;
let orgs: TestOrgs;

const PDF = TINY_PDF;
/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const HTML = Buffer.from('<!doctype html><html><body><script>fetch("/cases")</script></body></html>');

function openCase(): number {
  const opened = writeTransaction(t.db, (tx) =>
    createIntake(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT, recordedBy: null }, {
      channel: 'hotline',
      medium: 'phone',
      receivedAt: new Date(Date.now() - 3_600_000).toISOString(),
      sourceOrgId: orgs.hotline,
      child: { name: 'Phạm Văn Nam', birthDate: '2014-05-05', sex: 'male' },
      residenceOrgId: orgs.communeA,
      description: 'Cháu có vết thương ở lưng, nghi bị đánh.',
      immediateDanger: false,
      categories: ['abuse_violence_physical'],
      reporter: { consented: false },
    }),
  );
  if (!opened) throw new Error('no responsible commune');
  return opened.caseId;
}

interface Upload {
  filename: string;
  contentType: string;
  data: Buffer;
}

/** What a browser sends for the upload form: the token field first, then the file. */
function multipartBody(fields: [string, string][], file: Upload | null): { body: Buffer; contentType: string } {
  const boundary = '----bvte-test-boundary-7MA4YWxkTrZu0gW';
  const parts: Buffer[] = fields.map(([name, value]) =>
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
  );
  if (file) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.filename}"\r\nContent-Type: ${file.contentType}\r\n\r\n`),
      file.data,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

function upload(browser: Browser, caseId: number, file: Upload | null, options: { token?: string | null; headers?: Record<string, string> } = {}) {
  const token = options.token === undefined ? browser.csrf : options.token;
  const { body, contentType } = multipartBody(token === null ? [] : [['_csrf', token]], file);
  return t.app.inject({
    method: 'POST',
    url: `/cases/${caseId}/documents`,
    headers: { cookie: browser.cookie, 'content-type': contentType, ...options.headers },
    payload: body,
  });
}

interface DocumentRow {
  id: number;
  storedName: string;
  originalName: string;
  mimeType: string;
  size: number;
  sha256: string;
}

function documentRows(caseId: number): DocumentRow[] {
  return t.db.$client
    .prepare('SELECT id, stored_name AS storedName, original_name AS originalName, mime_type AS mimeType, size, sha256 FROM documents WHERE case_id = ? ORDER BY id')
    .all(caseId) as never;
}

function storedFiles(): string[] {
  const directory = path.join(t.database.dataDir, 'documents');
  return fs.existsSync(directory) ? fs.readdirSync(directory) : [];
}

describe('case documents', () => {
  let caseId: number;
  let worker: Browser;

  beforeEach(async () => {
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    await seedUser(t.db, 'canbo.a', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    await seedUser(t.db, 'chutich.a', [{ role: 'commune_chair', orgId: orgs.communeA }]);
    await seedUser(t.db, 'canbo.b', [{ role: 'commune_worker', orgId: orgs.communeB }]);
    caseId = openCase();
    worker = await login(t.app, t.db, 'canbo.a');
  });
  afterEach(async () => t.close());

  it('accepts a real PDF: stored outside static under a random name, mode 0600, hashed, audited, in the timeline', async () => {
    const response = await upload(worker, caseId, { filename: 'Giấy khám sức khỏe.pdf', contentType: 'application/pdf', data: PDF });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/cases/${caseId}?done=document`);

    const [row] = documentRows(caseId);
    expect(row).toMatchObject({ originalName: 'Giấy khám sức khỏe.pdf', mimeType: 'application/pdf', size: PDF.length });
    expect(row?.storedName).toMatch(/^[0-9a-f]{32}$/);
    expect(row?.sha256).toBe(createHash('sha256').update(PDF).digest('hex'));
    const file = path.join(t.database.dataDir, 'documents', row?.storedName ?? '');
    expect(fs.readFileSync(file).equals(PDF)).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(path.relative(path.resolve('static'), file).startsWith('..')).toBe(true);

    expect(auditActions(t.db)).toContainEqual({ action: 'case.document_upload', outcome: 'allowed', entity_type: 'case', entity_id: String(caseId) });
    const page = await send(t.app, worker, { url: `/cases/${caseId}` });
    expect(page.body).toContain(`<a href="/cases/${caseId}/documents/${row?.id}">Giấy khám sức khỏe.pdf</a>`);
    expect(page.body).toContain('Tải lên tài liệu');
    // The plain form, for browsers without JavaScript: multipart, with the token before the file.
    expect(page.body).toMatch(/enctype="multipart\/form-data"[^>]*>\s*<input type="hidden" name="_csrf"/);
    expect(page.body).toContain('tối đa 10 MB');
  });

  it('accepts a PNG through htmx (token in the header) and answers with the updated case body', async () => {
    const response = await upload(worker, caseId, { filename: 'anh-vet-thuong.png', contentType: 'image/png', data: PNG }, {
      token: null,
      headers: { 'hx-request': 'true', 'x-csrf-token': worker.csrf },
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<div id="case-body"');
    expect(response.body).toContain('anh-vet-thuong.png');
    expect(documentRows(caseId)).toEqual([expect.objectContaining({ mimeType: 'image/png', size: PNG.length })]);
  });

  it('judges by content: HTML called .pdf and sent as application/pdf is refused, and nothing is kept', async () => {
    const response = await upload(worker, caseId, { filename: 'bien-ban.pdf', contentType: 'application/pdf', data: HTML });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('Nội dung tệp không phải PDF, JPEG, PNG hay WebP.');
    expect(response.body).toContain('id="document-file-error"');
    expect(documentRows(caseId)).toEqual([]);
    expect(storedFiles()).toEqual([]);
    expect(auditActions(t.db)).toContainEqual({ action: 'case.document_upload', outcome: 'refused', entity_type: 'case', entity_id: String(caseId) });
  });

  it('refuses a file over 10 MiB and an empty one, keeping nothing', async () => {
    const tooLarge = Buffer.concat([PDF, Buffer.alloc(10 * 1_048_576 + 1 - PDF.length, 0x20)]);
    const large = await upload(worker, caseId, { filename: 'lon.pdf', contentType: 'application/pdf', data: tooLarge });
    expect(large.statusCode).toBe(413);
    expect(large.body).toContain('Tệp quá lớn so với giới hạn cho phép.');
    const empty = await upload(worker, caseId, { filename: '', contentType: 'application/octet-stream', data: Buffer.alloc(0) });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Vui lòng chọn một tệp có nội dung.');
    expect(documentRows(caseId)).toEqual([]);
    expect(storedFiles()).toEqual([]);
  });

  it('accepts exactly 10 MiB', async () => {
    const limit = Buffer.concat([PDF, Buffer.alloc(10 * 1_048_576 - PDF.length, 0x20)]);
    expect((await upload(worker, caseId, { filename: 'vua.pdf', contentType: 'application/pdf', data: limit })).statusCode).toBe(303);
    expect(documentRows(caseId)[0]?.size).toBe(10 * 1_048_576);
  });

  it('refuses an upload without the CSRF token before storing anything (403, audited)', async () => {
    const forged = await upload(worker, caseId, { filename: 'x.pdf', contentType: 'application/pdf', data: PDF }, { token: null });
    expect(forged.statusCode).toBe(403);
    const wrong = await upload(worker, caseId, { filename: 'x.pdf', contentType: 'application/pdf', data: PDF }, { token: 'a'.repeat(32) });
    expect(wrong.statusCode).toBe(403);
    expect(auditActions(t.db).filter((entry) => entry.action === 'csrf.refused')).toHaveLength(2);
    expect(documentRows(caseId)).toEqual([]);
    expect(storedFiles()).toEqual([]);
  });

  it('makes path traversal in names harmless: a label only, never a path', async () => {
    for (const filename of ['../../etc/passwd', '..\\x.pdf', '..\\..\\..\\bvte.db']) {
      expect((await upload(worker, caseId, { filename, contentType: 'application/pdf', data: PDF })).statusCode).toBe(303);
    }
    const rows = documentRows(caseId);
    expect(rows.map((row) => row.originalName)).toEqual(['passwd.pdf', 'x.pdf', 'bvte.db.pdf']);
    expect(rows.every((row) => /^[0-9a-f]{32}$/.test(row.storedName))).toBe(true);
    // Only the three random names, all inside the documents directory; the database is untouched.
    expect(storedFiles().sort()).toEqual(rows.map((row) => row.storedName).sort());
    expect(fs.readdirSync(t.database.dataDir).sort()).toEqual(expect.arrayContaining(['bvte.db', 'documents']));
    expect(fs.readFileSync(path.join(t.database.dataDir, 'bvte.db')).subarray(0, 15).toString()).toBe('SQLite format 3');
  });

  it('serves a download as an attachment with nosniff and the sniffed type, and audits it', async () => {
    await upload(worker, caseId, { filename: 'Biên bản họp.pdf', contentType: 'text/html', data: PDF });
    const [row] = documentRows(caseId);
    const response = await send(t.app, worker, { url: `/cases/${caseId}/documents/${row?.id}` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="Bien ban hop.pdf"; filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n%20h%E1%BB%8Dp.pdf`,
    );
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.rawPayload.equals(PDF)).toBe(true);
    expect(auditActions(t.db)).toContainEqual({ action: 'case.document_download', outcome: 'allowed', entity_type: 'case', entity_id: String(caseId) });
  });

  it('keeps documents to people who may read the case, and to their own case', async () => {
    await upload(worker, caseId, { filename: 'a.pdf', contentType: 'application/pdf', data: PDF });
    const [row] = documentRows(caseId);
    const outsider = await login(t.app, t.db, 'canbo.b');
    expect((await send(t.app, outsider, { url: `/cases/${caseId}/documents/${row?.id}` })).statusCode).toBe(403);
    const otherCase = openCase();
    expect((await send(t.app, worker, { url: `/cases/${otherCase}/documents/${row?.id}` })).statusCode).toBe(404);
    expect(auditActions(t.db).filter((entry) => entry.action === 'case.document_download')).toEqual([]);

    // The chairperson reads the case and its documents, but does not add to them.
    const chair = await login(t.app, t.db, 'chutich.a');
    expect((await send(t.app, chair, { url: `/cases/${caseId}/documents/${row?.id}` })).statusCode).toBe(200);
    expect((await send(t.app, chair, { url: `/cases/${caseId}` })).body).not.toContain(`action="/cases/${caseId}/documents"`);
    expect((await upload(chair, caseId, { filename: 'b.pdf', contentType: 'application/pdf', data: PDF })).statusCode).toBe(403);
    expect(documentRows(caseId)).toHaveLength(1);
  });
});
