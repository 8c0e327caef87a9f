// The bad-input sweep (issue 6): every registered route, as every role that may reach it, with hostile,
// malformed, oversized and forged input. No 5xx; refusals in words from the catalogue; forms shown
// again keep what was typed; nothing half-written. `npm run test:sweep` (BVTE_SWEEP=full) sends
// ≥ 10,000 requests; without it a deterministic sample of the same generator runs in `npm test`.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/audit/verify.js';
import { documentsDirectory } from '../../src/casework/documents/storage.js';
import type { DeclaredRoute } from '../../src/web/types.js';
import { createSweepFixture, type SweepFixture } from './bad-input-fixture.js';
import {
  actorsFor,
  apiRequest,
  blindTargets,
  choiceArbitrary,
  discover,
  fillPath,
  formRequest,
  isSwept,
  KNOWN_UNREACHABLE,
  outsiderFor,
  pageRequest,
  routeKey,
  uploadRequest,
  type Choice,
  type Discovery,
} from './bad-input-plan.js';
import { SweepRunner } from './bad-input-runner.js';

const FULL = process.env.BVTE_SWEEP === 'full';
const SEED = Number(process.env.BVTE_SWEEP_SEED ?? 20_260_601);
/** Requests per route after discovery; the full run sends ≥ 10,000 in all. */
const BUDGET = FULL ? { pagesPerRoute: 40, perPage: 45, perForm: 130, perHead: 4 } : { pagesPerRoute: 9, perPage: 3, perForm: 6, perHead: 1 };

function choices(route: DeclaredRoute, index: number, count: number): Choice[] {
  const sample = fc.sample(choiceArbitrary, { seed: SEED + index, numRuns: count });
  // The first request to each route is the believable one, so accepted writes are checked too.
  if (sample[0]) sample[0] = { ...sample[0], mutation: 'valid', htmx: false };
  return sample;
}

