// Counts read for a view are kept per query until the refresher bumps the statistics data version.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCounts, type CountsQuery } from '../../src/statistics/store.js';
import { createTestApp, seedOrgs, type TestApp, type TestOrgs } from '../helpers/app.js';

describe('counts kept between views', () => {
  let t: TestApp;
  let orgs: TestOrgs;
  let query: CountsQuery;

  beforeEach(async () => {
    t = await createTestApp();
    orgs = seedOrgs(t.db);
    query = { orgId: orgs.province, orgKind: 'province', group: 'all', metrics: ['channel'] };
    t.db.$client
      .prepare("INSERT INTO stats_counts (org_id, grp, metric, level, month, key, n) VALUES (?, 'all', 'channel', 'commune', '2026-01', 'hotline', 3)")
      .run(orgs.province);
  });
  afterEach(async () => t.close());

  const hotline = (): number => loadCounts(t.db, query).entries('channel').find(([level, month, key]) => level === 'commune' && month === '2026-01' && key === 'hotline')?.[3] ?? 0;
  const setVersion = (version: number): void => {
    t.db.$client.prepare("INSERT INTO stats_meta (key, value) VALUES ('version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(version));
  };

  it('reads again only when the data version changes', () => {
    setVersion(1);
    expect(hotline()).toBe(3);
    t.db.$client.prepare("UPDATE stats_counts SET n = 5 WHERE metric = 'channel'").run();
    // Only the refresher changes counts, and it bumps the version with them: until then, the kept counts.
    expect(hotline()).toBe(3);
    setVersion(2);
    expect(hotline()).toBe(5);
  });

  it('keeps each query apart: another period or filter is read on its own', () => {
    setVersion(1);
    expect(hotline()).toBe(3);
    expect(loadCounts(t.db, { ...query, months: ['2026-02'] }).entries('channel')).toEqual([]);
    expect(loadCounts(t.db, { ...query, group: 'abuse' }).entries('channel')).toEqual([]);
  });
});
