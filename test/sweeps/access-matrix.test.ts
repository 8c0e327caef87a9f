// The access-control matrix (issue 6): every registered route × every role (plus nobody signed in and
// an API key) × a record in scope / out of scope / sensitive, compared with the reviewed table in
// access-matrix.expected.tsv. A new route without rows fails until someone adds and reviews them:
//   BVTE_MATRIX_WRITE=1 npx vitest run test/sweeps/access-matrix.test.ts
// rewrites the table from what the app does now; review every "allow" against DOMAIN.md before committing.
import fs from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_ACTIONS } from '../../src/cases/actions.js';
import { EVENT_PERMISSIONS } from '../../src/cases/event-permissions.js';
import type { CaseEventType } from '../../src/cases/workflow/machine.js';
import { isRole } from '../../src/permissions/roles.js';
import { PUBLIC, type DeclaredRoute } from '../../src/web/types.js';
import { send } from '../helpers/app.js';
import { buildWorld, COLUMNS, pdfUpload, type Column, type Situation, type World } from './access-matrix.fixture.js';

const EXPECTED_FILE = new URL('./access-matrix.expected.tsv', import.meta.url);
const WRITE = process.env.BVTE_MATRIX_WRITE === '1';

/**
 * allow: the handler ran (2xx, a redirect other than to /login, or 400/409/422 after the checks);
 * deny: 403; hide: 404 (the app answers as if the record did not exist); login: 401 or a redirect to /login.
 */
type Outcome = 'allow' | 'deny' | 'hide' | 'login' | `error ${number}`;

/** Which kind of record a route's path parameters name; decides the situations it is tried in. */
type Subject = 'case' | 'referral' | 'organisation' | 'user' | 'api_key' | 'flag' | 'call' | 'notification' | 'fixed' | 'none';
/**
 * Besides the three situations of records: "crossed" = a case in scope with the nested record (service,
 * visit, document) of the out-of-scope case; "self" = the actor's own account; "-" = no record.
 */
type RowSituation = Situation | 'crossed' | 'self' | '-';

/** Parameters naming a record that belongs to the case in :id. */
const NESTED_CASE_PARAMS = ['sid', 'fid', 'documentId'];

const SUBJECT_PREFIXES: readonly [string, Subject][] = [
  ['/cases/:id', 'case'],
  ['/referrals/:id', 'referral'],
  ['/admin/organisations/:id', 'organisation'],
  ['/admin/users/:id', 'user'],
  ['/admin/api-keys/:id', 'api_key'],
  ['/flags/:id', 'flag'],
  ['/hotline/calls/:id', 'call'],
  ['/notifications/:id', 'notification'],
  // Parameters that name reference data or a token, not a record anybody's scope covers.
  ['/admin/taxonomy/:code', 'fixed'],
  ['/admin/calendar/:date', 'fixed'],
  ['/setup/:token', 'fixed'],
];

function subjectOf(url: string): Subject {
  if (!url.includes(':')) return 'none';
  const found = SUBJECT_PREFIXES.find(([prefix]) => url === prefix || url.startsWith(`${prefix}/`));
  if (!found) {
    throw new Error(
      `${url}: the access matrix does not know which record this route's parameters name. ` +
        'Add its prefix to SUBJECT_PREFIXES (and its parameters to paramValue) in test/sweeps/access-matrix.test.ts.',
    );
  }
  return found[1];
}

function situationsOf(subject: Subject, url: string): RowSituation[] {
  switch (subject) {
    case 'case': {
      const nested = NESTED_CASE_PARAMS.some((name) => url.includes(`:${name}`));
      return nested ? ['in_scope', 'out_of_scope', 'sensitive', 'crossed'] : ['in_scope', 'out_of_scope', 'sensitive'];
    }
    case 'referral':
      return ['in_scope', 'out_of_scope', 'sensitive'];
    case 'user':
      return ['in_scope', 'out_of_scope', 'self'];
    case 'fixed':
    case 'none':
      return ['-'];
    default:
      return ['in_scope', 'out_of_scope'];
  }
}

