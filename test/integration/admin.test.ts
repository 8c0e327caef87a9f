import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/en.js';
import { vi as viMessages } from '../../src/i18n/vi.js';
import { createOrgRelations } from '../../src/orgs/repository.js';
import { PUBLIC } from '../../src/web/types.js';
import { auditActions, createTestApp, login, seedOrgs, seedUser, send, type Browser, type TestApp, type TestOrgs } from '../helpers/app.js';

const GOOD_PASSWORD = 'cánh cò bay lả bay la';

function createdId(response: LightMyRequestResponse, prefix: string): number {
  expect(response.statusCode).toBe(303);
  const location = String(response.headers.location);
  expect(location).toMatch(new RegExp(`^${prefix}/\\d+$`));
  return Number(location.slice(prefix.length + 1));
}

interface OrgRow {
  name: string;
  kind: string;
  parentId: number | null;
  active: number;
}

describe('administering organisations', () => {
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

  const org = (id: number): OrgRow =>
    t.db.$client.prepare('SELECT name, kind, parent_id AS parentId, active FROM organisations WHERE id = ?').get(id) as OrgRow;
  const within = (id: number, ancestorId: number): boolean => createOrgRelations(t.db).isWithin(id, ancestorId);

  it('creates a child organisation under one it manages, placed in the tree and audited', async () => {
    const response = await send(t.app, admin, { method: 'POST', url: `/admin/organisations/${orgs.communeA}/children`, payload: { name: 'Trường THCS An Bình', kind: 'school' } });
    const id = createdId(response, '/admin/organisations');
    expect(org(id)).toEqual({ name: 'Trường THCS An Bình', kind: 'school', parentId: orgs.communeA, active: 1 });
    expect([within(id, orgs.communeA), within(id, orgs.province), within(id, orgs.communeB)]).toEqual([true, true, false]);
    expect(auditActions(t.db).at(-1)).toMatchObject({ action: 'org.create', entity_type: 'organisation', entity_id: String(id) });
    const page = await send(t.app, admin, { url: `/admin/organisations/${orgs.communeA}` });
    expect(page.body).toContain(`<a href="/admin/organisations/${id}">Trường THCS An Bình</a>`);
  });

  it('re-shows the new-child form with the message and the typed values when the name is missing', async () => {
    const before = auditActions(t.db).length;
    const response = await send(t.app, admin, { method: 'POST', url: `/admin/organisations/${orgs.communeA}/children`, payload: { name: 'X', kind: 'police' } });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(viMessages['form.required']);
    expect(response.body).toContain('id="child-name" name="name" type="text" value="X"');
    expect(response.body).toContain('<option value="police" selected>');
    expect(auditActions(t.db)).toHaveLength(before);
  });

  it('renames an organisation', async () => {
    const response = await send(t.app, admin, { method: 'POST', url: `/admin/organisations/${orgs.communeA}/rename`, payload: { name: 'Xã An Bình Mới' } });
    expect(response.statusCode).toBe(303);
    expect(org(orgs.communeA).name).toBe('Xã An Bình Mới');
    expect(auditActions(t.db).at(-1)).toMatchObject({ action: 'org.rename', entity_id: String(orgs.communeA) });
  });

  it('moves an organisation and its subtree under another parent', async () => {
    const response = await send(t.app, admin, { method: 'POST', url: `/admin/organisations/${orgs.communeA}/move`, payload: { parent_id: String(orgs.socialWorkCentre) } });
    expect(response.statusCode).toBe(303);
    expect(org(orgs.communeA).parentId).toBe(orgs.socialWorkCentre);
    expect([within(orgs.schoolA, orgs.socialWorkCentre), within(orgs.schoolA, orgs.communeA), within(orgs.schoolA, orgs.province)]).toEqual([true, true, true]);
    expect(within(orgs.communeA, orgs.hotline)).toBe(false);
    expect(auditActions(t.db).at(-1)).toMatchObject({ action: 'org.move', entity_id: String(orgs.communeA) });
    const page = await send(t.app, admin, { url: `/admin/organisations/${orgs.schoolA}` });
    expect(page.body.indexOf('Trung tâm Công tác xã hội tỉnh')).toBeLessThan(page.body.indexOf('Xã An Bình'));
  });

  it.each([
    ['a child of its own', 'schoolA'],
    ['itself', 'communeA'],
  ] as const)('refuses to move an organisation into %s, with the localised message and the form open', async (_label, target) => {
    const before = auditActions(t.db).length;
    const response = await send(t.app, admin, { method: 'POST', url: `/admin/organisations/${orgs.communeA}/move`, payload: { parent_id: String(orgs[target]) } });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(viMessages['org.move_into_self']);
    expect(response.body).toMatch(/<details open>\s*<summary>[^<]*<\/summary>\s*<form method="post" action="\/admin\/organisations\/\d+\/move"/);
    expect(response.body).toContain('name="parent_id" required aria-invalid="true"');
    expect(org(orgs.communeA).parentId).toBe(orgs.province);
    expect(within(orgs.communeA, orgs.schoolA)).toBe(false);
    expect(auditActions(t.db)).toHaveLength(before);
  });

  it('deactivates an organisation, which then cannot receive new users, and reactivates it', async () => {
    const response = await send(t.app, admin, { method: 'POST', url: `/admin/organisations/${orgs.schoolB}/active`, payload: { active: '0' } });
    expect(response.statusCode).toBe(303);
    expect(org(orgs.schoolB).active).toBe(0);
    expect(auditActions(t.db).at(-1)).toMatchObject({ action: 'org.deactivate', entity_id: String(orgs.schoolB) });
    const page = await send(t.app, admin, { url: `/admin/organisations/${orgs.schoolB}` });
    expect(page.body).toContain(viMessages['org.inactive']);
    const form = await send(t.app, admin, { url: '/admin/users/new' });
    expect(form.body).not.toContain(`<option value="${orgs.schoolB}"`);
    const refused = await send(t.app, admin, {
      method: 'POST',
      url: '/admin/users',
      payload: { display_name: 'Lê Thị Hoa', username: 'hoa.le', home_org_id: String(orgs.schoolB), role: 'teacher', org_id: String(orgs.schoolB), password: GOOD_PASSWORD, password_confirm: GOOD_PASSWORD },
    });
    expect(refused.statusCode).toBe(400);

    await send(t.app, admin, { method: 'POST', url: `/admin/organisations/${orgs.schoolB}/active`, payload: { active: '1' } });
    expect(org(orgs.schoolB).active).toBe(1);
  });

  it('does not let administrators deactivate their own top organisation', async () => {
    await send(t.app, admin, { method: 'POST', url: `/admin/organisations/${orgs.province}/active`, payload: { active: '0' } });
    expect(org(orgs.province).active).toBe(1);
  });
});

