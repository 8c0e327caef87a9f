import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { listNonWorkingDays, loadNonWorkingDays } from '../../src/calendar/repository.js';
import { findCase } from '../../src/cases/repository.js';
import { applyCaseEvent, openCase, type CaseCommand } from '../../src/cases/service.js';
import { writeTransaction } from '../../src/db/client.js';
import { vi } from '../../src/i18n/vi.js';
import { activeAssignments } from '../../src/users/repository.js';
import type { Actor } from '../../src/permissions/actor.js';
import { auditActions, createTestApp, login, seedOrgs, seedUser, send, type Browser, type TestApp, type TestOrgs } from '../helpers/app.js';

const html = (text: string): string => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

describe('working-day calendar administration', () => {
  let t: TestApp;
  let orgs: TestOrgs;
  let admin: Browser;

  beforeEach(async () => {
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    await seedUser(t.db, 'quantri', [{ role: 'admin', orgId: orgs.province }]);
    admin = await login(t.app, t.db, 'quantri');
  });
  afterEach(async () => t.close());

  const post = (url: string, payload: Record<string, string>) => send(t.app, admin, { method: 'POST', url, payload });
  const calendarAudit = () => auditActions(t.db).filter((entry) => entry.action.startsWith('calendar.'));
  const dayCount = () => listNonWorkingDays(t.db).length;

  it("lists a year's days off as dd/mm/yyyy with weekdays and both names, and explains weekends and deadlines", async () => {
    const page = await send(t.app, admin, { url: '/admin/calendar?year=2026' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(vi['calendar.year_title'].replace('{year}', '2026'));
    // Mùng 1 Tết Bính Ngọ.
    expect(page.body).toMatch(/<th scope="row">17\/02\/2026<\/th>\s*<td>Thứ Ba<\/td>\s*<td lang="vi">Tết Nguyên đán<\/td>\s*<td lang="en">Lunar New Year \(Tết\)<\/td>/);
    expect(page.body).toContain(html("New Year's Day"));
    expect(page.body).not.toContain('01/01/2027');
    expect(page.body).toContain(vi['calendar.weekend_note']);
    expect(page.body).toContain(vi['calendar.deadline_note']);
    expect(page.body).toContain('href="/admin/calendar?year=2027"');
    expect(page.body).toContain('href="/admin/taxonomy"');
    expect(page.body).not.toMatch(/[a-z-]+=&quot;/);

    const empty = await send(t.app, admin, { url: '/admin/calendar?year=2030' });
    expect(empty.body).toContain(vi['calendar.empty'].replace('{year}', '2030'));
    // A nonsense year shows the current one rather than failing.
    expect((await send(t.app, admin, { url: '/admin/calendar?year=abc' })).statusCode).toBe(200);
  });

  it('adds a day typed as dd/mm/yyyy, audited', async () => {
    const response = await post('/admin/calendar', { date: '24/11/2026', name_vi: 'Ngày Văn hóa Việt Nam', name_en: 'Vietnamese Culture Day', year: '2026' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin/calendar?year=2026');
    expect(listNonWorkingDays(t.db).find((day) => day.date === '2026-11-24')).toEqual({
      date: '2026-11-24',
      nameVi: 'Ngày Văn hóa Việt Nam',
      nameEn: 'Vietnamese Culture Day',
    });
    expect(calendarAudit()).toEqual([{ action: 'calendar.add', outcome: 'allowed', entity_type: 'non_working_day', entity_id: '2026-11-24' }]);
    const page = await send(t.app, admin, { url: '/admin/calendar?year=2026' });
    expect(page.body).toMatch(/24\/11\/2026<\/th>\s*<td>Thứ Ba<\/td>/);

    // A date picker's yyyy-mm-dd is accepted too, and the page follows the year of the new day.
    const picked = await post('/admin/calendar', { date: '2028-01-03', name_vi: 'Nghỉ bù', name_en: 'Compensatory day', year: '2026' });
    expect(picked.headers.location).toBe('/admin/calendar?year=2028');
  });

  it.each([
    ['an impossible date', { date: '30/02/2026', name_vi: 'Ngày nghỉ', name_en: 'Day off' }, 'date', 'calendar.date_invalid'],
    ['a year the calendar does not cover', { date: '01/01/1999', name_vi: 'Ngày nghỉ', name_en: 'Day off' }, 'date', 'calendar.date_invalid'],
    ['a date in another format', { date: '2026/11/24', name_vi: 'Ngày nghỉ', name_en: 'Day off' }, 'date', 'calendar.date_invalid'],
    ['no date', { date: '', name_vi: 'Ngày nghỉ', name_en: 'Day off' }, 'date', 'form.required'],
    ['a day already in the calendar', { date: '01/01/2026', name_vi: 'Ngày nghỉ', name_en: 'Day off' }, 'date', 'calendar.duplicate'],
    ['no Vietnamese name', { date: '24/11/2026', name_vi: ' ', name_en: 'Day off' }, 'name_vi', 'form.required'],
    ['no English name', { date: '24/11/2026', name_vi: 'Ngày nghỉ', name_en: '' }, 'name_en', 'form.required'],
  ] as const)('refuses %s, keeping the input', async (_, payload, field, messageKey) => {
    const before = dayCount();
    const response = await post('/admin/calendar', { ...payload, year: '2026' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(vi['form.fix_errors']);
    expect(response.body).toContain(vi[messageKey]);
    expect(response.body).toMatch(new RegExp(`name="${field}"[^>]*aria-invalid="true"`));
    if (payload.date) expect(response.body).toContain(`value="${payload.date}"`);
    // The page stays on the year the administrator was looking at.
    expect(response.body).toContain(vi['calendar.year_title'].replace('{year}', '2026'));
    expect(dayCount()).toBe(before);
    expect(calendarAudit()).toEqual([]);
  });

  it('removes a day, audited; an unknown day is not found', async () => {
    const response = await post('/admin/calendar/2026-09-01/remove', {});
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin/calendar?year=2026');
    expect(loadNonWorkingDays(t.db).has('2026-09-01')).toBe(false);
    expect(calendarAudit()).toEqual([{ action: 'calendar.remove', outcome: 'allowed', entity_type: 'non_working_day', entity_id: '2026-09-01' }]);
    expect((await post('/admin/calendar/2026-09-01/remove', {})).statusCode).toBe(404);
    expect((await post('/admin/calendar/01-09-2026/remove', {})).statusCode).toBe(404);
    expect(calendarAudit()).toHaveLength(1);
  });

  it('is for administrators only', async () => {
    await seedUser(t.db, 'chutich', [{ role: 'commune_chair', orgId: orgs.communeA }]);
    const chair = await login(t.app, t.db, 'chutich');
    expect((await send(t.app, chair, { url: '/admin/calendar' })).statusCode).toBe(403);
    const before = dayCount();
    const add = await send(t.app, chair, { method: 'POST', url: '/admin/calendar', payload: { date: '24/11/2026', name_vi: 'x', name_en: 'y' } });
    expect(add.statusCode).toBe(403);
    expect((await send(t.app, chair, { method: 'POST', url: '/admin/calendar/2026-01-01/remove' })).statusCode).toBe(403);
    expect(dayCount()).toBe(before);
  });

  it('counts the 5 working days of plans started after a change with the new calendar; plans already running keep theirs', async () => {
    const supervisorId = await seedUser(t.db, 'giamsat', [{ role: 'supervisor', orgId: orgs.province }]);
    const assignment = activeAssignments(t.db, supervisorId)[0]!;
    const supervisor: Actor = { userId: supervisorId, assignmentId: assignment.id, role: 'supervisor', orgId: orgs.province };
    const audit = { ...SYSTEM_AUDIT_CONTEXT, actorUserId: supervisorId, actorRole: 'supervisor', actorOrgId: orgs.province };
    const toPlanning: CaseCommand[] = [{ type: 'TAKE' }, { type: 'DECIDE_SUPPORT' }, { type: 'RECORD_NEEDS_MEETING' }, { type: 'COMPLETE_ASSESSMENT' }];

    /** A case received at 08:00 on Wed 18/11/2026 in Viet Nam whose plan starts the same morning. */
    function caseInPlanning(): number {
      const receivedAt = '2026-11-18T01:00:00.000Z';
      const { id } = writeTransaction(t.db, (tx) =>
        openCase(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT }, { orgId: orgs.communeA, channel: 'other', receivedAt, childId: null, categories: [] }),
      );
      toPlanning.forEach((command, i) => {
        const now = new Date(Date.parse(receivedAt) + (i + 1) * 3_600_000);
        expect(applyCaseEvent(t.db, t.app.orgRelations, { actor: supervisor, audit }, id, command, { now }).ok).toBe(true);
      });
      return id;
    }

    // Thu 19, Fri 20, Mon 23, Tue 24, Wed 25: due at the end of Wednesday in Viet Nam.
    const before = caseInPlanning();
    expect(findCase(t.db, before)).toMatchObject({ state: 'planning', planDueAt: '2026-11-25T16:59:59.999Z' });

    await post('/admin/calendar', { date: '24/11/2026', name_vi: 'Ngày Văn hóa Việt Nam', name_en: 'Vietnamese Culture Day' });
    const after = caseInPlanning();
    expect(findCase(t.db, after)!.planDueAt).toBe('2026-11-26T16:59:59.999Z');
    expect(findCase(t.db, before)!.planDueAt).toBe('2026-11-25T16:59:59.999Z');
  });
});