function paramValue(world: World, url: string, name: string, subject: Subject, situation: RowSituation, column: Column): string {
  const unknown = (): never => {
    throw new Error(`${url}: no value for parameter :${name}. Add it to paramValue in test/sweeps/access-matrix.test.ts.`);
  };
  if (subject === 'fixed') return ({ code: 'abuse_sexual', date: world.nonWorkingDay, token: 'x'.repeat(43) } as Record<string, string>)[name] ?? unknown();
  if (subject === 'none' || situation === '-') return unknown();
  const role = isRole(column) ? column : 'commune_worker';
  if (situation === 'self') {
    if (subject !== 'user') return unknown();
    return String(name === 'assignmentId' ? world.assignmentIds[role] : name === 'id' ? world.userIds[role] : unknown());
  }
  const scoped = situation;
  // Administrative and school records have no sensitive variant (situationsOf never asks for one).
  const plain = (): 'in_scope' | 'out_of_scope' => (scoped === 'sensitive' || scoped === 'crossed' ? unknown() : scoped);
  const { records } = world;
  switch (subject) {
    case 'case': {
      const ofCase = scoped === 'crossed' ? world.cases[NESTED_CASE_PARAMS.includes(name) ? 'out_of_scope' : 'in_scope'] : world.cases[scoped];
      const values: Record<string, string | number> = {
        id: ofCase.caseId,
        sid: ofCase.serviceId,
        fid: ofCase.followUpId,
        documentId: ofCase.documentId,
        version: ofCase.planVersion,
        form: 'mau-04',
      };
      return String(values[name] ?? unknown());
    }
    case 'referral':
      return name === 'id' && scoped !== 'crossed' ? String(world.cases[scoped].referralId) : unknown();
    case 'user':
      if (name === 'assignmentId') return String(records.user[plain()].assignmentId);
      return name === 'id' ? String(records.user[plain()].id) : unknown();
    case 'notification': {
      if (name !== 'id') return unknown();
      const own = records.notification.own[role];
      return String(plain() === 'in_scope' ? own : records.notification.others);
    }
    case 'organisation':
    case 'api_key':
    case 'flag':
    case 'call': {
      const byKind = { organisation: records.organisation, api_key: records.apiKey, flag: records.flag, call: records.call };
      return name === 'id' ? String(byKind[subject][plain()]) : unknown();
    }
  }
}

function fillPath(world: World, url: string, subject: Subject, situation: RowSituation, column: Column): string {
  return url.replace(/:([A-Za-z]+)/g, (_, name: string) => paramValue(world, url, name, subject, situation, column));
}

/**
 * The workflow route's check depends on the event posted (EVENT_PERMISSIONS), so it is tried once per
 * permission, with the first event of the case page's actions that needs it. (Events without an action,
 * such as APPROVE_PLAN, have their own routes and are refused here as bad requests before any check.)
 */
interface Variant {
  label: string;
  body: Record<string, string>;
}
function variantsOf(route: DeclaredRoute): Variant[] {
  if (route.method !== 'POST' || route.url !== '/cases/:id/events') return [{ label: '', body: {} }];
  const firstByPermission = new Map<string, CaseEventType>();
  for (const { event } of CASE_ACTIONS) {
    const permission = EVENT_PERMISSIONS[event];
    if (!firstByPermission.has(permission)) firstByPermission.set(permission, event);
  }
  return [...firstByPermission.values()].map((event) => ({ label: ` {event=${event}}`, body: { event, row_version: '1' } }));
}

let requestCount = 0;
/** A different client address for every request, so the per-IP throttles never answer instead of the rules. */
function nextAddress(): string {
  requestCount += 1;
  return `10.${(requestCount >> 16) & 255}.${(requestCount >> 8) & 255}.${requestCount & 255}`;
}

