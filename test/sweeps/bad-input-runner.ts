/**
 * Sends one sweep request and judges it: never a 5xx; a refusal says why in words from the catalogue;
 * a form shown again keeps what was typed (escaped); no payload comes back unescaped; and the database
 * holds either the whole write or none of it, by the row counts of every table before and after.
 */
import type { LightMyRequestResponse } from 'fastify';
import { rowCounts } from '../../src/cli/backup.js';
import { vi } from '../../src/i18n/vi.js';
import type { Role } from '../../src/permissions/roles.js';
import type { DeclaredRoute } from '../../src/web/types.js';
import { escapeHtml, parseForms, shownMessages } from './bad-input-forms.js';
import type { SweepFixture, SweepSession } from './bad-input-fixture.js';
import { UNESCAPED_MARKERS } from './bad-input-payloads.js';

export type SweepActor = Role | 'anonymous' | 'api';

export interface SweepBody {
  payload: string | Buffer;
  contentType?: string;
}

export interface PlannedRequest {
  route: DeclaredRoute;
  /** The kind of input, for the summary and failure messages (never the data itself). */
  mutation: string;
  actor: SweepActor;
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** The CSRF token to send: the session's, none, or a wrong one. */
  csrf?: 'session' | 'none' | 'wrong';
  body?: (csrf: string | null) => SweepBody;
  /** Text fields whose value a form shown again must keep, with the values that count as kept. */
  kept?: Record<string, string[]>;
  /** For API requests: the Authorization header to send instead of the sweep's key. */
  authorization?: string | null;
  remoteAddress?: string;
}

/**
 * The statistics refresher rebuilds its aggregates on a timer (src/statistics/refresh.ts), whatever
 * request happens to be running: its tables say nothing about the request and are left out.
 */
const BACKGROUND = /^stats_/;
/** Tables a refused request may still write: the audit trail records refusals. */
const REFUSAL_BOOKKEEPING = new Set(['audit_log']);
/** Tables any request may write without being a change of the record: the audit trail, who read a flag, sessions. */
const READ_BOOKKEEPING = new Set(['audit_log', 'flag_reads', 'sessions']);

/** Catalogue messages as they can appear on a page: each message's longest literal part (placeholders removed). */
const CATALOGUE_PARTS = [
  ...new Set(
    Object.values(vi)
      .map((message) => message.split(/\{\w+\}/).reduce((longest, part) => (part.trim().length > longest.length ? part.trim() : longest), ''))
      .filter((part) => part.length >= 6),
  ),
];

function fromCatalogue(text: string): boolean {
  return CATALOGUE_PARTS.some((part) => text.includes(part));
}

const ANONYMOUS_CSRF = 'abcdefghijklmnopqrstuvwxyz234567';
const NO_ANSWER_MS = 10_000;

export interface SweepStats {
  requests: number;
  byStatus: Record<string, number>;
  byMutation: Record<string, number>;
  routesHit: Set<string>;
  /** How often each judgement applied, so a sweep that checks nothing shows up as such. */
  judged: { localised: number; keptForms: number; keptFields: number; acceptedWrites: number; newCases: number };
}

export class SweepRunner {
  readonly stats: SweepStats = { requests: 0, byStatus: {}, byMutation: {}, routesHit: new Set(), judged: { localised: 0, keptForms: 0, keptFields: 0, acceptedWrites: 0, newCases: 0 } };
  readonly failures: string[] = [];

  constructor(private readonly fx: SweepFixture) {}

  private fail(request: PlannedRequest, status: number, why: string): void {
    if (this.failures.length < 1000) this.failures.push(`${request.route.method} ${request.route.url} [${request.actor}, ${request.mutation}] → ${status}: ${why}`);
  }

  private counts(): Map<string, number> {
    return new Map(rowCounts(this.fx.t.db).map(({ table, rows }) => [table, rows]));
  }

  private maxCaseId(): number {
    return (this.fx.t.db.$client.prepare('SELECT coalesce(max(id), 0) AS id FROM cases').get() as { id: number }).id;
  }

