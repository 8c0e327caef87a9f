// Case notes: whoever works on the case adds them; a confidential note reaches only the assigned
// worker and supervisors, neither in the notes section nor in the timeline for anybody else.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { writeTransaction } from '../../src/db/client.js';
import { createIntake } from '../../src/intake/service.js';
import { foldVietnamese } from '../../src/text/fold.js';
import { auditActions, createTestApp, login, seedOrgs, seedUser, send, type Browser, type TestApp, type TestOrgs } from '../helpers/app.js';

let t: TestApp;
let orgs: TestOrgs;

const PUBLIC_NOTE = 'Đã gặp cô giáo chủ nhiệm, cháu đi học đều.';
const SECRET_NOTE = 'Mẹ cháu cho biết người cha dượng có tiền án về xâm hại.';

function openCase(): number {
  const opened = writeTransaction(t.db, (tx) =>
    createIntake(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT, recordedBy: null }, {
      channel: 'hotline',
      medium: 'phone',
      receivedAt: new Date(Date.now() - 3_600_000).toISOString(),
      sourceOrgId: orgs.hotline,
      child: { name: 'Lê Thị Hoa', birthDate: '2016-01-20', sex: 'female' },
      residenceOrgId: orgs.communeA,
      description: 'Cháu thường bị bỏ đói, ở nhà một mình.',
      immediateDanger: false,
      categories: ['abuse_violence_physical'],
      reporter: { consented: false },
    }),
  );
  if (!opened) throw new Error('no responsible commune');
  return opened.caseId;
}

function addNote(browser: Browser, caseId: number, payload: Record<string, string>, headers: Record<string, string> = {}) {
  return send(t.app, browser, { method: 'POST', url: `/cases/${caseId}/notes`, payload, headers });
}