async function requestAs(world: World, route: DeclaredRoute, variant: Variant, path: string, column: Column): Promise<LightMyRequestResponse> {
  const { app } = world.t;
  const browser = world.browsers[column];
  const keyHeader: Record<string, string> = column === 'api_key' ? { authorization: `Bearer ${world.apiKey}` } : {};
  const base = { method: route.method as 'GET', url: path, remoteAddress: nextAddress() };
  if (route.auth === 'api_key') {
    return app.inject({ ...base, headers: { cookie: browser.cookie, 'content-type': 'application/json', ...keyHeader }, payload: '{}' });
  }
  if (route.csrf === 'multipart') {
    const { payload, contentType } = pdfUpload(browser.csrf);
    return app.inject({ ...base, headers: { cookie: browser.cookie, 'content-type': contentType, ...keyHeader }, payload });
  }
  return send(app, browser, { ...base, headers: keyHeader, ...(route.method === 'GET' || route.method === 'HEAD' ? {} : { payload: variant.body }) });
}

function outcomeOf(route: DeclaredRoute, response: LightMyRequestResponse): Outcome {
  const status = response.statusCode;
  // A public route has no rule to pass: whatever it answers (a 404 for an unknown receipt code, a 410 for a
  // spent setup link, a redirect to /login after signing out) is its handler's answer.
  if (route.permission === PUBLIC) return status >= 500 ? `error ${status}` : 'allow';
  const location = String(response.headers.location ?? response.headers['hx-redirect'] ?? '');
  if (status === 401 || (status >= 300 && status < 400 && location.startsWith('/login'))) return 'login';
  if (status === 403) return 'deny';
  if (status === 404) return 'hide';
  if (status < 300 || (status >= 300 && status < 400) || status === 400 || status === 409 || status === 422) return 'allow';
  return `error ${status}`;
}

interface Row {
  key: string;
  outcomes: Record<Column, Outcome>;
}

const rowKey = (method: string, route: string, situation: RowSituation): string => `${method}\t${route}\t${situation}`;

const HEADER_COMMENT = `# Access-control matrix: what each role may do with each route (test/sweeps/access-matrix.test.ts).
# Situations: in_scope = a record of the actor's own organisation (a case of commune A assigned to the commune
# worker, its referral accepted by the actor's social work centre); out_of_scope = the same kind of record in
# commune B / another centre / another province (the case was transferred from commune A to commune B);
# sensitive = a sexual-abuse case of commune A assigned to a colleague (its referral accepted by the centre);
# crossed = the in-scope case's path with the service / visit / document of the out-of-scope case;
# self = the actor's own account (anonymous and api_key: the commune worker's); "-" = the route names no record.
# Values: allow = the handler ran (2xx, 3xx, or 400/409/422 after the checks; a public route is allow unless it
# fails); deny = 403; hide = 404 (answered as if the record did not exist); login = 401 or a redirect to /login.
# Regenerate with BVTE_MATRIX_WRITE=1 and review every allow against DOMAIN.md before committing.`;

function toTsv(rows: readonly Row[]): string {
  const lines = [HEADER_COMMENT, ['method', 'route', 'situation', ...COLUMNS].join('\t')];
  for (const row of rows) lines.push([row.key, ...COLUMNS.map((column) => row.outcomes[column])].join('\t'));
  return `${lines.join('\n')}\n`;
}

function parseTsv(text: string): { columns: string[]; rows: Map<string, string[]> } {
  const lines = text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
  const [header, ...body] = lines;
  const columns = (header ?? '').split('\t').slice(3);
  const rows = new Map<string, string[]>();
  for (const line of body) {
    const cells = line.split('\t');
    rows.set(cells.slice(0, 3).join('\t'), cells.slice(3));
  }
  return { columns, rows };
}