describe('bad-input sweep over every registered route', () => {
  let fx: SweepFixture;
  let runner: SweepRunner;
  let routes: DeclaredRoute[];
  let discovery: Discovery;

  beforeAll(async () => {
    fx = await createSweepFixture();
    runner = new SweepRunner(fx);
    routes = fx.t.app.declaredRoutes.filter(isSwept);
    discovery = await discover(runner, fx, routes, BUDGET.pagesPerRoute);
  }, FULL ? 1_200_000 : 180_000);
  afterAll(async () => {
    await fx?.close();
  });

  it('finds inputs for every route: its pages, the forms that post to it, or a documented reason', () => {
    const without: string[] = [];
    for (const route of routes) {
      if (KNOWN_UNREACHABLE[routeKey(route)]) continue;
      if (route.method === 'GET' && (discovery.pages.get(route) ?? []).length === 0) without.push(`${routeKey(route)}: no page opened with 200`);
      if (route.method === 'POST' && route.auth !== 'api_key' && !discovery.forms.has(route)) {
        without.push(`${routeKey(route)}: no page offers a form for it`);
      }
    }
    expect(without).toEqual([]);
  });

  it('never answers with a 5xx, explains every refusal, keeps typed input, and writes all or nothing', async () => {
    for (const [index, route] of routes.entries()) {
      if (route.method === 'GET') await sweepPage(route, index);
      else if (route.method === 'HEAD') await sweepHead(route, index);
      else if (route.auth === 'api_key') for (const choice of choices(route, index, BUDGET.perForm * 4)) await runner.perform(apiRequest(route, fx, choice));
      else await sweepForm(route, index);
    }
    const { requests, byStatus, byMutation, routesHit, judged } = runner.stats;
    process.stdout.write(
      `bad-input sweep (${FULL ? 'full' : 'sample'}, seed ${SEED}): ${requests} requests over ${routesHit.size} routes; ` +
        `statuses ${JSON.stringify(byStatus)}; inputs ${JSON.stringify(byMutation)}; judged ${JSON.stringify(judged)}\n`,
    );
    // BVTE_SWEEP_FAILURES=<file> keeps every failure of a long run for reading, beyond what the assertion prints.
    if (process.env.BVTE_SWEEP_FAILURES) fs.writeFileSync(process.env.BVTE_SWEEP_FAILURES, runner.failures.join('\n'));
    expect(runner.failures).toEqual([]);
    expect(requests).toBeGreaterThanOrEqual(FULL ? 10_000 : 500);
    // The judgements really ran: refusals read, forms shown again compared field by field, writes checked whole.
    expect(judged.keptFields).toBeGreaterThan(0);
    expect(judged.acceptedWrites).toBeGreaterThan(0);
    expect(judged.newCases).toBeGreaterThan(0);
    expect(Object.keys(byStatus).filter((status) => Number(status) >= 500)).toEqual([]);
  }, FULL ? 1_800_000 : 240_000);

  it('leaves a sound database: integrity, foreign keys, the audit chain, and stored documents under random names only', () => {
    const client = fx.t.db.$client;
    expect(client.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(client.pragma('foreign_key_check')).toEqual([]);
    expect(verifyAuditChain(fx.t.db).ok).toBe(true);
    const directory = documentsDirectory(fx.t.database.dataDir);
    const stored = fs.existsSync(directory) ? fs.readdirSync(directory) : [];
    expect(stored.filter((name) => !/^[0-9a-f]{32}$/.test(name))).toEqual([]);
    // Everything the app wrote stays in its data directory: nothing was written next to it by a traversal.
    expect(fs.readdirSync(path.dirname(fx.t.database.file)).filter((name) => !/^(bvte\.db(-wal|-shm|-journal)?|documents)$/.test(name))).toEqual([]);
    const labels = client.prepare('SELECT original_name AS name FROM documents').pluck().all() as string[];
    expect(labels.filter((name) => /[/\\\u0000-\u001f\u202e]|^\.\.?$/.test(name))).toEqual([]);
  });

  async function sweepPage(route: DeclaredRoute, index: number): Promise<void> {
    const pages = discovery.pages.get(route) ?? [];
    const fallback = actorsFor(route).flatMap((actor) => fx.realParams(route.url).slice(0, 1).map((params) => ({ actor, url: fillPath(route.url, params) })));
    const targets = pages.length > 0 ? pages : fallback;
    for (const [n, choice] of choices(route, index, BUDGET.perPage).entries()) {
      await runner.perform(pageRequest(route, targets[n % targets.length]!, fx, discovery.queries.get(route) ?? [], choice));
    }
    const outsider = outsiderFor(route);
    if (outsider && targets[0]) await runner.perform({ route, mutation: 'outsider', actor: outsider, method: 'GET', url: targets[0].url });
  }

  async function sweepHead(route: DeclaredRoute, index: number): Promise<void> {
    const get = routes.find((candidate) => candidate.method === 'GET' && candidate.url === route.url);
    const pages = (get && discovery.pages.get(get)) || [];
    const targets = pages.length > 0 ? pages : actorsFor(route).map((actor) => ({ actor, url: fillPath(route.url, fx.realParams(route.url)[0] ?? {}) }));
    for (const [n, choice] of choices(route, index, BUDGET.perHead).entries()) {
      await runner.perform({ ...pageRequest(route, targets[n % targets.length]!, fx, [], choice), method: 'HEAD' });
    }
  }

  async function sweepForm(route: DeclaredRoute, index: number): Promise<void> {
    const targets = discovery.forms.get(route) ?? blindTargets(route, fx);
    if (targets.length === 0) throw new Error(`${routeKey(route)}: no target to send to (no form and no real path parameters)`);
    for (const [n, choice] of choices(route, index, BUDGET.perForm + Math.min(targets.length, FULL ? 0 : 3)).entries()) {
      const target = targets[n % targets.length]!;
      await runner.perform(route.csrf === 'multipart' ? uploadRequest(target, fx, choice) : formRequest(target, fx, choice));
    }
    const outsider = outsiderFor(route);
    const first = targets[0]!;
    if (outsider) await runner.perform({ ...formRequest({ ...first, actor: outsider }, fx, choices(route, index, 1)[0]!), mutation: 'outsider' });
  }
});