  async perform(request: PlannedRequest): Promise<LightMyRequestResponse> {
    const { fx } = this;
    const session: SweepSession | null = request.actor === 'anonymous' || request.actor === 'api' ? null : fx.sessions.get(request.actor)!;
    const csrfMode = request.csrf ?? 'session';
    const token = session ? session.csrf : ANONYMOUS_CSRF;
    const csrf = csrfMode === 'session' ? token : csrfMode === 'wrong' ? 'x'.repeat(token.length) : null;
    const headers: Record<string, string> = { ...(request.headers ?? {}) };
    if (session) headers.cookie = session.cookie;
    else if (request.actor === 'anonymous') headers.cookie = `bvte_csrf=${ANONYMOUS_CSRF}`;
    if (request.actor === 'api' && request.authorization !== null) headers.authorization = request.authorization ?? `Bearer ${fx.apiKey}`;
    const body = request.body?.(csrf);
    if (body?.contentType !== undefined && body.contentType !== '') headers['content-type'] = body.contentType;

    const before = this.counts();
    const caseIdBefore = this.maxCaseId();
    const answer = fx.t.app.inject({
      method: request.method as 'GET',
      url: request.url,
      headers,
      ...(body ? { payload: body.payload } : {}),
      remoteAddress: request.remoteAddress ?? fx.nextAddress(),
    });
    // A request that is never answered holds a connection until the server's timeout: a failure, and the sweep goes on.
    let timer: NodeJS.Timeout | undefined;
    const silence = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), NO_ANSWER_MS);
    });
    const response = await Promise.race([answer, silence]).finally(() => clearTimeout(timer));
    if (response === null) {
      this.fail(request, 0, `no answer within ${NO_ANSWER_MS} ms`);
      this.record(request, 0);
      return { statusCode: 0, headers: {}, body: '' } as LightMyRequestResponse;
    }
    const after = this.counts();

    this.record(request, response.statusCode);
    this.judge(request, response, before, after, caseIdBefore);
    if (session) await fx.restore(session);
    return response;
  }

  private record(request: PlannedRequest, status: number): void {
    this.stats.requests += 1;
    this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
    const kind = request.mutation.split(':')[0]!;
    this.stats.byMutation[kind] = (this.stats.byMutation[kind] ?? 0) + 1;
    this.stats.routesHit.add(`${request.route.method} ${request.route.url}`);
  }

  private judge(request: PlannedRequest, response: LightMyRequestResponse, before: Map<string, number>, after: Map<string, number>, caseIdBefore: number): void {
    const status = response.statusCode;
    if (status >= 500) {
      this.fail(request, status, 'server error');
      return;
    }
    const type = String(response.headers['content-type'] ?? '');
    const html = type.startsWith('text/html');
    if (html) {
      const marker = UNESCAPED_MARKERS.find((raw) => response.body.includes(raw));
      if (marker) this.fail(request, status, `payload reflected unescaped (${JSON.stringify(marker)})`);
    }
    if (status >= 400) this.judgeRefusal(request, response, html);
    this.judgeWrites(request, status, before, after, caseIdBefore);
  }

  private judgeRefusal(request: PlannedRequest, response: LightMyRequestResponse, html: boolean): void {
    const status = response.statusCode;
    if (request.route.url.startsWith('/api/') || request.url.startsWith('/api/')) {
      type ApiError = { error?: unknown; errors?: { path?: unknown; message?: unknown }[] } | null;
      let json: ApiError = null;
      try {
        json = JSON.parse(response.body) as ApiError;
      } catch {
        json = null;
      }
      const explained =
        typeof json?.error === 'string' ||
        (Array.isArray(json?.errors) && json.errors.length > 0 && json.errors.every((item) => typeof item.message === 'string'));
      if (!explained) this.fail(request, status, 'API refusal without a JSON error');
      return;
    }
    // htmx is sent to the login page by header; the body has nothing to show.
    if (status === 401 && response.headers['hx-redirect'] && response.body === '') return;
    if (!html) {
      this.fail(request, status, `refusal is not a page (${String(response.headers['content-type'])})`);
      return;
    }
    if (request.method === 'HEAD') return;
    const messages = shownMessages(response.body);
    const localised = messages.some(fromCatalogue) || (status === 410 && response.body.includes(escapeHtml(vi['setup.invalid'])));
    if (localised) this.stats.judged.localised += 1;
    if (!localised) this.fail(request, status, `no message from the catalogue on the page (shown: ${JSON.stringify(messages.slice(0, 3))})`);
    const fragment = request.headers?.['hx-request'] === 'true';
    if (!fragment && !response.body.includes('<html lang="vi">')) this.fail(request, status, 'refusal page is not in Vietnamese');
    if (status === 400 && request.kept) this.judgeKept(request, response.body);
  }

  /** A form shown again with errors keeps every text the user typed, escaped. */
  private judgeKept(request: PlannedRequest, body: string): void {
    const path = request.url.split('?')[0]!;
    if (!parseForms(body).some((form) => form.action === path)) return;
    this.stats.judged.keptForms += 1;
    for (const [field, values] of Object.entries(request.kept ?? {})) {
      this.stats.judged.keptFields += 1;
      const candidates = values.flatMap((value) => [value, value.trim(), value.normalize('NFC'), value.normalize('NFC').trim()]);
      if (!candidates.some((value) => body.includes(escapeHtml(value)))) {
        this.fail(request, 400, `form shown again without the typed value of "${field}"`);
      }
    }
  }

  private judgeWrites(request: PlannedRequest, status: number, before: Map<string, number>, after: Map<string, number>, caseIdBefore: number): void {
    const changed = [...after].filter(([table, rows]) => before.get(table) !== rows && !BACKGROUND.test(table)).map(([table]) => table);
    const auditGrew = (after.get('audit_log') ?? 0) > (before.get('audit_log') ?? 0);
    const shrunk = changed.filter((table) => (after.get(table) ?? 0) < (before.get(table) ?? 0) && table !== 'sessions');
    if (status >= 400) {
      const written = changed.filter((table) => !REFUSAL_BOOKKEEPING.has(table));
      if (written.length > 0) this.fail(request, status, `refused but wrote to ${written.join(', ')}`);
      return;
    }
    const records = changed.filter((table) => !READ_BOOKKEEPING.has(table) && !table.startsWith('case_search'));
    if (records.length > 0) this.stats.judged.acceptedWrites += 1;
    if (records.length > 0 && !auditGrew) this.fail(request, status, `wrote ${records.join(', ')} without an audit entry`);
    if (request.method === 'GET' || request.method === 'HEAD') {
      if (records.length > 0) this.fail(request, status, `a read wrote ${records.join(', ')}`);
    }
    if (shrunk.length > 0 && !auditGrew) this.fail(request, status, `deleted from ${shrunk.join(', ')} without an audit entry`);
    if (this.maxCaseId() > caseIdBefore) this.judgeNewCases(request, status, caseIdBefore);
  }

  /** A case created by the request arrives whole: its intake, its timeline and its audit entry. */
  private judgeNewCases(request: PlannedRequest, status: number, caseIdBefore: number): void {
    const incomplete = this.fx.t.db.$client
      .prepare(
        `SELECT c.id FROM cases c WHERE c.id > ? AND (
           NOT EXISTS (SELECT 1 FROM intakes i WHERE i.case_id = c.id)
           OR NOT EXISTS (SELECT 1 FROM case_timeline tl WHERE tl.case_id = c.id)
           OR NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.entity_type = 'case' AND a.entity_id = CAST(c.id AS TEXT)))`,
      )
      .all(caseIdBefore) as { id: number }[];
    this.stats.judged.newCases += 1;
    if (incomplete.length > 0) this.fail(request, status, `created ${incomplete.length} case(s) without intake, timeline or audit entry`);
  }
}