/** Every difference between what the app does and the table, worded for the developer who sees it. */
function compare(actual: readonly Row[], expectedText: string | null): string[] {
  const howToAdd = 'run BVTE_MATRIX_WRITE=1 npx vitest run test/sweeps/access-matrix.test.ts, review every allow against DOMAIN.md, and commit the table';
  if (expectedText === null) return [`test/sweeps/access-matrix.expected.tsv is missing: ${howToAdd}`];
  const expected = parseTsv(expectedText);
  if (expected.columns.join(',') !== COLUMNS.join(',')) return [`the table's columns (${expected.columns.join(', ')}) are not the roles of src/permissions/roles.ts: ${howToAdd}`];
  const problems: string[] = [];
  for (const row of actual) {
    const cells = expected.rows.get(row.key);
    const where = row.key.replaceAll('\t', ' ');
    if (!cells) {
      problems.push(`NO EXPECTED ROW for ${where} (a new route?): ${howToAdd}`);
      continue;
    }
    COLUMNS.forEach((column, index) => {
      const want = cells[index] ?? '';
      const got = row.outcomes[column];
      if (want === got) return;
      if (got.startsWith('error')) problems.push(`SERVER ERROR ${where} as ${column}: ${got}`);
      else if (got === 'allow') problems.push(`UNEXPECTED ALLOW ${where} as ${column}: expected ${want}`);
      else if (want === 'allow') problems.push(`UNEXPECTED REFUSAL ${where} as ${column}: expected allow, got ${got}`);
      else problems.push(`CHANGED REFUSAL ${where} as ${column}: expected ${want}, got ${got}`);
    });
  }
  const seen = new Set(actual.map((row) => row.key));
  for (const key of expected.rows.keys()) if (!seen.has(key)) problems.push(`STALE ROW ${key.replaceAll('\t', ' ')}: no such route any more; remove the row`);
  // The worst first: a server error or an allow nobody reviewed.
  const rank = (problem: string): number => ['SERVER ERROR', 'UNEXPECTED ALLOW', 'NO EXPECTED ROW'].findIndex((prefix) => problem.startsWith(prefix)) >>> 0;
  return problems.sort((a, b) => rank(a) - rank(b));
}

describe('access-control matrix', () => {
  let world: World;
  beforeAll(async () => {
    world = await buildWorld();
  }, 120_000);
  afterAll(async () => world?.close());

  it('every route answers every role as the reviewed table says', async ({ annotate }) => {
    const started = performance.now();
    const rows: Row[] = [];
    for (const route of world.t.app.declaredRoutes) {
      const subject = subjectOf(route.url);
      const writes = route.method !== 'GET' && route.method !== 'HEAD';
      for (const variant of variantsOf(route)) {
        for (const situation of situationsOf(subject, route.url)) {
          const outcomes = {} as Record<Column, Outcome>;
          for (const column of COLUMNS) {
            const path = fillPath(world, route.url, subject, situation, column);
            outcomes[column] = outcomeOf(route, await requestAs(world, route, variant, path, column));
            // Whatever a write did (a case transferred, a user disabled, a session ended) must not change the next cell.
            if (writes) await world.restore();
          }
          rows.push({ key: rowKey(route.method, `${route.url}${variant.label}`, situation), outcomes });
        }
      }
    }
    const cells = rows.length * COLUMNS.length;
    await annotate(`access matrix: ${world.t.app.declaredRoutes.length} routes, ${rows.length} rows × ${COLUMNS.length} columns = ${cells} requests in ${Math.round(performance.now() - started)} ms`);

    if (WRITE) {
      fs.writeFileSync(EXPECTED_FILE, toTsv(rows));
      await annotate('access matrix: table rewritten; review every allow against DOMAIN.md before committing', 'warning');
      return;
    }
    const expectedText = fs.existsSync(EXPECTED_FILE) ? fs.readFileSync(EXPECTED_FILE, 'utf8') : null;
    const problems = compare(rows, expectedText);
    expect(problems, problems.join('\n')).toEqual([]);
  }, 300_000);
});
