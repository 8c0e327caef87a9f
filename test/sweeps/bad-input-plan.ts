/**
 * Turns the registered routes into sweep requests. Pages are opened as every role that may reach
 * them (with real ids, in and out of scope) and their forms read, so POST routes are swept with the
 * fields the pages really send; each request then changes one thing: a hostile value in one field,
 * a missing or doubled field, a wrong type or encoding, a forged id, an oversized body, no token.
 */
import fc from 'fast-check';
import { roleMayEver } from '../../src/permissions/check.js';
import { ROLES, type Role } from '../../src/permissions/roles.js';
import { PUBLIC, type DeclaredRoute } from '../../src/web/types.js';
import { decodeEntities, parseForms, routeMatcher, type FormField } from './bad-input-forms.js';
import type { SweepFixture } from './bad-input-fixture.js';
import {
  FIELD_PAYLOAD_NAMES,
  FIELD_PAYLOADS,
  FORGED_IDS,
  FORM_MUTATIONS,
  formEncode,
  INVALID_UTF8_ENCODED,
  UPLOAD_BODIES,
  UPLOAD_FILENAMES,
  vietnameseText,
  WRONG_CONTENT_TYPES,
  WRONG_TYPES,
  XSS_PAYLOADS,
  type FormMutation,
} from './bad-input-payloads.js';
import type { PlannedRequest, SweepActor, SweepRunner } from './bad-input-runner.js';

const FORM_TYPE = 'application/x-www-form-urlencoded';

/** A form as a page offered it: where it posts, as whom, with which fields. */
export interface FormTarget {
  route: DeclaredRoute;
  actor: SweepActor;
  url: string;
  fields: FormField[];
  multipart: boolean;
}

export interface Discovery {
  forms: Map<DeclaredRoute, FormTarget[]>;
  /** Query fields of GET forms (search, filters), by the route they submit to. */
  queries: Map<DeclaredRoute, FormField[]>;
  /** Concrete URLs of GET routes, with the actors that opened them. */
  pages: Map<DeclaredRoute, { actor: SweepActor; url: string }[]>;
}

/**
 * Routes the fixture cannot show as a working page or form, with the reason; they are still swept, with
 * the generic mutations (forged ids, encodings, content types, missing token) but without real fields.
 * A new route that no page offers fails the sweep until it is reachable or named here.
 */
export const KNOWN_UNREACHABLE: Record<string, string> = {
  'GET /setup/:token': 'a valid set-up link exists only on an empty database, before the first user',
  'POST /setup/:token': 'a valid set-up link exists only on an empty database, before the first user',
  'POST /report/status/add': 'offered only on the answer to a status look-up with a reporter’s secret receipt code',
};

export function isSwept(route: DeclaredRoute): boolean {
  return route.method !== 'OPTIONS' && !route.url.startsWith('/static/');
}

export function routeKey(route: DeclaredRoute): string {
  return `${route.method} ${route.url}`;
}

/** Who may reach the route: every role the rules could allow, anonymous visitors for public pages, the key for the API. */
export function actorsFor(route: DeclaredRoute): SweepActor[] {
  if (route.auth === 'api_key') return ['api'];
  if (route.permission === PUBLIC) return ['anonymous', 'commune_worker'];
  const permission = route.permission;
  return ROLES.filter((role) => roleMayEver(permission, role));
}

/** A role the rules never allow on the route, to check that its refusal writes nothing either. */
export function outsiderFor(route: DeclaredRoute): Role | null {
  if (route.permission === PUBLIC || route.auth === 'api_key') return null;
  const permission = route.permission;
  return ROLES.find((role) => !roleMayEver(permission, role)) ?? null;
}

export function fillPath(pattern: string, params: Record<string, string>): string {
  return pattern.replace(/:(\w+)/g, (_, name: string) => params[name] ?? `:${name}`);
}

function pick<T>(items: readonly T[], index: number): T {
  return items[index % items.length]!;
}

/**
 * Forms whose believable submission creates the records other forms act on (a service to mark done, a
 * referral to accept, a plan version to open): discovery submits them once between its two rounds.
 */
const SEEDING_FORMS = /^\/cases\/\d+\/(plan|services|follow-ups|referrals|notes|documents)$/;

