// Duplicate detection at intake: which children and open cases are suggested (and never one the
// worker may not see), and linking the case to a child or confirming a new one.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { cases } from '../../src/cases/schema.js';
import { children } from '../../src/children/schema.js';
import { writeTransaction } from '../../src/db/client.js';
import { createIntake, type IntakeInput } from '../../src/intake/service.js';
import { foldVietnamese } from '../../src/text/fold.js';
import { eq } from 'drizzle-orm';
import { auditActions, createTestApp, login, seedOrgs, seedUser, send, type Browser, type TestApp, type TestOrgs } from '../helpers/app.js';

let t: TestApp;
let orgs: TestOrgs;

function openIntake(childName: string, over: Partial<IntakeInput> = {}): { id: number; reference: string } {
  const opened = writeTransaction(t.db, (tx) =>
    createIntake(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT, recordedBy: null }, {
      channel: 'teacher',
      medium: 'online',
      receivedAt: '2026-03-10T02:00:00.000Z',
      sourceOrgId: orgs.schoolA,
      child: { name: childName, estimatedAge: 9, sex: 'male' },
      residenceOrgId: orgs.communeA,
      description: 'Cháu đến lớp với vết bầm trên mặt.',
      immediateDanger: false,
      categories: ['abuse_violence_physical'],
      reporter: { consented: false },
      ...over,
    }),
  );
  if (!opened) throw new Error('no responsible commune');
  return { id: opened.caseId, reference: opened.reference };
}

function addChild(fullName: string, values: Partial<typeof children.$inferInsert>): number {
  return t.db
    .insert(children)
    .values({ fullName, nameFolded: foldVietnamese(fullName), ...values })
    .returning({ id: children.id })
    .get().id;
}

/** The child records the page offers to link, by id. */
function linkableChildren(html: string): number[] {
  return [...html.matchAll(/name="child_id" value="(\d+)"/g)].map((match) => Number(match[1]));
}

/** The suggestions panel alone (the rest of the page names other communes, e.g. in the transfer form). */
function suggestionsIn(html: string): string {
  const start = html.indexOf('id="duplicates-title"');
  return start < 0 ? '' : html.slice(start, html.indexOf('</section>', start));
}

function caseOf(id: number): { childId: number | null; rowVersion: number; state: string } {
  return t.db.select({ childId: cases.childId, rowVersion: cases.rowVersion, state: cases.state }).from(cases).where(eq(cases.id, id)).get()!;
}