describe('case notes', () => {
  let caseId: number;
  let assigned: Browser;

  beforeEach(async () => {
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    await seedUser(t.db, 'canbo.a', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    await seedUser(t.db, 'canbo2.a', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    await seedUser(t.db, 'giamsat.a', [{ role: 'supervisor', orgId: orgs.communeA }]);
    await seedUser(t.db, 'chutich.a', [{ role: 'commune_chair', orgId: orgs.communeA }]);
    caseId = openCase();
    assigned = await login(t.app, t.db, 'canbo.a');
    await send(t.app, assigned, { method: 'POST', url: `/cases/${caseId}/events`, payload: { event: 'TAKE', row_version: '1' } });
  });
  afterEach(async () => t.close());

  it('shows a confidential note to the assigned worker and the supervisor, and nowhere to another worker', async () => {
    expect((await addNote(assigned, caseId, { text: PUBLIC_NOTE })).statusCode).toBe(303);
    expect((await addNote(assigned, caseId, { text: SECRET_NOTE, confidential: '1' })).statusCode).toBe(303);

    const stored = t.db.$client.prepare('SELECT text, confidential FROM case_notes WHERE case_id = ? ORDER BY id').all(caseId);
    expect(stored).toEqual([
      { text: PUBLIC_NOTE, confidential: 0 },
      { text: SECRET_NOTE, confidential: 1 },
    ]);
    const timeline = t.db.$client.prepare("SELECT detail, confidential FROM case_timeline WHERE case_id = ? AND kind = 'note' ORDER BY id").all(caseId);
    expect(timeline).toEqual([
      { detail: JSON.stringify({ note: PUBLIC_NOTE }), confidential: 0 },
      { detail: JSON.stringify({ note: SECRET_NOTE }), confidential: 1 },
    ]);
    expect(auditActions(t.db).filter((entry) => entry.action === 'case.note_add')).toHaveLength(2);
    // Search finds what any reader may read, and nothing confidential.
    const indexed = (text: string): boolean =>
      // The rowid bound as an integer: FTS5 ignores a rowid constraint bound as a JS number (a REAL).
      t.db.$client.prepare('SELECT 1 FROM case_search WHERE case_search MATCH ? AND rowid = ?').get(`{body} : "${foldVietnamese(text)}"`, BigInt(caseId)) !== undefined;
    expect(indexed(PUBLIC_NOTE)).toBe(true);
    expect(indexed(SECRET_NOTE)).toBe(false);

    for (const reader of [assigned, await login(t.app, t.db, 'giamsat.a')]) {
      const page = await send(t.app, reader, { url: `/cases/${caseId}` });
      const notes = /<section aria-labelledby="notes-title"[\s\S]*?<\/section>/.exec(page.body)?.[0] ?? '';
      expect(notes).toContain(PUBLIC_NOTE);
      expect(notes).toContain(SECRET_NOTE);
      const timelineSection = /<section aria-labelledby="timeline-title"[\s\S]*?<\/section>/.exec(page.body)?.[0] ?? '';
      expect(timelineSection).toContain(SECRET_NOTE);
    }

    const other = await login(t.app, t.db, 'canbo2.a');
    const page = await send(t.app, other, { url: `/cases/${caseId}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(PUBLIC_NOTE);
    expect(page.body).not.toContain(SECRET_NOTE);
    // Not even a trace: the timeline holds one note entry, the public one.
    const timelineSection = /<section aria-labelledby="timeline-title"[\s\S]*?<\/section>/.exec(page.body)?.[0] ?? '';
    expect(timelineSection.match(/<p class="timeline-what">Ghi chú<\/p>/g)).toHaveLength(1);
    expect(timelineSection).not.toContain('<span class="badge">Mật</span>');
    // htmx fragments are filtered the same way.
    const fragment = await addNote(other, caseId, { text: 'Đã liên hệ trưởng thôn.' }, { 'hx-request': 'true' });
    expect(fragment.statusCode).toBe(200);
    expect(fragment.body).toContain('Đã liên hệ trưởng thôn.');
    expect(fragment.body).not.toContain(SECRET_NOTE);
  });

  it("lets a worker who cannot read confidential notes write one, and tells them where it went", async () => {
    const other = await login(t.app, t.db, 'canbo2.a');
    const saved = await addNote(other, caseId, { text: SECRET_NOTE, confidential: '1' }, { 'hx-request': 'true' });
    expect(saved.statusCode).toBe(200);
    expect(saved.body).toContain('Đã lưu ghi chú mật. Chỉ cán bộ được phân công');
    expect(saved.body).not.toContain(SECRET_NOTE);
    const page = await send(t.app, assigned, { url: `/cases/${caseId}` });
    expect(page.body).toContain(SECRET_NOTE);
  });

  it('keeps the text of a refused note and says why', async () => {
    const blank = await addNote(assigned, caseId, { text: '   ', confidential: '1' });
    expect(blank.statusCode).toBe(400);
    expect(blank.body).toContain('Vui lòng điền mục này.');
    expect(blank.body).toMatch(/<details class="action-form" open>\s*<summary>Thêm ghi chú/);
    expect(blank.body).toMatch(/id="note-confidential"[^>]*checked/);
    const long = await addNote(assigned, caseId, { text: 'x'.repeat(4001) });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('Nội dung quá dài.');
    expect(t.db.$client.prepare('SELECT count(*) AS n FROM case_notes').get()).toEqual({ n: 0 });
  });

  it('refuses people who may read the case but do not work on it (403, audited), and shows them no form', async () => {
    const chair = await login(t.app, t.db, 'chutich.a');
    const page = await send(t.app, chair, { url: `/cases/${caseId}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(`action="/cases/${caseId}/notes"`);
    expect((await addNote(chair, caseId, { text: PUBLIC_NOTE })).statusCode).toBe(403);
    expect(auditActions(t.db)).toContainEqual({ action: 'case.serve', outcome: 'refused', entity_type: null, entity_id: null });
    expect(t.db.$client.prepare('SELECT count(*) AS n FROM case_notes').get()).toEqual({ n: 0 });
  });
});