/** Opens every page as every role that may, reads the forms on it and the fragments it loads (hx-get). */
export async function discover(runner: SweepRunner, fx: SweepFixture, routes: readonly DeclaredRoute[], perRoute: number): Promise<Discovery> {
  const discovery: Discovery = { forms: new Map(), queries: new Map(), pages: new Map() };
  // Fixed paths before patterns: /admin/users/new is not a user.
  const byParams = (route: DeclaredRoute): number => (route.url.match(/:/g) ?? []).length;
  const postRoutes = routes.filter((route) => route.method === 'POST').sort((a, b) => byParams(a) - byParams(b));
  const getRoutes = routes.filter((route) => route.method === 'GET' && isSwept(route)).sort((a, b) => byParams(a) - byParams(b));
  const seenForms = new Set<string>();
  const seenPages = new Set<string>();
  const fragments: { route: DeclaredRoute; actor: SweepActor; url: string }[] = [];

  /** Reads the page's forms and fragments; says whether it offered a seeding form. */
  function readPage(actor: SweepActor, html: string): boolean {
    let seeding = false;
    for (const match of html.matchAll(/(?:data-)?hx-get="([^"?]+)\?([^"]*)"/g)) {
      const route = getRoutes.find((candidate) => routeMatcher(candidate.url).test(match[1]!));
      if (route) fragments.push({ route, actor, url: `${match[1]!}?${decodeEntities(match[2]!)}` });
    }
    for (const form of parseForms(html)) {
      const path = form.action.split('?')[0]!;
      if (form.method === 'get') {
        const target = getRoutes.find((candidate) => routeMatcher(candidate.url).test(path));
        if (target && !discovery.queries.has(target)) discovery.queries.set(target, form.fields);
        continue;
      }
      seeding ||= SEEDING_FORMS.test(path);
      const target = postRoutes.find((candidate) => routeMatcher(candidate.url).test(path));
      // Two forms may post to one address (the hotline's quick buttons and its full form): both are kept.
      const key = `${actor} ${path} ${form.fields.map((field) => field.name).join(',')}`;
      if (!target || seenForms.has(key)) continue;
      seenForms.add(key);
      const list = discovery.forms.get(target) ?? [];
      list.push({ route: target, actor, url: path, fields: form.fields, multipart: form.multipart });
      discovery.forms.set(target, list);
    }
    return seeding;
  }

  const opened: { route: DeclaredRoute; actor: SweepActor; url: string }[] = [];
  const seededPages = new Set<string>();

  async function open(route: DeclaredRoute, actor: SweepActor, url: string): Promise<void> {
    const response = await runner.perform({ route, mutation: 'page', actor, method: 'GET', url });
    if (response.statusCode >= 400) return;
    if (!seenPages.has(`${actor} ${url}`)) {
      seenPages.add(`${actor} ${url}`);
      opened.push({ route, actor, url });
      const pages = discovery.pages.get(route) ?? [];
      pages.push({ actor, url });
      discovery.pages.set(route, pages);
    }
    if (response.statusCode === 200 && String(response.headers['content-type']).startsWith('text/html') && readPage(actor, response.body)) seededPages.add(url);
  }

  for (const route of getRoutes) {
    for (const actor of actorsFor(route)) {
      for (const params of fx.realParams(route.url).slice(0, perRoute)) await open(route, actor, fillPath(route.url, params));
    }
  }
  for (const fragment of fragments.splice(0)) await open(fragment.route, fragment.actor, fragment.url);

  const seedingUrls = new Set<string>();
  // One believable submission per form address is enough to create the records; the first actor sends it.
  const seeding = [...discovery.forms.values()].flat().filter((target) => SEEDING_FORMS.test(target.url) && !seedingUrls.has(target.url) && seedingUrls.add(target.url));
  for (const target of seeding) {
    const choice = { mutation: 'valid', field: 0, payload: 'vi.short', variant: 0, htmx: false, random: '' } as const;
    await runner.perform(target.multipart ? uploadRequest(target, fx, choice) : formRequest(target, fx, choice));
  }
  // Second round: the pages the new records appear on (the cases seeded, and lists such as a centre's referrals).
  for (const page of opened.filter((item) => seededPages.has(item.url) || !item.route.url.includes(':'))) await open(page.route, page.actor, page.url);
  // And the pages of records that did not exist before (a plan version, a document).
  for (const route of getRoutes.filter((item) => !discovery.pages.has(item))) {
    for (const actor of actorsFor(route)) {
      for (const params of fx.realParams(route.url).slice(0, perRoute)) await open(route, actor, fillPath(route.url, params));
    }
  }
  for (const fragment of fragments.splice(0)) await open(fragment.route, fragment.actor, fragment.url);
  return discovery;
}

