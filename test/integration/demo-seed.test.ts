import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/audit/verify.js';
import { passwordProblem } from '../../src/auth/password.js';
import { dateKeyInVietnam } from '../../src/calendar/working-days.js';
import { seedDemoIntakes } from '../../src/demo/intakes.js';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemo, type DemoSeed } from '../../src/demo/seed.js';
import { ancestorsOf, listOrganisations } from '../../src/orgs/repository.js';
import { ORG_KINDS } from '../../src/orgs/schema.js';
import { ROLES } from '../../src/permissions/roles.js';
import { activeAssignments } from '../../src/users/repository.js';
import { createTestApp, login, send, type TestApp } from '../helpers/app.js';

describe('demo seed', () => {
  let t: TestApp;
  let seed: DemoSeed;
  beforeEach(async () => {
    t = await createTestApp();
    seed = await seedDemo(t.db);
  });
  afterEach(async () => t.close());

  it('has an account for every role, and every account signs in with the demo password', async () => {
    const rolesHeld = new Set<string>();
    for (const account of DEMO_ACCOUNTS) {
      expect(passwordProblem(DEMO_PASSWORD, account.username)).toBeNull();
      const assignments = activeAssignments(t.db, seed.users[account.username]);
      expect(assignments.map((assignment) => assignment.role)).toEqual(account.assignments.map((assignment) => assignment.role));
      assignments.forEach((assignment) => rolesHeld.add(assignment.role));
      const browser = await login(t.app, t.db, account.username, DEMO_PASSWORD);
      expect((await send(t.app, browser, { url: '/' })).statusCode).toBe(200);
    }
    expect([...rolesHeld].sort()).toEqual([...ROLES].sort());
    expect(DEMO_ACCOUNTS.some((account) => account.assignments.length > 1)).toBe(true);
  });

  it('builds a tree with every kind of organisation, each below the ministry', () => {
    const organisations = listOrganisations(t.db);
    expect(new Set(organisations.map((org) => org.kind))).toEqual(new Set(ORG_KINDS.filter((kind) => kind !== 'district')));
    for (const org of organisations) expect(ancestorsOf(t.db, org.id)[0]?.id).toBe(seed.orgs.national);
    const { national, province, kinhBac, primarySchool } = seed.orgs;
    expect(ancestorsOf(t.db, primarySchool).map((org) => org.id)).toEqual([national, province, kinhBac, primarySchool]);
  });

  it('leaves an intact audit chain with an entry per organisation and user', () => {
    const verdict = verifyAuditChain(t.db);
    expect(verdict.ok).toBe(true);
    expect(verdict.entries).toBeGreaterThanOrEqual(Object.keys(seed.orgs).length + DEMO_ACCOUNTS.length);
  });
  it("keeps the demo's hotline calls within today in Viet Nam, even just after midnight there", () => {
    // 00:10 in Viet Nam: calls "3 and 7 hours ago" would fall on yesterday's list.
    const now = new Date('2026-11-22T17:10:00Z');
    seedDemoIntakes(t.db, seed.orgs, seed.users.tongdai111, now);
    const times = (t.db.$client.prepare('SELECT received_at AS at FROM hotline_calls ORDER BY id DESC LIMIT 4').all() as { at: string }[]).map((row) => row.at);
    expect(times).toHaveLength(4);
    for (const at of times) {
      expect(dateKeyInVietnam(new Date(at))).toBe('2026-11-23');
      expect(new Date(at).getTime()).toBeLessThanOrEqual(now.getTime());
    }
  });
});
