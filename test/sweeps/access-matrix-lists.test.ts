// Lists, searches, worklists, statistics and exports never show a row the reader may not see (issue 6).
// Every GET route without path parameters (taken from app.declaredRoutes, so new lists are covered
// without editing this file) is fetched by every role, plain and with searches for the hidden children,
// and what comes back (HTML, CSV, the cells of an XLSX) must not name them, give their reference or link
// to their case. Who may see what is written out here from DOMAIN.md, not derived from the rules.
import ExcelJS from 'exceljs';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vi as viMessages } from '../../src/i18n/vi.js';
import type { Role } from '../../src/permissions/roles.js';
import { send } from '../helpers/app.js';
import { buildWorld, COLUMNS, type CaseRecords, type Column, type World } from './access-matrix.fixture.js';

/** Who may see the sexual-abuse case of commune A: its chairperson, the commune's supervisor, and the centre that accepted its referral. */
const SENSITIVE_READERS: readonly Column[] = ['commune_chair', 'supervisor', 'social_worker'];
/** Who may see commune A's ordinary case: its worker (assigned), chair, supervisor and the accepting centre. */
const CASE_READERS: readonly Column[] = ['commune_worker', 'commune_chair', 'supervisor', 'social_worker'];
/** Who may see the pupil a teacher of school A flagged: that teacher and the school's safeguarding lead. */
const FLAG_READERS: readonly Role[] = ['teacher', 'school_lead'];

interface Secret {
  what: string;
  text: string;
}

function caseSecrets(label: string, records: CaseRecords): Secret[] {
  return [
    { what: `${label} child's name`, text: records.childName },
    { what: `${label} reference`, text: records.reference },
    { what: `${label} note`, text: records.noteMarker },
  ];
}

/** What the column must never receive, from the domain rules. */
function secretsFor(world: World, column: Column): Secret[] {
  const secrets = [
    ...caseSecrets('out-of-scope case', world.cases.out_of_scope),
    { what: "school B's flagged pupil", text: world.flagPupils.out_of_scope },
  ];
  if (!SENSITIVE_READERS.includes(column)) secrets.push(...caseSecrets('sensitive case', world.cases.sensitive));
  if (!CASE_READERS.includes(column)) secrets.push(...caseSecrets('in-scope case', world.cases.in_scope));
  if (!(FLAG_READERS as readonly string[]).includes(column)) secrets.push({ what: "school A's flagged pupil", text: world.flagPupils.in_scope });
  return secrets;
}

/** Links to a case page are a leak too, even without a name beside them. */
function hiddenCaseIds(world: World, column: Column): { what: string; id: number }[] {
  const ids = [{ what: 'out-of-scope case', id: world.cases.out_of_scope.caseId }];
  if (!SENSITIVE_READERS.includes(column)) ids.push({ what: 'sensitive case', id: world.cases.sensitive.caseId });
  if (!CASE_READERS.includes(column)) ids.push({ what: 'in-scope case', id: world.cases.in_scope.caseId });
  return ids;
}

/** The readable text of a response: the cells of a workbook, otherwise the body as it came. */
async function textOf(response: LightMyRequestResponse): Promise<string> {
  const type = String(response.headers['content-type'] ?? '');
  if (!type.includes('spreadsheetml')) return response.body;
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
  const cells: string[] = [];
  workbook.eachSheet((sheet) => {
    cells.push(sheet.name);
    sheet.eachRow({ includeEmpty: false }, (row) => {
      for (const value of row.values as unknown[]) if (value !== null && value !== undefined) cells.push(typeof value === 'object' ? JSON.stringify(value) : String(value));
    });
  });
  return cells.join('\n');
}

/** The searches tried on every list: plain, and by each hidden child's name, folded name, reference and note. */
function queriesOf(world: World): string[] {
  const { out_of_scope: out, sensitive } = world.cases;
  const folded = (text: string): string => text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
  return [
    '',
    out.childName,
    folded(out.childName),
    out.reference,
    out.noteMarker,
    sensitive.childName,
    sensitive.reference,
    sensitive.noteMarker,
    world.flagPupils.out_of_scope,
  ].map((query) => (query === '' ? '' : `?q=${encodeURIComponent(query)}`));
}

describe('lists never contain rows out of the reader\'s scope', () => {
  let world: World;
  beforeAll(async () => {
    world = await buildWorld();
  }, 120_000);
  afterAll(async () => world?.close());

  it('every list, search, worklist, statistic and export, for every role', async ({ annotate }) => {
    const lists = world.t.app.declaredRoutes.filter((route) => route.method === 'GET' && !route.url.includes(':') && !route.url.startsWith('/static/'));
    expect(lists.map((route) => route.url)).toEqual(expect.arrayContaining(['/', '/triage', '/search', '/flags', '/flags/mine', '/referrals', '/statistics/export.csv', '/statistics/export.xlsx']));
    const leaks: string[] = [];
    let fetched = 0;
    let seenWithContent = 0;
    for (const route of lists) {
      for (const column of COLUMNS) {
        const secrets = secretsFor(world, column);
        const caseIds = hiddenCaseIds(world, column);
        for (const query of queriesOf(world)) {
          const url = `${route.url}${query}`;
          const response = await send(world.t.app, world.browsers[column], { url, headers: column === 'api_key' ? { authorization: `Bearer ${world.apiKey}` } : {} });
          fetched += 1;
          if (response.statusCode === 200) seenWithContent += 1;
          // A search page repeats what was typed; that is the reader's own text, not a leak.
          const typed = decodeURIComponent(query.replace(/^\?q=/, ''));
          const text = typed === '' ? await textOf(response) : (await textOf(response)).split(typed).join('');
          const lower = text.toLowerCase();
          for (const secret of secrets) if (lower.includes(secret.text.toLowerCase())) leaks.push(`${column} GET ${url}: shows the ${secret.what} (${secret.text})`);
          for (const { what, id } of caseIds) if (new RegExp(`/cases/${id}(?!\\d)`).test(text)) leaks.push(`${column} GET ${url}: links to the ${what} (/cases/${id})`);
        }
      }
    }
    await annotate(`list sweep: ${lists.length} list routes × ${COLUMNS.length} columns, ${fetched} requests (${seenWithContent} answered 200)`);
    expect(leaks, leaks.join('\n')).toEqual([]);
  }, 300_000);

  it('the sweep would notice a leak: readers do see their own rows', async () => {
    // Guards the test above against passing because nothing is ever shown (a broken fixture or query).
    const { in_scope: mine, sensitive } = world.cases;
    const search = (column: Column, text: string) => send(world.t.app, world.browsers[column], { url: `/search?q=${encodeURIComponent(text)}` });
    expect((await search('commune_worker', mine.childName)).body).toContain(mine.reference);
    expect((await search('supervisor', sensitive.childName)).body).toContain(sensitive.reference);
    // Teachers see only the pupil's given name.
    expect((await send(world.t.app, world.browsers.teacher, { url: '/flags/mine' })).body).toContain(world.flagPupils.in_scope.split(' ').at(-1));
    expect((await send(world.t.app, world.browsers.school_lead, { url: '/flags' })).body).toContain(world.flagPupils.in_scope);
    // The commune worker was told of the out-of-scope case before it was transferred away: the alert stays, its reference does not.
    const alerts = (await send(world.t.app, world.browsers.commune_worker, { url: '/notifications' })).body;
    expect(alerts).toContain(viMessages['alert.case_out_of_reach']);
    expect(alerts).not.toContain(world.cases.out_of_scope.reference);
  });
});