describe('duplicate detection', () => {
  let worker: Browser;
  let pupilA: number;
  let pupilB: number;
  let childOfCaseB: number;

  beforeEach(async () => {
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    await seedUser(t.db, 'canbo.a', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    // On the roster of a school in commune A: the worker may see them.
    pupilA = addChild('Nguyễn Văn An', { estimatedBirthYear: 2016, sex: 'male', residenceOrgId: orgs.communeA, schoolOrgId: orgs.schoolA, className: '4A' });
    // The same name in commune B, on a roster and behind a case there: out of the worker's sight.
    pupilB = addChild('Nguyễn Văn An', { birthDate: '2016-08-01', sex: 'male', residenceOrgId: orgs.communeB, schoolOrgId: orgs.schoolB });
    childOfCaseB = addChild('Nguyễn Văn An', { estimatedBirthYear: 2017, sex: 'male', residenceOrgId: orgs.communeB });
    openIntake('Nguyễn Văn An', { residenceOrgId: orgs.communeB, child: { id: childOfCaseB, name: 'Nguyễn Văn An', estimatedAge: 9 } });
    worker = await login(t.app, t.db, 'canbo.a');
  });
  afterEach(async () => t.close());

  it('finds "Nguyễn Văn An" for NGUYEN VAN AN, An Nguyễn Văn and Nguyen Van An within a year of age, and only in sight', async () => {
    for (const [name, age] of [
      ['NGUYEN VAN AN', 10],
      ['An Nguyễn Văn', 9],
      ['Nguyen Van An', 11],
    ] as const) {
      const intake = openIntake(name, { child: { name, estimatedAge: age, sex: 'male' } });
      const page = await send(t.app, worker, { url: `/cases/${intake.id}` });
      expect(page.statusCode).toBe(200);
      // Never pupilB or childOfCaseB: same name, but in commune B.
      expect(linkableChildren(page.body), name).toEqual([pupilA]);
      const suggestions = suggestionsIn(page.body);
      expect(suggestions).toContain('Nguyễn Văn An');
      expect(suggestions).toContain('Xã An Bình');
      expect(suggestions).not.toContain('Phường Đông Hòa');
    }
  });

  it("looks in the case's commune only, even for a supervisor who may see the whole province", async () => {
    await seedUser(t.db, 'giamsat', [{ role: 'supervisor', orgId: orgs.province }]);
    const supervisor = await login(t.app, t.db, 'giamsat');
    const inA = openIntake('Nguyen Van An');
    expect(linkableChildren((await send(t.app, supervisor, { url: `/cases/${inA.id}` })).body)).toEqual([pupilA]);
    const inB = openIntake('Nguyen Van An', { residenceOrgId: orgs.communeB });
    expect(linkableChildren((await send(t.app, supervisor, { url: `/cases/${inB.id}` })).body).sort((a, b) => a - b)).toEqual([pupilB, childOfCaseB]);
  });

  it('explains each suggestion and leaves out children more than a year apart in age', async () => {
    const sameOrder = openIntake('Nguyen Van An', { child: { name: 'Nguyen Van An', estimatedAge: 10, sex: 'male' } });
    const page = await send(t.app, worker, { url: `/cases/${sameOrder.id}` });
    expect(page.body).toContain('Giống ở: cùng họ tên, tuổi chênh không quá 1 năm, cùng xã');

    const otherOrder = openIntake('An Nguyễn Văn', { child: { name: 'An Nguyễn Văn', estimatedAge: 10, sex: 'male' } });
    expect((await send(t.app, worker, { url: `/cases/${otherOrder.id}` })).body).toContain('cùng họ tên, khác thứ tự');

    const tooOld = openIntake('Nguyễn Văn An', { child: { name: 'Nguyễn Văn An', estimatedAge: 13, sex: 'male' } });
    expect(linkableChildren((await send(t.app, worker, { url: `/cases/${tooOld.id}` })).body)).not.toContain(pupilA);
  });

  it('suggests another open report about the same child, with its reference and a way to mark the duplicate', async () => {
    const first = openIntake('Nguyễn Văn An');
    const second = openIntake('Nguyen Van An');
    await send(t.app, worker, { method: 'POST', url: `/cases/${second.id}/events`, payload: { event: 'TAKE', row_version: '1' } });
    const page = await send(t.app, worker, { url: `/cases/${second.id}` });
    expect(page.body).toContain(`<a href="/cases/${first.id}">${first.reference}</a>`);
    expect(page.body).toContain(`name="other_reference" value="${first.reference}"`);
    expect(page.body).toContain(`Đánh dấu thông tin này trùng với ${first.reference}`);
  });

  it('links the case to a suggested child, audited, with optimistic concurrency', async () => {
    const intake = openIntake('Nguyen Van An');
    const stale = await send(t.app, worker, { method: 'POST', url: `/cases/${intake.id}/child`, payload: { child_id: String(pupilA), row_version: '7' } });
    expect(stale.statusCode).toBe(409);
    expect(caseOf(intake.id).childId).toBeNull();

    const linked = await send(t.app, worker, { method: 'POST', url: `/cases/${intake.id}/child`, payload: { child_id: String(pupilA), row_version: '1' } });
    expect(linked.statusCode).toBe(303);
    expect(caseOf(intake.id)).toEqual({ childId: pupilA, rowVersion: 2, state: 'intake' });
    expect(auditActions(t.db)).toContainEqual({ action: 'case.child_link', outcome: 'allowed', entity_type: 'case', entity_id: String(intake.id) });
    const page = await send(t.app, worker, { url: `/cases/${intake.id}` });
    expect(page.body).toContain('Liên kết với hồ sơ trẻ em đã có');
    expect(page.body).toContain('Đã liên kết với hồ sơ trẻ em');
    // Linked: no more suggestions, and the header shows the child record.
    expect(page.body).not.toContain('duplicates-title');
    expect(page.body).toContain('<h1 id="case-title">Nguyễn Văn An</h1>');
  });

  it('refuses to link a child the worker was not shown', async () => {
    const intake = openIntake('Nguyen Van An');
    const refused = await send(t.app, worker, { method: 'POST', url: `/cases/${intake.id}/child`, payload: { child_id: String(pupilB), row_version: '1' } });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Không thể liên kết với hồ sơ trẻ em này.');
    expect(caseOf(intake.id).childId).toBeNull();
    expect(auditActions(t.db)).toContainEqual({ action: 'case.child_link', outcome: 'refused', entity_type: 'case', entity_id: String(intake.id) });
  });

  it('confirms a new child from the intake, audited', async () => {
    const intake = openIntake('Trần Đức Bảo', { child: { name: 'Trần Đức Bảo', estimatedAge: 7, sex: 'male' } });
    const confirmed = await send(t.app, worker, { method: 'POST', url: `/cases/${intake.id}/child`, payload: { child_id: 'new', row_version: '1' } });
    expect(confirmed.statusCode).toBe(303);
    const { childId, rowVersion } = caseOf(intake.id);
    expect(rowVersion).toBe(2);
    const child = t.db.select().from(children).where(eq(children.id, childId!)).get();
    expect(child).toMatchObject({
      fullName: 'Trần Đức Bảo',
      nameFolded: 'tran duc bao',
      birthDate: null,
      estimatedBirthYear: 2019,
      sex: 'male',
      residenceOrgId: orgs.communeA,
    });
    expect(auditActions(t.db)).toContainEqual({ action: 'case.child_confirm', outcome: 'allowed', entity_type: 'case', entity_id: String(intake.id) });
    const again = await send(t.app, worker, { method: 'POST', url: `/cases/${intake.id}/child`, payload: { child_id: 'new', row_version: '2' } });
    expect(again.statusCode).toBe(409);
    expect(t.db.select().from(children).all()).toHaveLength(4);
  });
});
