// The admin forms' organisation fields (src/orgs/org-picker.ts): a short list to start with, a search by
// name for the rest, within the administrator's tree, and a search that never saves anything.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditActions, createTestApp, login, seedOrgs, seedUser, send, type Browser, type TestApp, type TestOrgs } from '../helpers/app.js';

let t: TestApp;
let orgs: TestOrgs;
let admin: Browser;

/** The option values of one picker's select, in page order. */
function offered(html: string, field: string): number[] {
  const box = new RegExp(`<div class="field" id="${field}-choices">[\\s\\S]*?</select>`).exec(html)?.[0] ?? '';
  return [...box.matchAll(/<option value="(\d+)"/g)].map((match) => Number(match[1]));
}

function chosen(html: string, field: string): number | null {
  const box = new RegExp(`<div class="field" id="${field}-choices">[\\s\\S]*?</select>`).exec(html)?.[0] ?? '';
  const match = /<option value="(\d+)" selected>/.exec(box);
  return match ? Number(match[1]) : null;
}

const sorted = (ids: number[]): number[] => [...ids].sort((a, b) => a - b);

const userCount = (): number => (t.db.$client.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;

beforeEach(async () => {
  t = await createTestApp();
  orgs = seedOrgs(t.db);
  await seedUser(t.db, 'quantri', [{ role: 'admin', orgId: orgs.province }]);
  await seedUser(t.db, 'quantri.xa', [{ role: 'admin', orgId: orgs.communeB }]);
  admin = await login(t.app, t.db, 'quantri');
});
afterEach(async () => t.close());

describe('organisation picker', () => {
  it("starts with the administrator's organisation and those directly under it, their own chosen", async () => {
    const page = await send(t.app, admin, { url: '/admin/users/new' });
    expect(page.statusCode).toBe(200);
    const top = sorted([orgs.province, orgs.communeA, orgs.communeB, orgs.socialWorkCentre, orgs.hotline]);
    expect(sorted(offered(page.body, 'home_org_id'))).toEqual(top);
    expect(sorted(offered(page.body, 'org_id'))).toEqual(top);
    expect(chosen(page.body, 'home_org_id')).toBe(orgs.province);
    expect(chosen(page.body, 'org_id')).toBeNull();
    expect(page.body).toContain('Danh sách đang hiện đơn vị của bạn và các đơn vị trực thuộc');
  });

  it('finds by name without diacritics, keeps what was typed and chosen, and saves nothing', async () => {
    const users = userCount();
    const audited = auditActions(t.db).length;
    const response = await send(t.app, admin, {
      method: 'POST',
      url: '/admin/users',
      payload: { display_name: 'Lê Thị Hoa', username: 'hoa.le', home_org_id: String(orgs.socialWorkCentre), org_id_q: 'an binh', _orgs: 'org_id' },
    });
    expect(response.statusCode).toBe(200);
    expect(sorted(offered(response.body, 'org_id'))).toEqual(sorted([orgs.communeA, orgs.schoolA]));
    expect(response.body).toContain('Tìm thấy 2 đơn vị.');
    expect(response.body).toContain('value="an binh"');
    expect(response.body).toContain('value="Lê Thị Hoa"');
    // The other field keeps its answer, even though its own list has no search.
    expect(chosen(response.body, 'home_org_id')).toBe(orgs.socialWorkCentre);
    expect(response.body).not.toContain('field-error');
    expect(userCount()).toBe(users);
    expect(auditActions(t.db)).toHaveLength(audited);

    const nothing = await send(t.app, admin, { method: 'POST', url: '/admin/users', payload: { org_id_q: 'không có đâu', _orgs: 'org_id' } });
    expect(offered(nothing.body, 'org_id')).toEqual([]);
    expect(nothing.body).toContain('Không tìm thấy đơn vị nào có tên “không có đâu”.');
  });

  it("keeps the chosen organisation offered while searching for another, and accepts a school found by search", async () => {
    const searching = await send(t.app, admin, {
      method: 'POST',
      url: '/admin/users',
      payload: { org_id: String(orgs.schoolB), org_id_q: 'an binh', _orgs: 'org_id' },
    });
    expect(sorted(offered(searching.body, 'org_id'))).toEqual(sorted([orgs.communeA, orgs.schoolA, orgs.schoolB]));
    expect(chosen(searching.body, 'org_id')).toBe(orgs.schoolB);

    const created = await send(t.app, admin, {
      method: 'POST',
      url: '/admin/users',
      payload: {
        display_name: 'Lê Thị Hoa',
        username: 'hoa.le',
        home_org_id: String(orgs.schoolB),
        role: 'teacher',
        org_id: String(orgs.schoolB),
        org_id_q: 'an binh',
        password: 'cánh cò bay lả bay la',
        password_confirm: 'cánh cò bay lả bay la',
      },
    });
    expect(created.statusCode).toBe(303);
  });

  it("never finds an organisation outside the administrator's tree, and refuses one posted anyway", async () => {
    const communeAdmin = await login(t.app, t.db, 'quantri.xa');
    const search = await send(t.app, communeAdmin, { method: 'POST', url: '/admin/api-keys', payload: { name: 'Tổng đài', org_id_q: 'an binh', _orgs: 'org_id' } });
    expect(search.statusCode).toBe(200);
    expect(offered(search.body, 'org_id')).toEqual([]);
    expect(sorted(offered((await send(t.app, communeAdmin, { url: '/admin/api-keys' })).body, 'org_id'))).toEqual(sorted([orgs.communeB, orgs.schoolB]));
    const forged = await send(t.app, communeAdmin, { method: 'POST', url: '/admin/api-keys', payload: { name: 'Tổng đài', org_id: String(orgs.communeA) } });
    expect(forged.statusCode).toBe(400);
    expect(t.db.$client.prepare('SELECT count(*) AS n FROM api_keys').get()).toEqual({ n: 0 });
  });

  it("offers no new parent inside the organisation's own subtree, and finds a renamed organisation by its new name", async () => {
    const move = await send(t.app, admin, { method: 'POST', url: `/admin/organisations/${orgs.communeA}/move`, payload: { parent_id_q: 'an binh', _orgs: 'parent_id' } });
    expect(move.statusCode).toBe(200);
    // Only the current parent, which stays chosen: the commune and its school are its own subtree.
    expect(offered(move.body, 'parent_id')).toEqual([orgs.province]);
    const page = await send(t.app, admin, { url: `/admin/organisations/${orgs.communeA}` });
    expect(chosen(page.body, 'parent_id')).toBe(orgs.province);

    await send(t.app, admin, { method: 'POST', url: `/admin/organisations/${orgs.schoolB}/rename`, payload: { name: 'Trường Mầm non Hoa Mai' } });
    const renamed = await send(t.app, admin, { method: 'POST', url: `/admin/organisations/${orgs.communeA}/move`, payload: { parent_id_q: 'hoa mai', _orgs: 'parent_id' } });
    expect(offered(renamed.body, 'parent_id')).toEqual([orgs.province, orgs.schoolB]);
  });

  it('searches for a role in place on the user page', async () => {
    const userId = (t.db.$client.prepare("SELECT id FROM users WHERE username = 'quantri.xa'").get() as { id: number }).id;
    const response = await send(t.app, admin, {
      method: 'POST',
      url: `/admin/users/${userId}/assignments`,
      payload: { role: 'commune_worker', org_id_q: 'dong hoa', _orgs: 'org_id' },
      headers: { 'hx-request': 'true' },
    });
    expect(response.statusCode).toBe(200);
    expect(sorted(offered(response.body, 'org_id'))).toEqual(sorted([orgs.communeB, orgs.schoolB]));
    expect(response.body).toContain('<option value="commune_worker" selected>');
    expect(t.db.$client.prepare('SELECT count(*) AS n FROM role_assignments WHERE user_id = ?').get(userId)).toEqual({ n: 1 });
  });
});