describe('administering users', () => {
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

  const newUser = (overrides: Record<string, string> = {}): Record<string, string> => ({
    display_name: 'Lê Thị Hoa',
    username: 'hoa.le',
    email: 'hoa@example.vn',
    home_org_id: String(orgs.schoolA),
    role: 'teacher',
    org_id: String(orgs.schoolA),
    password: GOOD_PASSWORD,
    password_confirm: GOOD_PASSWORD,
    ...overrides,
  });

  it('re-shows the new-user form with the message and everything typed except passwords when the password is weak', async () => {
    const response = await send(t.app, admin, { method: 'POST', url: '/admin/users', payload: newUser({ password: 'matkhau123', password_confirm: 'matkhau123' }) });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(viMessages['password.too_common']);
    expect(response.body).toContain(viMessages['form.fix_errors']);
    expect(response.body).toContain('value="Lê Thị Hoa"');
    expect(response.body).toContain('value="hoa.le"');
    expect(response.body).toContain('value="hoa@example.vn"');
    expect(response.body).toContain('<option value="teacher" selected>');
    expect(response.body).not.toContain('matkhau123');
    expect(t.db.$client.prepare("SELECT 1 FROM users WHERE username = 'hoa.le'").get()).toBeUndefined();
  });

  it('creates a user with a first role and shows them', async () => {
    const id = createdId(await send(t.app, admin, { method: 'POST', url: '/admin/users', payload: newUser() }), '/admin/users');
    expect(t.db.$client.prepare('SELECT username, display_name AS name, home_org_id AS home, email FROM users WHERE id = ?').get(id)).toEqual({
      username: 'hoa.le',
      name: 'Lê Thị Hoa',
      home: orgs.schoolA,
      email: 'hoa@example.vn',
    });
    const page = await send(t.app, admin, { url: `/admin/users/${id}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1 id="user-title">Lê Thị Hoa</h1>');
    expect(page.body).toContain(`<tr><td>${viMessages['role.teacher']}</td><td>Trường Tiểu học An Bình</td>`);
    expect(auditActions(t.db).at(-1)).toMatchObject({ action: 'user.create', entity_id: String(id) });
  });

  it('refuses a username that is taken, whatever its case', async () => {
    await seedUser(t.db, 'hoa.le', [{ role: 'teacher', orgId: orgs.schoolA }]);
    const response = await send(t.app, admin, { method: 'POST', url: '/admin/users', payload: newUser({ username: 'Hoa.Le' }) });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(viMessages['user.username_taken']);
  });

  it('adds a second role; the user signs in, switches role in the header, and the menu follows the role', async () => {
    const id = createdId(await send(t.app, admin, { method: 'POST', url: '/admin/users', payload: newUser() }), '/admin/users');
    const added = await send(t.app, admin, { method: 'POST', url: `/admin/users/${id}/assignments`, payload: { role: 'admin', org_id: String(orgs.communeA) } });
    expect(added.statusCode).toBe(303);
    const [teacher, administrator] = t.db.$client.prepare('SELECT id, role FROM role_assignments WHERE user_id = ? ORDER BY id').all(id) as { id: number; role: string }[];
    expect([teacher?.role, administrator?.role]).toEqual(['teacher', 'admin']);

    const hoa = await login(t.app, t.db, 'hoa.le', GOOD_PASSWORD);
    const asTeacher = await send(t.app, hoa, { url: '/' });
    expect(asTeacher.body).toContain('<select id="active-role" name="assignment">');
    expect(asTeacher.body).toContain(`<option value="${teacher?.id}" selected>`);
    expect(asTeacher.body).not.toContain('href="/admin/users"');

    const switched = await send(t.app, hoa, { method: 'POST', url: '/session/role', payload: { assignment: String(administrator?.id) } });
    expect(switched.statusCode).toBe(303);
    const asAdmin = await send(t.app, hoa, { url: '/' });
    expect(asAdmin.body).toContain(`<option value="${administrator?.id}" selected>`);
    expect(asAdmin.body).toContain('href="/admin/users"');
    expect(asAdmin.body).toContain('href="/admin/organisations"');
    expect(asAdmin.body).toContain(`<span>${viMessages['role.admin']}</span>`);
    expect(auditActions(t.db).at(-1)).toMatchObject({ action: 'auth.role_switch', entity_id: String(id) });
    expect((await send(t.app, hoa, { url: `/admin/organisations/${orgs.communeA}` })).statusCode).toBe(200);
  });

  it('refuses to switch to a role the user does not hold', async () => {
    const other = t.db.$client.prepare("SELECT id FROM role_assignments WHERE role = 'admin'").get() as { id: number };
    await seedUser(t.db, 'lan', [{ role: 'teacher', orgId: orgs.schoolA }]);
    const lan = await login(t.app, t.db, 'lan');
    const response = await send(t.app, lan, { method: 'POST', url: '/session/role', payload: { assignment: String(other.id) } });
    expect(response.statusCode).toBe(400);
    expect((await send(t.app, lan, { url: '/admin/users' })).statusCode).toBe(403);
  });

  it('resets another user\'s password, but sends administrators to their account page for their own', async () => {
    const lanId = await seedUser(t.db, 'lan', [{ role: 'teacher', orgId: orgs.schoolA }]);
    const reset = await send(t.app, admin, { method: 'POST', url: `/admin/users/${lanId}/password`, payload: { password: GOOD_PASSWORD, password_confirm: GOOD_PASSWORD } });
    expect(reset.statusCode).toBe(303);
    expect(auditActions(t.db).at(-1)).toMatchObject({ action: 'user.password_reset', entity_id: String(lanId) });
    await login(t.app, t.db, 'lan', GOOD_PASSWORD);

    const ownId = (t.db.$client.prepare("SELECT id FROM users WHERE username = 'quantri'").get() as { id: number }).id;
    const hashBefore = t.db.$client.prepare('SELECT password_hash FROM users WHERE id = ?').get(ownId);
    const ownPage = await send(t.app, admin, { url: `/admin/users/${ownId}` });
    expect(ownPage.body).not.toContain(`action="/admin/users/${ownId}/password"`);
    expect(ownPage.body).toContain(viMessages['user.own_password_on_account']);
    const own = await send(t.app, admin, { method: 'POST', url: `/admin/users/${ownId}/password`, payload: { password: GOOD_PASSWORD, password_confirm: GOOD_PASSWORD } });
    expect(own.statusCode).toBe(403);
    expect(t.db.$client.prepare('SELECT password_hash FROM users WHERE id = ?').get(ownId)).toEqual(hashBefore);
    expect(auditActions(t.db).at(-1)).toMatchObject({ action: 'user.reset_password', outcome: 'refused' });
  });

  it('ends a role, which is then no longer offered', async () => {
    const lanId = await seedUser(t.db, 'lan', [
      { role: 'teacher', orgId: orgs.schoolA },
      { role: 'school_lead', orgId: orgs.schoolA },
    ]);
    const lead = t.db.$client.prepare("SELECT id FROM role_assignments WHERE user_id = ? AND role = 'school_lead'").get(lanId) as { id: number };
    const response = await send(t.app, admin, { method: 'POST', url: `/admin/users/${lanId}/assignments/${lead.id}/end` });
    expect(response.statusCode).toBe(303);
    expect(auditActions(t.db).at(-1)).toMatchObject({ action: 'user.assignment_end', entity_id: String(lanId) });
    const lan = await login(t.app, t.db, 'lan');
    const home = await send(t.app, lan, { url: '/' });
    expect(home.body).not.toContain('name="assignment"');
  });
});

describe('administrators are confined to their own part of the tree', () => {
  let t: TestApp;
  let orgs: TestOrgs;
  let communeAdmin: Browser;
  let userB: number;

  beforeEach(async () => {
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    await seedUser(t.db, 'quantrixa', [{ role: 'admin', orgId: orgs.communeA }]);
    userB = await seedUser(t.db, 'nguoib', [{ role: 'teacher', orgId: orgs.schoolB }]);
    communeAdmin = await login(t.app, t.db, 'quantrixa');
  });
  afterEach(async () => t.close());

  function lastRefusal(): unknown {
    return t.db.$client
      .prepare("SELECT action, entity_type AS type, entity_id AS id, actor_role AS role FROM audit_log WHERE outcome = 'refused' ORDER BY id DESC LIMIT 1")
      .get();
  }

  it('cannot open a user of another commune (403, audited)', async () => {
    const response = await send(t.app, communeAdmin, { url: `/admin/users/${userB}` });
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain(viMessages['error.forbidden']);
    expect(response.body).not.toContain('nguoib');
    expect(lastRefusal()).toEqual({ action: 'user.manage', type: 'user', id: String(userB), role: 'admin' });
  });

  it('cannot open an organisation of another commune (403, audited)', async () => {
    const response = await send(t.app, communeAdmin, { url: `/admin/organisations/${orgs.communeB}` });
    expect(response.statusCode).toBe(403);
    expect(response.body).not.toContain('Phường Đông Hòa');
    expect(lastRefusal()).toEqual({ action: 'org.manage', type: 'organisation', id: String(orgs.communeB), role: 'admin' });
  });

  it('cannot open the province above it', async () => {
    expect((await send(t.app, communeAdmin, { url: `/admin/organisations/${orgs.province}` })).statusCode).toBe(403);
  });

  it('cannot change a user of another commune', async () => {
    const response = await send(t.app, communeAdmin, { method: 'POST', url: `/admin/users/${userB}/disable` });
    expect(response.statusCode).toBe(403);
    expect(t.db.$client.prepare('SELECT disabled_at AS at FROM users WHERE id = ?').get(userB)).toEqual({ at: null });
  });

  it('cannot move its own organisations under another commune', async () => {
    const response = await send(t.app, communeAdmin, { method: 'POST', url: `/admin/organisations/${orgs.schoolA}/move`, payload: { parent_id: String(orgs.communeB) } });
    expect(response.statusCode).toBe(403);
    expect(createOrgRelations(t.db).isWithin(orgs.schoolA, orgs.communeA)).toBe(true);
  });

  it('cannot place a new user, or a role, in another commune', async () => {
    const payload = { display_name: 'Lê Thị Hoa', username: 'hoa.le', home_org_id: String(orgs.schoolA), role: 'teacher', org_id: String(orgs.schoolB), password: GOOD_PASSWORD, password_confirm: GOOD_PASSWORD };
    const response = await send(t.app, communeAdmin, { method: 'POST', url: '/admin/users', payload });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(viMessages['form.invalid']);
    expect(t.db.$client.prepare("SELECT 1 FROM users WHERE username = 'hoa.le'").get()).toBeUndefined();
  });
});

describe('language and error pages', () => {
  let t: TestApp;
  let orgs: TestOrgs;
  let admin: Browser;

  beforeEach(async () => {
    t = await createTestApp({}, (app) => {
      app.get('/test/explode', { config: { permission: PUBLIC } }, async () => {
        throw new Error(`database locked at ${import.meta.url}`);
      });
    });
    orgs = seedOrgs(t.db);
    await seedUser(t.db, 'quantri', [{ role: 'admin', orgId: orgs.province }]);
    admin = await login(t.app, t.db, 'quantri');
  });
  afterEach(async () => t.close());

  it('renders administration pages in English after choosing English, and remembers the choice at the next sign-in', async () => {
    const chosen = await send(t.app, admin, { method: 'POST', url: '/language', payload: { locale: 'en', next: '/admin/users' } });
    expect(chosen.statusCode).toBe(303);
    expect(chosen.headers.location).toBe('/admin/users');
    const users = await send(t.app, admin, { url: '/admin/users' });
    expect(users.body).toContain('<html lang="en">');
    expect(users.body).toContain(`<h1 id="users-title">${en['users.title']}</h1>`);
    expect(users.body).not.toContain(viMessages['users.new']);
    const org = await send(t.app, admin, { url: `/admin/organisations/${orgs.province}` });
    expect(org.body).toContain(en['org.add_child']);

    await send(t.app, admin, { method: 'POST', url: '/logout' });
    const again = await login(t.app, t.db, 'quantri');
    const home = await send(t.app, again, { url: '/' });
    expect(home.body).toContain('<html lang="en">');
    expect(home.body).toContain(en['nav.users']);
  });

  it('shows a localised 404 page for unknown ids and unknown pages', async () => {
    for (const url of ['/admin/users/999999', '/admin/organisations/999999', '/admin/users/abc', '/khong-co-trang-nay']) {
      const response = await send(t.app, admin, { url });
      expect(response.statusCode, url).toBe(404);
      expect(response.body, url).toContain(viMessages['error.title_404']);
      expect(response.body, url).toContain(viMessages['error.not_found']);
    }
    await send(t.app, admin, { method: 'POST', url: '/language', payload: { locale: 'en' } });
    const english = await send(t.app, admin, { url: '/admin/users/999999' });
    expect(english.statusCode).toBe(404);
    expect(english.body).toContain(en['error.not_found']);
  });

  it('never shows a stack trace, file path or internal message on an error page', async () => {
    const responses = [
      await t.app.inject({ url: '/test/explode' }),
      await send(t.app, admin, { url: '/test/explode' }),
      await t.app.inject({ method: 'POST', url: '/login', headers: { 'content-type': 'application/json' }, payload: '{"username": "lan", ' }),
      await t.app.inject({ method: 'POST', url: '/login', headers: { 'content-type': 'application/xml' }, payload: '<login/>' }),
      await send(t.app, admin, { url: '/admin/users/abc' }),
    ];
    expect(responses.map((response) => response.statusCode)).toEqual([500, 500, 400, 415, 404]);
    expect(responses[0]?.body).toContain(viMessages['error.internal']);
    for (const response of responses) {
      expect(response.body).not.toMatch(/database locked|Unexpected|JSON|FST_|Error:|\n\s+at |file:\/\/|node_modules|\/work\/|\.ts\b/);
    }
  });
});
