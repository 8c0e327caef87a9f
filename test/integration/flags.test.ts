import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { writeTransaction } from '../../src/db/client.js';
import { birthYearFromAge, insertPupil } from '../../src/children/repository.js';
import { createFlag } from '../../src/flags/service.js';
import { setUserLocale } from '../../src/users/repository.js';
import { auditActions, createTestApp, login, seedOrgs, seedUser, send, type Browser, type TestApp, type TestOrgs } from '../helpers/app.js';

type Row = Record<string, unknown>;

describe('teacher flags and the school safeguarding lead', () => {
  let t: TestApp;
  let orgs: TestOrgs;
  let users: Record<'teacher' | 'colleague' | 'lead' | 'otherLead' | 'otherTeacher' | 'admin' | 'communeTeacher', number>;
  let pupilId: number;

  const all = (query: string, ...params: unknown[]): Row[] => t.db.$client.prepare(query).all(...params) as Row[];
  const one = (query: string, ...params: unknown[]): Row | undefined => t.db.$client.prepare(query).get(...params) as Row | undefined;

  /** A flag raised directly through the service, for the tests about reading and deciding. */
  function raiseFlag(createdBy = users.teacher, schoolOrgId = orgs.schoolA, childId = pupilId): number {
    return createFlag(
      t.db,
      { userId: createdBy, audit: SYSTEM_AUDIT_CONTEXT },
      {
        schoolOrgId,
        pupil: { id: childId },
        categories: ['abuse_violence_physical'],
        description: 'Em có vết bầm ở tay, nói bố đánh.',
        immediateDanger: false,
        bodyMap: [{ region: 'front_forearm_left', note: 'bầm tím' }],
      },
    );
  }

  const validFlag = {
    child_id: 'new',
    new_full_name: 'Trần Thị Mỹ Duyên',
    new_age: '9',
    new_sex: 'female',
    new_class: '3B',
    categories: ['abuse_violence_physical', 'abuse_violence_emotional'],
    description: 'Em nói: "Mẹ nhốt con trong nhà kho cả đêm." Em có vết bầm ở mặt và lưng.',
    immediate_danger: 'no',
    body_region: ['front_face', 'back_upper_back'],
    body_note_front_face: 'vết bầm dưới mắt trái',
    body_note_back_upper_back: 'vệt đỏ dài',
  };

  beforeEach(async () => {
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    users = {
      teacher: await seedUser(t.db, 'giaovien', [{ role: 'teacher', orgId: orgs.schoolA }]),
      colleague: await seedUser(t.db, 'dongnghiep', [{ role: 'teacher', orgId: orgs.schoolA }]),
      lead: await seedUser(t.db, 'bgh', [{ role: 'school_lead', orgId: orgs.schoolA }]),
      otherLead: await seedUser(t.db, 'bghkhac', [{ role: 'school_lead', orgId: orgs.schoolB }]),
      otherTeacher: await seedUser(t.db, 'giaovienkhac', [{ role: 'teacher', orgId: orgs.schoolB }]),
      admin: await seedUser(t.db, 'quantri', [{ role: 'admin', orgId: orgs.province }]),
      communeTeacher: await seedUser(t.db, 'giaovienxa', [{ role: 'teacher', orgId: orgs.communeA }]),
    };
    pupilId = writeTransaction(t.db, (tx) =>
      insertPupil(tx, { fullName: 'Nguyễn Văn Bình', birthDate: '2017-05-04', estimatedAge: null, sex: 'male', className: '4A', schoolOrgId: orgs.schoolA, createdBy: users.teacher }),
    );
    writeTransaction(t.db, (tx) =>
      insertPupil(tx, { fullName: 'Lê Thị Hoa', birthDate: null, estimatedAge: 7, sex: 'female', className: '2B', schoolOrgId: orgs.schoolA, createdBy: users.teacher }),
    );
    writeTransaction(t.db, (tx) =>
      insertPupil(tx, { fullName: 'Phạm Văn Cường', birthDate: null, estimatedAge: 5, sex: 'male', className: 'Lớp Lá', schoolOrgId: orgs.schoolB, createdBy: users.otherTeacher }),
    );
  });
  afterEach(async () => t.close());

  describe('a teacher flags a concern', () => {
    let teacher: Browser;
    beforeEach(async () => {
      teacher = await login(t.app, t.db, 'giaovien');
    });

    it("shows a form with the school's roster only, the taxonomy, and a body map that needs no inline script or style", async () => {
      const page = await send(t.app, teacher, { url: '/flags/new' });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Nguyễn Văn Bình');
      expect(page.body).toContain('Lê Thị Hoa');
      expect(page.body).not.toContain('Phạm Văn Cường');
      expect(page.body).toContain('value="abuse_violence_physical"');
      expect(page.body).toMatch(/<rect[^>]*data-region="front_chest"[^>]*role="button"[^>]*tabindex="0"[^>]*aria-pressed="false"/);
      expect(page.body).toContain('name="body_region" value="back_buttocks"');
      expect(page.body).toContain('<script src="/static/body-map.js" defer></script>');
      expect(page.body).not.toMatch(/\sstyle="/);
      expect(page.body).not.toMatch(/<script>(?!<\/script>)/);
      expect(page.body).not.toMatch(/\son[a-z]+="/);
      const script = await send(t.app, null, { url: '/static/body-map.js' });
      expect(script.statusCode).toBe(200);
    });

    it('filters the roster by a search, with diacritics or without, and htmx gets the fragment alone', async () => {
      const plain = await send(t.app, teacher, { url: `/flags/new?q=${encodeURIComponent('binh')}` });
      expect(plain.body).toContain('Nguyễn Văn Bình');
      expect(plain.body).not.toContain('Lê Thị Hoa');
      expect(plain.body).toContain('<html');
      const fragment = await send(t.app, teacher, { url: `/flags/new?q=${encodeURIComponent('2b')}`, headers: { 'hx-request': 'true' } });
      expect(fragment.body).toContain('id="pupil-list"');
      expect(fragment.body).toContain('Lê Thị Hoa');
      expect(fragment.body).not.toContain('Nguyễn Văn Bình');
      expect(fragment.body).not.toContain('<html');
      // A pupil already chosen stays on the list when the search moves on.
      const kept = await send(t.app, teacher, { url: `/flags/new?q=hoa&child_id=${pupilId}`, headers: { 'hx-request': 'true' } });
      expect(kept.body).toMatch(new RegExp(`value="${pupilId}" checked`));
    });

    it('records the flag, a new pupil, categories and body marks in one go, then confirms', async () => {
      const response = await send(t.app, teacher, { method: 'POST', url: '/flags', payload: validFlag });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/flags/mine?sent=1');

      const child = one("SELECT * FROM children WHERE full_name = 'Trần Thị Mỹ Duyên'");
      expect(child).toMatchObject({ name_folded: 'tran thi my duyen', school_org_id: orgs.schoolA, class_name: '3B', sex: 'female', birth_date: null, created_by: users.teacher });
      expect(child?.estimated_birth_year).toBe(birthYearFromAge(9));
      const flag = one('SELECT * FROM flags WHERE child_id = ?', child?.id);
      expect(flag).toMatchObject({ school_org_id: orgs.schoolA, created_by: users.teacher, status: 'new', immediate_danger: 0, case_id: null });
      expect(JSON.parse(String(flag?.body_map))).toEqual([
        { region: 'front_face', note: 'vết bầm dưới mắt trái' },
        { region: 'back_upper_back', note: 'vệt đỏ dài' },
      ]);
      expect(all('SELECT code FROM flag_categories WHERE flag_id = ? ORDER BY code', flag?.id)).toEqual([
        { code: 'abuse_violence_emotional' },
        { code: 'abuse_violence_physical' },
      ]);
      const actions = auditActions(t.db).map((entry) => `${entry.action}:${entry.entity_type}:${entry.entity_id}`);
      expect(actions).toContain(`child.create:child:${child?.id}`);
      expect(actions).toContain(`flag.create:flag:${flag?.id}`);

      const mine = await send(t.app, teacher, { url: '/flags/mine?sent=1' });
      expect(mine.body).toContain('Đã gửi báo cáo');
      expect(mine.body).toContain('Duyên');
      expect(mine.body).toContain('Đã tiếp nhận');
    });

    it('flags a pupil from the roster', async () => {
      const response = await send(t.app, teacher, {
        method: 'POST',
        url: '/flags',
        payload: { child_id: String(pupilId), categories: 'abuse_neglect', description: 'Em thường xuyên đói, quần áo bẩn.', immediate_danger: 'yes' },
      });
      expect(response.statusCode).toBe(303);
      expect(one('SELECT child_id, immediate_danger, body_map FROM flags')).toEqual({ child_id: pupilId, immediate_danger: 1, body_map: '[]' });
      expect(one('SELECT count(*) AS n FROM children')).toEqual({ n: 3 });
    });

    it('shows the form again with 400, localised messages and every typed value kept', async () => {
      const response = await send(t.app, teacher, {
        method: 'POST',
        url: '/flags',
        payload: {
          child_id: 'new',
          new_full_name: 'Trần Thị Mỹ Duyên',
          new_class: '3B',
          categories: 'abuse_violence_emotional',
          description: 'Em kể bị mắng chửi hằng ngày.',
          body_region: 'front_face',
          body_note_front_face: 'mắt sưng',
        },
      });
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('Vui lòng nhập ngày sinh hoặc tuổi ước tính.');
      expect(response.body).toContain('Vui lòng chọn giới tính.');
      expect(response.body).toContain('Vui lòng cho biết trẻ có đang gặp nguy hiểm ngay lúc này không.');
      expect(response.body).toContain('value="Trần Thị Mỹ Duyên"');
      expect(response.body).toContain('value="3B"');
      expect(response.body).toContain('Em kể bị mắng chửi hằng ngày.</textarea>');
      expect(response.body).toMatch(/value="abuse_violence_emotional" checked/);
      expect(response.body).toMatch(/id="child-new" value="new" checked/);
      expect(response.body).toMatch(/name="body_region" value="front_face" checked/);
      expect(response.body).toContain('value="mắt sưng"');
      expect(response.body).toMatch(/data-region="front_face" role="button" tabindex="0" aria-pressed="true"/);
      expect(one('SELECT count(*) AS n FROM flags')).toEqual({ n: 0 });

      setUserLocale(t.db, users.teacher, 'en');
      const english = await send(t.app, teacher, { method: 'POST', url: '/flags', payload: { description: '' } });
      expect(english.statusCode).toBe(400);
      expect(english.body).toContain('Choose a pupil from the list or add a new pupil.');
      expect(english.body).toContain('Choose at least one concern.');
    });

    it('refuses a pupil of another school, an unknown category and an unknown body region', async () => {
      const otherPupil = one("SELECT id FROM children WHERE full_name = 'Phạm Văn Cường'")?.id;
      const response = await send(t.app, teacher, {
        method: 'POST',
        url: '/flags',
        payload: { child_id: String(otherPupil), categories: 'not_a_code', description: 'x', immediate_danger: 'no' },
      });
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('Vui lòng chọn học sinh trong danh sách hoặc thêm học sinh mới.');
      expect(response.body).toMatch(/id="categories-error">Giá trị không hợp lệ/);
      const region = await send(t.app, teacher, {
        method: 'POST',
        url: '/flags',
        payload: { child_id: String(pupilId), categories: 'abuse_neglect', description: 'x', immediate_danger: 'no', body_region: 'tail' },
      });
      expect(region.statusCode).toBe(400);
      expect(region.body).toMatch(/id="body_map-error">Giá trị không hợp lệ/);
      expect(one('SELECT count(*) AS n FROM flags')).toEqual({ n: 0 });
    });

    it('is refused while the active role is not at a school', async () => {
      const elsewhere = await login(t.app, t.db, 'giaovienxa');
      const response = await send(t.app, elsewhere, { url: '/flags/new' });
      expect(response.statusCode).toBe(403);
      expect(response.body).toContain('trường học hoặc nhóm trẻ');
      expect(auditActions(t.db).at(-1)).toMatchObject({ action: 'flag.create', outcome: 'refused' });
    });
  });

  describe("a teacher's own flags", () => {
    it('lists only their own flags, with a coarse status and never the case', async () => {
      const flagId = raiseFlag();
      const lead = await login(t.app, t.db, 'bgh');
      await send(t.app, lead, { method: 'POST', url: `/flags/${flagId}/forward`, payload: { commune_id: String(orgs.communeA) } });
      const reference = String(one('SELECT reference FROM cases')?.reference);

      const teacher = await login(t.app, t.db, 'giaovien');
      const mine = await send(t.app, teacher, { url: '/flags/mine' });
      expect(mine.statusCode).toBe(200);
      expect(mine.body).toContain('Bình');
      expect(mine.body).not.toContain('Nguyễn Văn Bình');
      expect(mine.body).toContain('Đã tiếp nhận');
      expect(mine.body).not.toContain(reference);
      expect(mine.body).not.toContain('/cases/');
      expect(mine.body).not.toContain('vết bầm');

      t.db.$client.prepare("UPDATE cases SET state = 'verification'").run();
      expect((await send(t.app, teacher, { url: '/flags/mine' })).body).toContain('Đang xử lý');
      t.db.$client.prepare("UPDATE cases SET state = 'closed'").run();
      expect((await send(t.app, teacher, { url: '/flags/mine' })).body).toContain('Đã kết thúc');
    });

    it('keeps another teacher of the same school out of them', async () => {
      raiseFlag();
      raiseFlag(users.colleague, orgs.schoolA, Number(one("SELECT id FROM children WHERE full_name = 'Lê Thị Hoa'")?.id));
      const colleague = await login(t.app, t.db, 'dongnghiep');
      const mine = await send(t.app, colleague, { url: '/flags/mine' });
      expect(mine.body).toContain('Hoa <span');
      expect(mine.body).not.toContain('Bình <span');
    });

    it("keeps teachers out of the lead's queue and the flag itself", async () => {
      const flagId = raiseFlag();
      for (const username of ['giaovien', 'giaovienkhac']) {
        const browser = await login(t.app, t.db, username);
        expect((await send(t.app, browser, { url: '/flags' })).statusCode).toBe(403);
        expect((await send(t.app, browser, { url: `/flags/${flagId}` })).statusCode).toBe(403);
      }
    });
  });

  describe("the school lead's queue", () => {
    let lead: Browser;
    beforeEach(async () => {
      lead = await login(t.app, t.db, 'bgh');
    });

    it('lists the school flags newest first with unread markers; opening one records a read receipt and an audit entry', async () => {
      const flagId = raiseFlag();
      raiseFlag(users.otherTeacher, orgs.schoolB, Number(one("SELECT id FROM children WHERE full_name = 'Phạm Văn Cường'")?.id));
      const queue = await send(t.app, lead, { url: '/flags' });
      expect(queue.statusCode).toBe(200);
      expect(queue.body).toContain('Nguyễn Văn Bình');
      expect(queue.body).not.toContain('Phạm Văn Cường');
      expect(queue.body).toContain('1 báo cáo chưa đọc');
      expect(queue.body).toContain('Chưa đọc</span>');

      const page = await send(t.app, lead, { url: `/flags/${flagId}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Em có vết bầm ở tay, nói bố đánh.');
      expect(page.body).toContain('Cẳng tay trái');
      expect(page.body).toContain('bầm tím');
      expect(page.body).toMatch(/class="body-region is-marked" data-region="front_forearm_left"/);
      expect(one('SELECT user_id FROM flag_reads WHERE flag_id = ?', flagId)).toEqual({ user_id: users.lead });
      expect(auditActions(t.db).at(-1)).toMatchObject({ action: 'flag.view', outcome: 'allowed', entity_type: 'flag', entity_id: String(flagId) });

      const after = await send(t.app, lead, { url: '/flags' });
      expect(after.body).toContain('Bạn đã đọc tất cả báo cáo.');
      expect(after.body).not.toContain('Chưa đọc</span>');
      expect((await send(t.app, lead, { url: '/flags?status=no_action' })).body).not.toContain('Nguyễn Văn Bình');
      expect((await send(t.app, lead, { url: '/flags?status=new' })).body).toContain('Nguyễn Văn Bình');
    });

    it('forwards to the commune: a case in intake from the teacher channel, in the same step as the flag', async () => {
      const flagId = raiseFlag();
      const form = await send(t.app, lead, { url: `/flags/${flagId}` });
      // The school's own commune is proposed when the child's residence is unknown.
      expect(form.body).toMatch(new RegExp(`<option value="${orgs.communeA}" selected>`));

      const forward = await send(t.app, lead, {
        method: 'POST',
        url: `/flags/${flagId}/forward`,
        payload: { commune_id: String(orgs.communeB), lead_context: 'Gia đình đã được nhắc hai lần trong năm học.' },
      });
      expect(forward.statusCode).toBe(303);
      const caseRow = one('SELECT * FROM cases');
      expect(caseRow).toMatchObject({ org_id: orgs.communeB, state: 'intake', channel: 'teacher', child_id: pupilId });
      const intake = one('SELECT * FROM intakes');
      expect(intake).toMatchObject({
        channel: 'teacher',
        medium: 'in_person',
        source_org_id: orgs.schoolA,
        child_name: 'Nguyễn Văn Bình',
        child_birth_date: '2017-05-04',
        residence_org_id: orgs.communeB,
        reporter_consented: 1,
        reporter_relation: 'school',
        reporter_name: 'Trường Tiểu học An Bình',
      });
      expect(String(intake?.description)).toContain('Em có vết bầm ở tay, nói bố đánh.');
      expect(String(intake?.description)).toContain('Gia đình đã được nhắc hai lần trong năm học.');
      expect(all('SELECT code FROM case_categories')).toEqual([{ code: 'abuse_violence_physical' }]);
      expect(one('SELECT status, case_id, lead_context, decided_by FROM flags')).toEqual({
        status: 'forwarded',
        case_id: caseRow?.id,
        lead_context: 'Gia đình đã được nhắc hai lần trong năm học.',
        decided_by: users.lead,
      });
      expect(auditActions(t.db).map((entry) => entry.action)).toEqual(expect.arrayContaining(['case.create', 'flag.forward']));

      const shown = await send(t.app, lead, { url: String(forward.headers.location) });
      expect(shown.body).toContain(String(caseRow?.reference));
      expect(shown.body).toContain('Phường Đông Hòa');
      expect(shown.body).not.toContain('action="/flags/' + flagId + '/forward"');

      const again = await send(t.app, lead, { method: 'POST', url: `/flags/${flagId}/no-action`, payload: { reason: 'Đã giải quyết' } });
      expect(again.statusCode).toBe(409);
      expect(again.body).toContain('đã được quyết định trước đó');
      expect(one('SELECT count(*) AS n FROM cases')).toEqual({ n: 1 });
    });

    it('proposes the commune where the child lives when it is known, and refuses a commune that is not one', async () => {
      t.db.$client.prepare('UPDATE children SET residence_org_id = ? WHERE id = ?').run(orgs.communeB, pupilId);
      const flagId = raiseFlag();
      expect((await send(t.app, lead, { url: `/flags/${flagId}` })).body).toMatch(new RegExp(`<option value="${orgs.communeB}" selected>`));
      const refused = await send(t.app, lead, { method: 'POST', url: `/flags/${flagId}/forward`, payload: { commune_id: String(orgs.schoolB), lead_context: 'giữ lại' } });
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('giữ lại</textarea>');
      expect(one('SELECT count(*) AS n FROM cases')).toEqual({ n: 0 });
    });

    it('records "no further action" only with a reason', async () => {
      const flagId = raiseFlag();
      const missing = await send(t.app, lead, { method: 'POST', url: `/flags/${flagId}/no-action`, payload: { reason: '  ' } });
      expect(missing.statusCode).toBe(400);
      expect(missing.body).toContain('Vui lòng ghi lý do không cần xử lý thêm.');
      expect(one('SELECT status FROM flags')).toEqual({ status: 'new' });

      const done = await send(t.app, lead, { method: 'POST', url: `/flags/${flagId}/no-action`, payload: { reason: 'Vết bầm do ngã xe đạp, phụ huynh đã xác nhận.' } });
      expect(done.statusCode).toBe(303);
      expect(one('SELECT status, lead_reason, decided_by FROM flags')).toEqual({
        status: 'no_action',
        lead_reason: 'Vết bầm do ngã xe đạp, phụ huynh đã xác nhận.',
        decided_by: users.lead,
      });
      expect(auditActions(t.db).map((entry) => entry.action)).toContain('flag.no_action');
      const forward = await send(t.app, lead, { method: 'POST', url: `/flags/${flagId}/forward`, payload: { commune_id: String(orgs.communeA) } });
      expect(forward.statusCode).toBe(409);

      const teacher = await login(t.app, t.db, 'giaovien');
      expect((await send(t.app, teacher, { url: '/flags/mine' })).body).toContain('Đã kết thúc');
    });

    it("refuses a lead of another school the flag (403, audited) and leaves it out of their list", async () => {
      const flagId = raiseFlag();
      const other = await login(t.app, t.db, 'bghkhac');
      const refused = await send(t.app, other, { url: `/flags/${flagId}` });
      expect(refused.statusCode).toBe(403);
      expect(auditActions(t.db).at(-1)).toMatchObject({ action: 'flag.review', outcome: 'refused', entity_type: 'flag', entity_id: String(flagId) });
      expect(one('SELECT count(*) AS n FROM flag_reads')).toEqual({ n: 0 });
      const queue = await send(t.app, other, { url: '/flags' });
      expect(queue.statusCode).toBe(200);
      expect(queue.body).not.toContain('Nguyễn Văn Bình');
      expect(queue.body).toContain('Không có báo cáo nào.');
      const forward = await send(t.app, other, { method: 'POST', url: `/flags/${flagId}/forward`, payload: { commune_id: String(orgs.communeA) } });
      expect(forward.statusCode).toBe(403);
      expect(one('SELECT status FROM flags')).toEqual({ status: 'new' });
      expect((await send(t.app, lead, { url: '/flags/999999' })).statusCode).toBe(404);
    });
  });

  it('refuses an administrator everything here', async () => {
    const flagId = raiseFlag();
    const admin = await login(t.app, t.db, 'quantri');
    for (const url of ['/flags/new', '/flags/mine', '/flags', `/flags/${flagId}`]) {
      expect((await send(t.app, admin, { url })).statusCode, url).toBe(403);
    }
    for (const url of ['/flags', `/flags/${flagId}/forward`, `/flags/${flagId}/no-action`]) {
      expect((await send(t.app, admin, { method: 'POST', url, payload: validFlag })).statusCode, url).toBe(403);
    }
    const home = await send(t.app, admin, { url: '/' });
    expect(home.body).not.toContain('href="/flags');
  });

  it('shows the flag menu to teachers and, with the queue, to school leads', async () => {
    const teacherHome = await send(t.app, await login(t.app, t.db, 'giaovien'), { url: '/' });
    expect(teacherHome.body).toContain('href="/flags/new"');
    expect(teacherHome.body).toContain('href="/flags/mine"');
    expect(teacherHome.body).not.toContain('href="/flags"');
    const leadHome = await send(t.app, await login(t.app, t.db, 'bgh'), { url: '/' });
    expect(leadHome.body).toContain('Hàng chờ của trường');
    expect(leadHome.body).toContain('href="/flags"');
  });
});