/** Today in Viet Nam as the date inputs take it. */
function today(): string {
  return new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
}

/** What a user would plausibly send: the page's own values, and believable text where it left a field empty. */
export function baseline(fields: readonly FormField[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (const field of fields) {
    if (field.name === '_csrf' || field.kind === 'file') continue;
    if (field.kind === 'other') {
      // The button a user would press: the primary one.
      if (field.options[0] !== undefined) pairs.push([field.name, field.options[0]]);
      continue;
    }
    if ((field.kind === 'choice' || field.kind === 'checkbox') && field.value === '') {
      const option = field.options.find((value) => value !== '');
      if (field.kind === 'choice' && option !== undefined) pairs.push([field.name, option]);
      continue;
    }
    if (field.value !== '') {
      pairs.push([field.name, field.value]);
      continue;
    }
    const plausible: Partial<Record<FormField['kind'], string>> = {
      text: 'Nguyễn Văn An',
      textarea: 'Cháu kể bị đánh nhiều lần; gia đình cần được hỗ trợ.',
      number: '7',
      date: today(),
      time: '00:05',
      datetime: `${today()}T08:30`,
      email: 'can.bo@example.vn',
      tel: '0912 345 678',
      password: 'Mật khẩu thử nghiệm 2026!',
      hidden: '',
    };
    pairs.push([field.name, plausible[field.kind] ?? 'x']);
  }
  return pairs;
}

const KEPT_KINDS = new Set<FormField['kind']>(['text', 'textarea', 'email', 'tel', 'date', 'time', 'number', 'datetime']);

/** The typed text fields of a submission, which a form shown again must keep. */
function keptOf(fields: readonly FormField[], pairs: readonly [string, string][]): Record<string, string[]> {
  const kept: Record<string, string[]> = {};
  for (const field of fields) {
    if (!KEPT_KINDS.has(field.kind)) continue;
    const values = pairs.filter(([name]) => name === field.name).map(([, value]) => value);
    // A doubled field cannot be shown as typed in one input; what is checked is that the rest is kept.
    if (values.length === 1) kept[field.name] = values;
  }
  return kept;
}

const withCsrf = (pairs: readonly [string, string][], csrf: string | null): [string, string][] => (csrf === null ? [...pairs] : [['_csrf', csrf], ...pairs]);

const formBody =
  (pairs: readonly [string, string][]) =>
  (csrf: string | null): { payload: string; contentType: string } => ({ payload: formEncode(withCsrf(pairs, csrf)), contentType: FORM_TYPE });

export interface Choice {
  mutation: FormMutation;
  field: number;
  payload: string;
  variant: number;
  htmx: boolean;
  random: string;
}

export const choiceArbitrary: fc.Arbitrary<Choice> = fc.record({
  mutation: fc.constantFrom(...FORM_MUTATIONS),
  field: fc.nat(),
  payload: fc.constantFrom(...FIELD_PAYLOAD_NAMES),
  variant: fc.nat(),
  htmx: fc.boolean(),
  // Arbitrary Unicode, including unpaired and invisible characters, for the "field" mutation now and then.
  random: fc.string({ unit: 'binary', maxLength: 200 }),
});

function forgePath(target: FormTarget, fx: SweepFixture, variant: number): string {
  const names = [...target.route.url.matchAll(/:(\w+)/g)].map((match) => match[1]!);
  if (names.length === 0) return `${target.url}?id=${pick(FORGED_IDS, variant)}`;
  const segments = target.url.split('/');
  const patternSegments = target.route.url.split('/');
  const index = patternSegments.findIndex((segment) => segment === `:${pick(names, variant)}`);
  // Another record of the same kind (often another organisation's), or an id nobody issued.
  const others = fx.realParams(target.route.url).map((params) => params[patternSegments[index]!.slice(1)]!).filter(Boolean);
  segments[index] = variant % 3 === 0 && others.length > 0 ? pick(others, variant) : pick(FORGED_IDS, variant);
  return segments.join('/');
}

/** One POST request against a form, changed as the choice says. */
export function formRequest(target: FormTarget, fx: SweepFixture, choice: Choice): PlannedRequest {
  const fields = target.fields.filter((field) => field.name !== '_csrf');
  const base = baseline(fields);
  const named = fields.filter((field) => field.kind !== 'other' && field.kind !== 'file');
  const field = named.length > 0 ? pick(named, choice.field) : { name: 'extra', kind: 'text' as const, value: '', options: [] };
  const headers: Record<string, string> = choice.htmx ? { 'hx-request': 'true', 'hx-current-url': `http://localhost${target.url}` } : {};
  const common = { route: target.route, actor: target.actor, method: 'POST', url: target.url, headers };
  const replace = (pairs: [string, string][], name: string, value: string): [string, string][] => {
    const next = pairs.filter(([key]) => key !== name);
    next.push([name, value]);
    return next;
  };
  switch (choice.mutation) {
    case 'valid':
      return { ...common, mutation: 'valid', body: formBody(base), kept: keptOf(fields, base) };
    case 'field': {
      const value = choice.variant % 7 === 6 ? choice.random : FIELD_PAYLOADS[choice.payload]!();
      const pairs = replace(base, field.name, value);
      return { ...common, mutation: `field:${choice.variant % 7 === 6 ? 'random-unicode' : choice.payload}`, body: formBody(pairs), kept: keptOf(fields, pairs) };
    }
    case 'all-fields-xss': {
      const payloads = Object.values(XSS_PAYLOADS);
      const pairs = named.map((item, index): [string, string] => [item.name, pick(payloads, index + choice.variant)]);
      return { ...common, mutation: 'all-fields-xss', body: formBody(pairs), kept: keptOf(fields, pairs) };
    }
    case 'missing-field': {
      const pairs = base.filter(([name]) => name !== field.name);
      return { ...common, mutation: 'missing-field', body: formBody(pairs), kept: keptOf(fields, pairs) };
    }
    case 'missing-all':
      return { ...common, mutation: 'missing-all', body: formBody([]) };
    case 'duplicate-field': {
      const pairs: [string, string][] = [...base, [field.name, FIELD_PAYLOADS[choice.payload]!()]];
      return { ...common, mutation: 'duplicate-field', body: formBody(pairs), kept: keptOf(fields, pairs) };
    }
    case 'json-wrong-type': {
      const wrong = pick(WRONG_TYPES, choice.variant);
      return {
        ...common,
        mutation: 'json-wrong-type',
        body: (csrf) => ({ payload: JSON.stringify({ ...Object.fromEntries(withCsrf(base, csrf)), [field.name]: wrong }), contentType: 'application/json' }),
      };
    }
    case 'utf8-invalid':
    case 'utf8-overlong': {
      const bad = choice.mutation === 'utf8-overlong' ? pick(['%C0%AF', '%E0%80%AF', '%C0%80', '%F0%80%80%AF'], choice.variant) : pick(INVALID_UTF8_ENCODED, choice.variant);
      return {
        ...common,
        mutation: choice.mutation,
        body: (csrf) => ({ payload: `${formEncode(withCsrf(base.filter(([name]) => name !== field.name), csrf))}&${encodeURIComponent(field.name)}=abc${bad}def`, contentType: FORM_TYPE }),
      };
    }
    case 'raw-bytes':
      return {
        ...common,
        mutation: 'raw-bytes',
        body: (csrf) => ({
          payload: Buffer.concat([Buffer.from(`${formEncode(withCsrf(base, csrf))}&${encodeURIComponent(field.name)}=`), Buffer.from([0xff, 0xfe, 0x00, 0xc0, 0xaf, 0xed, 0xa0, 0x80])]),
          contentType: FORM_TYPE,
        }),
      };
    case 'content-type': {
      const contentType = pick(WRONG_CONTENT_TYPES, choice.variant);
      return { ...common, mutation: `content-type:${contentType.split(';')[0] || 'none'}`, body: (csrf) => ({ payload: formEncode(withCsrf(base, csrf)), contentType }) };
    }
    case 'oversized-body':
      return { ...common, mutation: 'oversized-body', body: formBody([...base, [field.name, vietnameseText(1_100_000)]]) };
    case 'csrf-missing':
      return { ...common, mutation: 'csrf-missing', csrf: 'none', body: formBody(base) };
    case 'csrf-wrong':
      return { ...common, mutation: 'csrf-wrong', csrf: 'wrong', body: formBody(base) };
    case 'forged-id':
      return { ...common, mutation: 'forged-id', url: forgePath(target, fx, choice.variant), body: formBody(base) };
    case 'prototype':
      return {
        ...common,
        mutation: 'prototype',
        body: choice.variant % 2 === 0
          ? (csrf) => ({ payload: `{"_csrf":${JSON.stringify(csrf ?? '')},"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}`, contentType: 'application/json' })
          : formBody([...base, ['__proto__', 'x'], ['constructor[prototype][x]', '1'], ['hasOwnProperty', '1']]),
      };
  }
}

const QUERY_JUNK: (() => string)[] = [
  () => 'page=-1',
  () => 'page=abc',
  () => 'page=99999999',
  () => 'page=1&page=2',
  () => `q=${encodeURIComponent(XSS_PAYLOADS.script)}`,
  () => `q=${encodeURIComponent(vietnameseText(3000).normalize('NFD'))}`,
  () => 'q=%FF%FE',
  () => 'q=%C0%AF&page=%00',
  () => `next=${encodeURIComponent('javascript:window.__pwned=1')}`,
  () => 'next=//evil.example',
  () => `done=${encodeURIComponent(XSS_PAYLOADS.img)}`,
  () => 'from=2026-02-30&to=abc&period=%00',
  () => `index=${encodeURIComponent('-1')}`,
  () => 'index=9999999999999999999',
];

/** A GET of a page: as found, with a forged id, junk in the query, or the query of its own GET form filled with payloads. */
export function pageRequest(route: DeclaredRoute, page: { actor: SweepActor; url: string }, fx: SweepFixture, queryFields: readonly FormField[], choice: Choice): PlannedRequest {
  const common = { route, actor: page.actor, method: route.method };
  const variant = choice.variant % 6;
  const headers: Record<string, string> = choice.htmx ? { 'hx-request': 'true' } : {};
  if (variant === 0 && route.url.includes(':')) {
    return { ...common, mutation: 'forged-id', url: forgePath({ route, actor: page.actor, url: page.url, fields: [], multipart: false }, fx, choice.field), headers };
  }
  if (variant <= 2 && queryFields.length > 0) {
    const field = pick(queryFields, choice.field);
    const value = choice.mutation === 'field' ? choice.random : FIELD_PAYLOADS[choice.payload]!();
    const pairs = baseline(queryFields).filter(([name]) => name !== field.name);
    pairs.push([field.name, value.slice(0, 4000)]);
    return { ...common, mutation: `query-field:${choice.payload}`, url: `${page.url}?${formEncode(pairs)}`, headers };
  }
  return { ...common, mutation: 'query-junk', url: `${page.url}?${pick(QUERY_JUNK, choice.field)()}`, headers };
}

/** A valid API intake, as a telephony system would send it. */
export function validIntake(fx: SweepFixture): Record<string, unknown> {
  return {
    medium: 'phone',
    child: { name: 'Đặng Thị Mơ', birthDate: '2016-04-12', sex: 'female' },
    residenceCommuneId: fx.seed.orgs.kinhBac,
    description: 'Người gọi báo cháu bị cha dượng đánh, có vết bầm trên mặt.',
    immediateDanger: false,
    categories: ['abuse_violence_physical'],
    reporter: { consented: true, relation: 'Hàng xóm', name: 'Lê Văn Tám', phone: '0912 345 678' },
  };
}

const API_STRING_PATHS = [
  ['child', 'name'],
  ['description'],
  ['incidentPlace'],
  ['currentCondition'],
  ['familySituation'],
  ['reporter', 'name'],
  ['reporter', 'phone'],
  ['reporter', 'address'],
  ['receivedAt'],
  ['child', 'birthDate'],
  ['medium'],
] as const;
const API_ANY_PATHS = [...API_STRING_PATHS, ['child'], ['reporter'], ['categories'], ['immediateDanger'], ['residenceCommuneId'], ['child', 'estimatedAge'], ['reporter', 'consented']] as const;

function setPath(body: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(body);
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  if (value === undefined) delete node[path.at(-1)!];
  else node[path.at(-1)!] = value;
  return copy;
}

/** One API request, changed as the choice says; JSON and the key as the API expects, or not. */
export function apiRequest(route: DeclaredRoute, fx: SweepFixture, choice: Choice): PlannedRequest {
  const json = (value: unknown) => () => ({ payload: JSON.stringify(value), contentType: 'application/json' });
  const raw = (payload: string | Buffer, contentType = 'application/json') => () => ({ payload, contentType });
  const valid = validIntake(fx);
  const common = { route, actor: 'api' as const, method: 'POST', url: route.url };
  const stringPath = pick(API_STRING_PATHS, choice.field);
  const anyPath = pick(API_ANY_PATHS, choice.field);
  const cases: (() => PlannedRequest)[] = [
    () => ({ ...common, mutation: 'valid', body: json(valid) }),
    () => ({ ...common, mutation: `field:${choice.payload}`, body: json(setPath(valid, stringPath, FIELD_PAYLOADS[choice.payload]!())) }),
    () => ({ ...common, mutation: 'field:random-unicode', body: json(setPath(valid, stringPath, choice.random)) }),
    () => ({ ...common, mutation: 'json-wrong-type', body: json(setPath(valid, anyPath, pick(WRONG_TYPES, choice.variant))) }),
    () => ({ ...common, mutation: 'missing-field', body: json(setPath(valid, anyPath, undefined)) }),
    () => ({ ...common, mutation: 'unknown-field', body: json({ ...valid, [pick(['isAdmin', '__proto__', 'constructor', 'orgId'], choice.variant)]: { x: 1 } }) }),
    () => ({ ...common, mutation: 'all-fields-xss', body: json(API_STRING_PATHS.slice(0, 8).reduce((body, path, index) => setPath(body, path, pick(Object.values(XSS_PAYLOADS), index)), valid)) }),
    () => ({ ...common, mutation: 'invalid-json', body: raw(pick(['{', '{"medium":', 'null', '[]', '"text"', '1', '{"a":1}{"b":2}', 'ſ'], choice.variant)) }),
    () => ({ ...common, mutation: 'duplicate-field', body: raw(JSON.stringify(valid).replace('{', `{"description":${JSON.stringify(XSS_PAYLOADS.script)},`)) }),
    () => ({ ...common, mutation: 'raw-bytes', body: raw(Buffer.concat([Buffer.from(JSON.stringify(valid).slice(0, -1) + ',"incidentPlace":"'), Buffer.from([0xff, 0xfe, 0xc0, 0xaf]), Buffer.from('"}')])) }),
    () => ({ ...common, mutation: 'utf8-invalid', body: raw(JSON.stringify(setPath(valid, ['description'], 'a\\ud800b')).replace('a\\\\ud800b', 'a\\ud800b')) }),
    () => ({ ...common, mutation: 'content-type', body: raw(JSON.stringify(valid), pick(WRONG_CONTENT_TYPES, choice.variant)) }),
    () => ({ ...common, mutation: 'oversized-body', body: json(setPath(valid, ['description'], vietnameseText(70_000))) }),
    () => ({ ...common, mutation: 'no-key', authorization: null, body: json(valid) }),
    () => ({ ...common, mutation: 'wrong-key', authorization: pick(['Bearer bvte_live_x', 'Basic YWRtaW46YWRtaW4=', 'Bearer ' + 'a'.repeat(5000), 'Bearer %FF'], choice.variant), body: json(valid) }),
    () => ({ ...common, mutation: 'idempotency-key', headers: { 'idempotency-key': pick(['', 'x'.repeat(200), 'khóa', 'k\u0000', 'sweep-key-1'], choice.variant) }, body: json(valid) }),
    () => ({ ...common, mutation: 'deep-nesting', body: raw(`{"medium":"phone","child":${'['.repeat(5000)}${']'.repeat(5000)}}`) }),
    () => ({ ...common, mutation: 'huge-array', body: json({ ...valid, categories: Array.from({ length: 500 }, () => 'abuse_violence_physical') }) }),
    () => ({ ...common, mutation: 'forged-id', body: json({ ...valid, residenceCommuneId: pick([0, -1, 2 ** 53, 1e308, fx.seed.orgs.primarySchool, fx.seed.orgs.national, 'abc'], choice.variant) }) }),
    () => ({ ...common, mutation: 'future-date', body: json(setPath(valid, ['receivedAt'], pick(['2999-01-01T00:00:00Z', '2026-02-30T08:00:00+07:00', 'yesterday'], choice.variant))) }),
  ];
  return pick(cases, choice.mutation === 'valid' ? 0 : choice.variant)();
}

interface Part {
  name: string;
  value: Buffer | string;
  filename?: string;
  contentType?: string;
}

function multipartBody(parts: readonly Part[], boundary = '----bvte-sweep-boundary-9f3k'): { payload: Buffer; contentType: string } {
  const chunks = parts.flatMap((part) => {
    const disposition = `form-data; name="${part.name}"${part.filename === undefined ? '' : `; filename="${part.filename}"`}`;
    const type = part.contentType ? `\r\nContent-Type: ${part.contentType}` : '';
    return [Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n`), Buffer.from(part.value), Buffer.from('\r\n')];
  });
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** An upload to the document route: names that try to leave the documents folder, contents that are not documents, no token. */
export function uploadRequest(target: FormTarget, fx: SweepFixture, choice: Choice): PlannedRequest {
  const filename = pick(UPLOAD_FILENAMES, choice.field);
  const kinds = Object.keys(UPLOAD_BODIES) as (keyof typeof UPLOAD_BODIES)[];
  const kind = choice.mutation === 'valid' ? 'pdf' : pick(kinds, choice.variant);
  const file = (name = filename): Part => ({ name: 'file', value: UPLOAD_BODIES[kind], filename: name, contentType: kind === 'pdf' ? 'application/pdf' : 'text/html' });
  const common = { route: target.route, actor: target.actor, method: 'POST', url: target.url };
  const token = (csrf: string | null): Part[] => (csrf === null ? [] : [{ name: '_csrf', value: csrf }]);
  const variants: (() => PlannedRequest)[] = [
    () => ({ ...common, mutation: `upload:${kind}`, body: (csrf) => multipartBody([...token(csrf), file()]) }),
    () => ({ ...common, mutation: 'upload:token-after-file', body: (csrf) => multipartBody([file(), ...token(csrf)]) }),
    () => ({ ...common, mutation: 'upload:no-token', csrf: 'none', body: (csrf) => multipartBody([...token(csrf), file()]) }),
    () => ({ ...common, mutation: 'upload:no-file', body: (csrf) => multipartBody(token(csrf)) }),
    () => ({ ...common, mutation: 'upload:wrong-field', body: (csrf) => multipartBody([...token(csrf), { ...file(), name: 'tep' }]) }),
    () => ({ ...common, mutation: 'upload:two-files', body: (csrf) => multipartBody([...token(csrf), file(), file('hai.pdf')]) }),
    () => ({ ...common, mutation: 'upload:extra-fields', body: (csrf) => multipartBody([...token(csrf), { name: 'note', value: 'x'.repeat(5000) }, { name: 'a', value: '1' }, file()]) }),
    () => ({ ...common, mutation: 'upload:broken-multipart', body: (csrf) => ({ payload: Buffer.from(`--x\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf ?? ''}\r\n--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-`), contentType: 'multipart/form-data; boundary=x' }) }),
    () => ({ ...common, mutation: 'upload:no-boundary', body: (csrf) => ({ ...multipartBody([...token(csrf), file()]), contentType: 'multipart/form-data' }) }),
    () => ({ ...common, mutation: 'upload:urlencoded', body: (csrf) => ({ payload: formEncode([['_csrf', csrf ?? ''], ['file', 'x']]), contentType: FORM_TYPE }) }),
    () => ({ ...common, mutation: 'forged-id', url: forgePath(target, fx, choice.variant), body: (csrf) => multipartBody([...token(csrf), file()]) }),
  ];
  return pick(variants, choice.mutation === 'valid' ? 0 : choice.variant)();
}

/** Submissions to POST routes no page offered in the fixture: by name from nothing, so only the generic mutations. */
export function blindTargets(route: DeclaredRoute, fx: SweepFixture): FormTarget[] {
  return actorsFor(route).flatMap((actor) => fx.realParams(route.url).slice(0, 2).map((params) => ({ route, actor, url: fillPath(route.url, params), fields: [], multipart: false })));
}
