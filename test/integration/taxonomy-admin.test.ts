import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { findCase } from '../../src/cases/repository.js';
import { openCase } from '../../src/cases/service.js';
import { writeTransaction } from '../../src/db/client.js';
import { en } from '../../src/i18n/en.js';
import { vi } from '../../src/i18n/vi.js';
import { activeTaxonomy, findTaxonomyCode, isActiveCode, localisedName } from '../../src/taxonomy/repository.js';
import { auditActions, createTestApp, login, seedOrgs, seedUser, send, type Browser, type TestApp, type TestOrgs } from '../helpers/app.js';

/** Eta escapes these in every `<%= %>`. */
const html = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

describe('taxonomy administration', () => {
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
  const taxonomyAudit = () => auditActions(t.db).filter((entry) => entry.action.startsWith('taxonomy.'));

  function openCaseWith(categories: string[]): number {
    return writeTransaction(t.db, (tx) =>
      openCase(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT }, {
        orgId: orgs.communeA,
        channel: 'other',
        receivedAt: '2026-03-02T02:00:00.000Z',
        childId: null,
        categories,
      }),
    ).id;
  }

  it('lists the two-level code list by group kind, with both names, the sensitive marker and the state', async () => {
    const home = await send(t.app, admin, { url: '/' });
    expect(home.body).toContain('href="/admin/taxonomy"');
    expect(home.body).toContain(vi['nav.settings']);

    const page = await send(t.app, admin, { url: '/admin/taxonomy' });
    expect(page.statusCode).toBe(200);
    for (const kind of ['abuse', 'child_labour', 'special_circumstances'] as const) {
      expect(page.body).toContain(vi[`taxonomy.group_kind.${kind}`]);
    }
    const sexualAbuse = findTaxonomyCode(t.db, 'abuse_sexual')!;
    expect(sexualAbuse.sensitive).toBe(true);
    expect(page.body).toContain(html(sexualAbuse.nameVi));
    expect(page.body).toContain(html(sexualAbuse.nameEn));
    expect(page.body).toContain(vi['taxonomy.sensitive_marker']);
    expect(page.body).toContain(vi['taxonomy.sensitive_hint']);
    expect(page.body).toContain('href="/admin/calendar"');
  });

  it('renders every page without escaping attribute markup into text', async () => {
    await post('/admin/taxonomy/sc_b/active', { active: '0' });
    for (const url of ['/admin/taxonomy', '/admin/taxonomy/abuse_violence', '/admin/taxonomy/abuse_violence_physical', '/admin/taxonomy/sc_b']) {
      const page = await send(t.app, admin, { url });
      expect(page.statusCode, url).toBe(200);
      expect(page.body, url).not.toMatch(/[a-z-]+=&quot;/);
    }
  });

  it('gives the other modules the active codes, grouped and in order', () => {
    const groups = activeTaxonomy(t.db);
    expect(new Set(groups.map((group) => group.groupKind))).toEqual(new Set(['abuse', 'child_labour', 'special_circumstances']));
    // Law on Children Art. 10.1: fourteen groups of children in special circumstances.
    expect(groups.filter((group) => group.groupKind === 'special_circumstances')).toHaveLength(14);
    const orders = groups.flatMap((group) => [group.sortOrder, ...group.children.map((child) => child.sortOrder)]);
    expect(orders).toEqual([...orders].sort((a, b) => a - b));
    for (const group of groups) {
      expect(group.parentCode).toBeNull();
      for (const child of group.children) expect(child).toMatchObject({ parentCode: group.code, groupKind: group.groupKind, active: true });
    }
    const violence = groups.find((group) => group.code === 'abuse_violence')!;
    expect(violence.children.map((child) => child.code)).toEqual(['abuse_violence_physical', 'abuse_violence_emotional']);
    expect(localisedName(violence, 'vi')).toBe('Bạo lực');
    expect(localisedName(violence, 'en')).toBe('Violence');
    expect(isActiveCode(t.db, 'abuse_violence_physical')).toBe(true);
    expect(isActiveCode(t.db, 'no_such_code')).toBe(false);
  });

  it('edits names and the sensitive flag, which only new cases take up', async () => {
    const before = openCaseWith(['abuse_violence_physical']);
    const response = await post('/admin/taxonomy/abuse_violence_physical', {
      name_vi: '  Bạo lực thể chất  ',
      name_en: 'Physical violence',
      sensitive: '1',
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin/taxonomy/abuse_violence_physical');
    expect(findTaxonomyCode(t.db, 'abuse_violence_physical')).toMatchObject({
      nameVi: 'Bạo lực thể chất',
      nameEn: 'Physical violence',
      sensitive: true,
      active: true,
    });
    expect(taxonomyAudit()).toEqual([{ action: 'taxonomy.update', outcome: 'allowed', entity_type: 'taxonomy_code', entity_id: 'abuse_violence_physical' }]);

    const after = openCaseWith(['abuse_violence_physical']);
    expect(findCase(t.db, before)!.sensitive).toBe(false);
    expect(findCase(t.db, after)!.sensitive).toBe(true);

    // Unticking the box clears the flag.
    await post('/admin/taxonomy/abuse_violence_physical', { name_vi: 'Bạo lực thể chất', name_en: 'Physical violence' });
    expect(findTaxonomyCode(t.db, 'abuse_violence_physical')!.sensitive).toBe(false);
    expect(findCase(t.db, after)!.sensitive).toBe(true);
  });

  it('refuses an edit without both names, keeping what was typed', async () => {
    const original = findTaxonomyCode(t.db, 'sc_b')!;
    const response = await post('/admin/taxonomy/sc_b', { name_vi: 'Tên mới đã gõ', name_en: '   ', sensitive: '1' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(vi['form.fix_errors']);
    expect(response.body).toContain(vi['form.required']);
    expect(response.body).toContain('value="Tên mới đã gõ"');
    expect(response.body).toMatch(/name="sensitive" value="1"[^>]*checked/);
    expect(findTaxonomyCode(t.db, 'sc_b')).toEqual(original);
    expect(taxonomyAudit()).toEqual([]);
  });

  it('shows validation errors in English to an English-speaking administrator', async () => {
    await send(t.app, admin, { method: 'POST', url: '/language', payload: { locale: 'en', next: '/' } });
    const response = await post('/admin/taxonomy/abuse_violence/children', { code: 'Bad Code', name_vi: 'Tên', name_en: 'Name' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(html(en['taxonomy.code_invalid']));
    expect(response.body).toContain('value="Bad Code"');
  });

  it('adds a sub-code under a group, audited, at the end of its siblings', async () => {
    const response = await post('/admin/taxonomy/abuse_violence/children', {
      code: 'abuse_violence_online',
      name_vi: 'Bạo lực trên môi trường mạng',
      name_en: 'Online violence',
    });
    expect(response.statusCode).toBe(303);
    expect(findTaxonomyCode(t.db, 'abuse_violence_online')).toMatchObject({
      parentCode: 'abuse_violence',
      groupKind: 'abuse',
      sensitive: false,
      active: true,
    });
    const violence = activeTaxonomy(t.db).find((group) => group.code === 'abuse_violence')!;
    expect(violence.children.map((child) => child.code).at(-1)).toBe('abuse_violence_online');
    expect(isActiveCode(t.db, 'abuse_violence_online')).toBe(true);
    expect(taxonomyAudit()).toEqual([{ action: 'taxonomy.create', outcome: 'allowed', entity_type: 'taxonomy_code', entity_id: 'abuse_violence_online' }]);
    const page = await send(t.app, admin, { url: '/admin/taxonomy/abuse_violence' });
    expect(page.body).toContain('Bạo lực trên môi trường mạng');
  });

  it('adds a new group of a kind', async () => {
    const response = await post('/admin/taxonomy', {
      group_kind: 'child_labour',
      code: 'cl_domestic_work',
      name_vi: 'Giúp việc gia đình trái quy định',
      name_en: 'Unlawful domestic work',
      sensitive: '1',
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin/taxonomy/cl_domestic_work');
    expect(findTaxonomyCode(t.db, 'cl_domestic_work')).toMatchObject({ parentCode: null, groupKind: 'child_labour', sensitive: true });
    expect(activeTaxonomy(t.db).at(-1)).toMatchObject({ code: 'cl_domestic_work', children: [] });
    expect(taxonomyAudit().map((entry) => entry.action)).toEqual(['taxonomy.create']);
  });

  it.each([
    ['an invalid code', { group_kind: 'abuse', code: 'Xâm-hại', name_vi: 'Tên', name_en: 'Name' }, 'code', 'taxonomy.code_invalid'],
    ['a code already used (codes are unique across the whole list)', { group_kind: 'abuse', code: 'sc_a_with_relatives', name_vi: 'Tên', name_en: 'Name' }, 'code', 'taxonomy.code_taken'],
    ['no kind', { code: 'abuse_new', name_vi: 'Tên', name_en: 'Name' }, 'group_kind', 'form.required'],
    ['an unknown kind', { group_kind: 'other', code: 'abuse_new', name_vi: 'Tên', name_en: 'Name' }, 'group_kind', 'form.required'],
    ['no Vietnamese name', { group_kind: 'abuse', code: 'abuse_new', name_vi: '', name_en: 'Name' }, 'name_vi', 'form.required'],
    ['no English name', { group_kind: 'abuse', code: 'abuse_new', name_vi: 'Tên nhóm mới', name_en: '' }, 'name_en', 'form.required'],
  ] as const)('refuses a group with %s, keeping the input', async (_, payload, field, messageKey) => {
    const response = await post('/admin/taxonomy', payload);
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatch(new RegExp(`name="${field}"[^>]*aria-invalid="true"`));
    expect(response.body).toContain(html(vi[messageKey]));
    if (payload.name_vi) expect(response.body).toContain(`value="${payload.name_vi}"`);
    expect(findTaxonomyCode(t.db, 'abuse_new')).toBeNull();
    expect(taxonomyAudit()).toEqual([]);
  });

  it('keeps the list two levels deep and refuses unknown codes', async () => {
    const nested = await post('/admin/taxonomy/abuse_violence_physical/children', { code: 'abuse_too_deep', name_vi: 'Tên', name_en: 'Name' });
    expect(nested.statusCode).toBe(404);
    expect(findTaxonomyCode(t.db, 'abuse_too_deep')).toBeNull();
    expect((await send(t.app, admin, { url: '/admin/taxonomy/no_such_code' })).statusCode).toBe(404);
    expect((await send(t.app, admin, { url: '/admin/taxonomy/..%2Fusers' })).statusCode).toBe(404);
    expect((await post('/admin/taxonomy/no_such_code', { name_vi: 'Tên', name_en: 'Name' })).statusCode).toBe(404);
  });

  it('deactivates and reactivates a code, never deleting it; a deactivated group hides its sub-codes', async () => {
    const caseId = openCaseWith(['abuse_violence_physical']);
    const off = await post('/admin/taxonomy/abuse_violence/active', { active: '0' });
    expect(off.statusCode).toBe(303);
    expect(findTaxonomyCode(t.db, 'abuse_violence')).toMatchObject({ active: false });
    expect(isActiveCode(t.db, 'abuse_violence')).toBe(false);
    expect(isActiveCode(t.db, 'abuse_violence_physical')).toBe(false);
    expect(activeTaxonomy(t.db).map((group) => group.code)).not.toContain('abuse_violence');
    expect(t.db.$client.prepare('SELECT code FROM case_categories WHERE case_id = ?').all(caseId)).toEqual([{ code: 'abuse_violence_physical' }]);
    const page = await send(t.app, admin, { url: '/admin/taxonomy' });
    expect(page.body).toContain(vi['taxonomy.inactive']);

    // Asking for the state it already has changes and audits nothing.
    await post('/admin/taxonomy/abuse_violence/active', { active: '0' });
    await post('/admin/taxonomy/abuse_violence/active', { active: '1' });
    expect(isActiveCode(t.db, 'abuse_violence_physical')).toBe(true);

    await post('/admin/taxonomy/abuse_violence_emotional/active', { active: '0' });
    expect(activeTaxonomy(t.db).find((group) => group.code === 'abuse_violence')!.children.map((child) => child.code)).toEqual(['abuse_violence_physical']);
    expect(taxonomyAudit().map((entry) => [entry.action, entry.entity_id])).toEqual([
      ['taxonomy.deactivate', 'abuse_violence'],
      ['taxonomy.reactivate', 'abuse_violence'],
      ['taxonomy.deactivate', 'abuse_violence_emotional'],
    ]);
  });

  it('is for administrators only', async () => {
    await seedUser(t.db, 'lan', [{ role: 'commune_worker', orgId: orgs.communeA }]);
    const worker = await login(t.app, t.db, 'lan');
    const home = await send(t.app, worker, { url: '/' });
    expect(home.body).not.toContain('href="/admin/taxonomy"');
    expect((await send(t.app, worker, { url: '/admin/taxonomy' })).statusCode).toBe(403);
    const edit = await send(t.app, worker, { method: 'POST', url: '/admin/taxonomy/abuse_sexual', payload: { name_vi: 'x', name_en: 'y' } });
    expect(edit.statusCode).toBe(403);
    expect(findTaxonomyCode(t.db, 'abuse_sexual')!.sensitive).toBe(true);
    expect(auditActions(t.db).filter((entry) => entry.outcome === 'refused').map((entry) => entry.action)).toEqual(['settings.manage', 'settings.manage']);
  });
});
