/**
 * Ten years of national case volume, month by month in the order reports arrived: each case with
 * its intake, child, categories, timeline, assignment, audit entries, search row and statistical
 * fact, written with prepared statements in one transaction per month. Every value the app derives
 * is derived by the app's own functions (references, deadlines, statechart snapshots, folded search
 * text, statistical facts and counters); only the choice of what happened is the seed's.
 */
import type Database from 'better-sqlite3';
import type { AuditContext } from '../../src/audit/log.js';
import type { DateKey } from '../../src/calendar/working-days.js';
import { deadlinesFor } from '../../src/cases/deadlines.js';
import { formatReference, vietnamYear } from '../../src/cases/references.js';
import type { IntakeChannel } from '../../src/cases/schema.js';
import type { CaseState } from '../../src/cases/workflow/machine.js';
import type { Db } from '../../src/db/client.js';
import { RowBatch } from '../../src/db/row-batch.js';
import type { OrgKind } from '../../src/orgs/schema.js';
import { folded } from '../../src/search/index.js';
import { localColumns } from '../../src/search/match.js';
import { deriveCaseFact, loadFactContext, type CaseRecord, type FactContext } from '../../src/statistics/facts.js';
import type { TaxonomyGroupKind } from '../../src/taxonomy/seed-data.js';
import { foldVietnamese } from '../../src/text/fold.js';
import type { AuditQueue } from './audit.js';
import { reportText, reporterOf } from './content.js';
import { contextOf, persistedSnapshot, planJourney, SnapshotTemplates } from './journeys.js';
import { vietnameseName } from './names.js';
import type { SeedWorker } from './offload.js';
import { between, pick, weighted, WeightedPicker, type Random } from './random.js';
import type { CommuneNode, NationalTree } from './tree.js';
import type { SeededStaff } from './users.js';

export const MONTHS = 120;
export const MONTH_MS = 30.4375 * 86_400_000;
const MINUTE = 60_000;
/** Last year's volume is about three times the first year's, as use of the system spreads. */
const GROWTH = Math.log(3);

const CHANNELS = weighted<IntakeChannel>([
  ['teacher', 30],
  ['hotline', 27],
  ['public', 22],
  ['api', 8],
  ['other', 13],
]);
const MEDIUM: Record<IntakeChannel, string> = { teacher: 'in_person', hotline: 'phone', public: 'online', api: 'system', other: 'third_party' };
const RISKS = weighted<'high' | 'medium' | 'low'>([
  ['high', 15],
  ['medium', 40],
  ['low', 45],
]);
/** Ages of children in reports: few infants, most of school age. */
const AGES = weighted<number>(Array.from({ length: 18 }, (_, age) => [age, age < 3 ? 2 : age < 6 ? 4 : age < 16 ? 8 : 5] as const));
/** Shares of the top-level categories; a leaf below each is drawn evenly. Unlisted codes weigh 1. */
const TOP_WEIGHTS: Record<string, number> = {
  abuse_violence: 28,
  abuse_abandonment_neglect: 16,
  abuse_sexual: 7,
  abuse_exploitation: 4,
  abuse_trafficking: 0.6,
  abuse_institutional: 0.8,
  abuse_other: 3,
  cl_under_13: 2,
  cl_13_to_15: 2.5,
  cl_15_to_18: 3,
  cl_worst_forms: 0.8,
  sc_a: 4,
  sc_c: 4,
  sc_d: 4,
  sc_n: 2,
  sc_o: 2,
};

interface Category {
  code: string;
  group: TaxonomyGroupKind;
  sensitive: boolean;
}

function categoryPicker(client: Database.Database): WeightedPicker<Category[]> {
  const rows = client.prepare('SELECT code, parent_code AS parent, group_kind AS grp, sensitive FROM taxonomy_codes WHERE active = 1 ORDER BY sort_order').all() as {
    code: string;
    parent: string | null;
    grp: TaxonomyGroupKind;
    sensitive: number;
  }[];
  const tops = rows.filter((row) => row.parent === null);
  // Each choice is a top-level code's leaves (or the code itself when it has none).
  const choices = tops.map((top) => {
    const leaves = rows.filter((row) => row.parent === top.code);
    return (leaves.length > 0 ? leaves : [top]).map((row) => ({ code: row.code, group: row.grp, sensitive: row.sensitive === 1 }));
  });
  return new WeightedPicker(
    choices,
    tops.map((top) => TOP_WEIGHTS[top.code] ?? 1),
  );
}

/** How many cases each month receives: growing over the ten years, adding up to `total` exactly. */
export function monthlyCounts(total: number): number[] {
  const weights = Array.from({ length: MONTHS }, (_, m) => Math.exp((GROWTH * m) / (MONTHS - 1)));
  const sum = weights.reduce((a, b) => a + b, 0);
  let given = 0;
  let cumulative = 0;
  return weights.map((w) => {
    cumulative += w;
    const upTo = Math.round((total * cumulative) / sum);
    const n = upTo - given;
    given = upTo;
    return n;
  });
}

interface ChildRow {
  id: number;
  name: string;
  sex: 'male' | 'female';
  birthDate: string | null;
  estimatedBirthYear: number | null;
  schoolOrgId: number | null;
}

const DECISIONS_BY_CHAIR = new Set(['APPROVE_PLAN', 'REJECT_PLAN', 'APPROVE_CLOSURE', 'REJECT_CLOSURE']);
const ASSESSED = new Set(['DECIDE_SUPPORT', 'DECIDE_INTERVENTION']);

export interface CaseSeedResult {
  cases: number;
  children: number;
  timelineRows: number;
  years: Map<number, number>;
  templates: number;
}

export interface CaseSeedInput {
  db: Db;
  tree: NationalTree;
  staff: SeededStaff;
  audit: AuditQueue;
  worker: SeedWorker;
  rnd: Random;
  total: number;
  now: Date;
  startMs: number;
  holidays: ReadonlySet<DateKey>;
  onMonth?: (month: number, casesSoFar: number) => void;
}

export function seedCases(input: CaseSeedInput): CaseSeedResult {
  const { db, tree, staff, audit, worker: offload, rnd, now, startMs, holidays } = input;
  const client = db.$client;
  const nowMs = now.getTime();
  const communes = new WeightedPicker<CommuneNode>(tree.communes, tree.communes.map((commune) => commune.weight));
  const categories = categoryPicker(client);
  const templates = new SnapshotTemplates();
  // The organisations' kinds in one query: loadFactContext looks each up as it comes, a query per unit.
  const kinds = new Map((client.prepare('SELECT id, kind FROM organisations').all() as { id: number; kind: OrgKind }[]).map((row) => [row.id, row.kind]));
  const factContext: FactContext = { ...loadFactContext(db, holidays, now), orgKind: (id) => kinds.get(id) };
  let monthFacts: string[] = [];

  const insert = {
    child: new RowBatch(client, 'children', ['id', 'full_name', 'name_folded', 'birth_date', 'estimated_birth_year', 'sex', 'residence_org_id', 'school_org_id', 'created_by', 'created_at']),
    case: new RowBatch(client, 'cases', [
      'id', 'reference', 'org_id', 'child_id', 'assigned_user_id', 'channel', 'state', 'snapshot', 'machine_version', 'row_version', 'sensitive', 'emergency',
      'received_at', 'emergency_due_at', 'plan_due_at', 'next_due_at', 'risk_level', 'closed_at', 'created_at', 'updated_at',
    ]),
    intake: new RowBatch(client, 'intakes', [
      'id', 'case_id', 'channel', 'medium', 'received_at', 'recorded_by', 'source_org_id', 'child_name', 'child_birth_date', 'child_estimated_age', 'child_sex',
      'residence_org_id', 'description', 'current_condition', 'immediate_danger', 'reporter_consented', 'reporter_relation', 'reporter_name', 'reporter_phone',
    ]),
    category: new RowBatch(client, 'case_categories', ['case_id', 'code']),
    timeline: new RowBatch(client, 'case_timeline', ['id', 'case_id', 'at', 'actor_user_id', 'actor_role', 'kind', 'event_type', 'from_state', 'to_state', 'detail']),
    assignment: new RowBatch(client, 'case_assignments', ['case_id', 'user_id', 'assigned_by', 'started_at']),
    fact: new RowBatch(client, 'stats_facts', ['source', 'source_id', 'unit_org_id', 'payload']),
  };
  // FTS5 writes out its pending words as a new segment whenever a later statement of the
  // transaction opens a statement journal, as every multi-row INSERT does: the month's search rows
  // go in last, one to a statement, so the month's words go out as one segment (bench/seed/bulk.ts),
  // not as a small segment per 64 cases.
  const insertSearch = client.prepare('INSERT INTO case_search (rowid, reference, names, body, local_names, local_body) VALUES (?, ?, ?, ?, ?, ?)');
  let searchRows: unknown[][] = [];
  const foldedNames = new Map<string, string>();
  const foldedBodies = new Map<string, string>();
  const cached = (cache: Map<string, string>, key: string, make: () => string): string => {
    let found = cache.get(key);
    if (found === undefined) cache.set(key, (found = make()));
    return found;
  };

  const lastCaseOf = new Map<number, number>();
  const lastChildOf = new Map<number, ChildRow>();
  const years = new Map<number, number>();
  let caseId = 0;
  let childId = 0;
  let timelineId = 0;

  function seedCase(receivedMs: number): void {
    const commune = communes.draw(rnd);
    const worker = staff.workerOf(commune.id);
    const chair = staff.chairOf(commune.id);
    const channel = CHANNELS.draw(rnd);
    const receivedAt = new Date(receivedMs).toISOString();
    const year = vietnamYear(receivedAt);
    const sequence = (years.get(year) ?? 0) + 1;
    years.set(year, sequence);
    caseId += 1;
    const id = caseId;
    const reference = formatReference(year, sequence);
    const school = channel === 'teacher' || rnd() < 0.5 ? pick(rnd, commune.schools) : null;
    const sourceOrgId = channel === 'teacher' ? school : channel === 'hotline' || channel === 'api' ? tree.hotline : null;
    const creator: { context: AuditContext; userId: number | null } =
      channel === 'hotline' ? staff.operator(rnd) : channel === 'other' ? worker : channel === 'api' ? staff.apiKey : staff.system;

    // The child: someone already known here now and then (a repeat report), else as the report describes them.
    const known = rnd() < 0.08 ? lastChildOf.get(commune.id) : undefined;
    const sex: 'male' | 'female' = known?.sex ?? (rnd() < 0.52 ? 'female' : 'male');
    const age = AGES.draw(rnd);
    const birthKnown = known ? known.birthDate !== null : rnd() < 0.7;
    const birthDate = known ? known.birthDate : birthKnown ? `${year - age - 1}-${String(between(rnd, 1, 12)).padStart(2, '0')}-${String(between(rnd, 1, 28)).padStart(2, '0')}` : null;
    const childName = known?.name ?? vietnameseName(rnd, sex);
    const estimatedAge = birthDate === null ? (known?.estimatedBirthYear ? year - known.estimatedBirthYear : age) : null;

    const chosen = categories.draw(rnd);
    const codes = [pick(rnd, chosen)];
    if (rnd() < 0.25) {
      const second = pick(rnd, categories.draw(rnd));
      if (second.code !== codes[0]?.code) codes.push(second);
    }
    const sensitive = codes.some((code) => code.sensitive);
    const text = reportText(rnd, codes[0]?.group ?? 'abuse');
    const reporter = reporterOf(rnd);

    // The journey so far: everything planned up to today happened.
    const journey = planJourney(rnd, receivedMs, lastCaseOf.get(commune.id) ?? null).filter((event) => event.ms <= nowMs);
    lastCaseOf.set(commune.id, id);
    const template = templates.get(journey);
    const eventsAt = journey.map((event) => new Date(event.ms).toISOString());
    const intoCaseId = journey.find((event) => event.intoCaseId !== undefined)?.intoCaseId ?? null;
    const values = { orgId: commune.id, receivedAt, eventsAt, intoCaseId };
    const context = contextOf(template, values);
    const state: CaseState = template.state;
    const deadlines = deadlinesFor(state, context, holidays);
    const taken = journey[0];
    const merging = journey.some((event) => event.type === 'MARK_DUPLICATE');
    const linkMs = taken && !merging && taken.ms + 5 * MINUTE <= nowMs ? taken.ms + 5 * MINUTE : null;

    let child: ChildRow | null = null;
    if (linkMs !== null) {
      if (known) child = known;
      else {
        childId += 1;
        child = { id: childId, name: childName, sex, birthDate, estimatedBirthYear: birthDate === null ? year - age : null, schoolOrgId: school };
        insert.child.add(child.id, child.name, cached(foldedNames, child.name, () => foldVietnamese(childName)), child.birthDate, child.estimatedBirthYear, sex, commune.id, school, worker.userId, new Date(linkMs).toISOString());
        lastChildOf.set(commune.id, child);
      }
    }
    const assessed = journey.some((event) => ASSESSED.has(event.type));
    const risk = assessed ? RISKS.draw(rnd) : null;
    const lastMs = Math.max(receivedMs, linkMs ?? 0, journey.at(-1)?.ms ?? 0);
    const closedAt = state === 'closed' || state === 'merged' ? (eventsAt.at(-1) ?? null) : null;
    insert.case.add(
      id,
      reference,
      commune.id,
      child?.id ?? null,
      taken ? worker.userId : null,
      channel,
      state,
      persistedSnapshot(template, values),
      1,
      1 + journey.length + (linkMs === null ? 0 : 1),
      sensitive ? 1 : 0,
      context.emergencyDeclaredAt !== null ? 1 : 0,
      receivedAt,
      deadlines.emergencyDueAt,
      deadlines.planDueAt,
      deadlines.nextDueAt,
      risk,
      closedAt,
      receivedAt,
      new Date(lastMs).toISOString(),
    );
    insert.intake.add(
      id,
      id,
      channel,
      MEDIUM[channel],
      receivedAt,
      channel === 'hotline' ? creator.userId : null,
      sourceOrgId,
      childName,
      birthDate,
      estimatedAge,
      sex,
      commune.id,
      text.description,
      text.condition,
      context.emergencyDeclaredAt !== null && rnd() < 0.6 ? 1 : 0,
      reporter.consented ? 1 : 0,
      reporter.relation,
      reporter.name,
      reporter.phone,
    );
    for (const code of codes) insert.category.add(id, code.code);

    // Timeline, assignment and audit, in the order things happened.
    timelineId += 1;
    insert.timeline.add(timelineId, id, receivedAt, creator.userId, creator.context.actorRole, 'intake', null, null, 'intake', JSON.stringify({ channel }));
    audit.add(receivedMs, creator.context, 'case.create', 'case', id);
    if (taken) insert.assignment.add(id, worker.userId, worker.userId, eventsAt[0]);
    let linked = linkMs === null;
    const linkChild = (): void => {
      linked = true;
      if (!child || linkMs === null) return;
      const kind = known ? 'child_link' : 'child_confirm';
      timelineId += 1;
      insert.timeline.add(timelineId, id, new Date(linkMs).toISOString(), worker.userId, worker.context.actorRole, kind, null, null, null, JSON.stringify({ childId: child.id }));
      audit.add(linkMs, worker.context, `case.${kind}`, 'case', id);
    };
    let fromState: CaseState = 'intake';
    const stateEvents: CaseRecord['events'][number][] = [];
    journey.forEach((event, i) => {
      const at = eventsAt[i] as string;
      if (!linked && (linkMs as number) < event.ms) linkChild();
      const toState = template.states[i] as CaseState;
      const actor = DECISIONS_BY_CHAIR.has(event.type) ? chair : worker;
      const detail = event.reason !== undefined ? { reason: event.reason } : event.comment !== undefined ? { comment: event.comment } : event.intoCaseId !== undefined ? { intoCaseId: event.intoCaseId } : null;
      timelineId += 1;
      insert.timeline.add(timelineId, id, at, actor.userId, actor.context.actorRole, 'state_change', event.type, fromState, toState, detail === null ? null : JSON.stringify(detail));
      audit.add(event.ms, actor.context, `case.event.${event.type}`, 'case', id);
      stateEvents.push({ at, type: event.type, fromState, toState });
      fromState = toState;
    });
    if (!linked) linkChild();
    // The worker opens the case file a few times while working on it.
    const views = journey.length === 0 ? 0 : 1 + Math.floor(rnd() * 2);
    for (let v = 0; v < views; v += 1) audit.add(Math.min(nowMs, (taken?.ms ?? receivedMs) + (v + 1) * 37 * MINUTE), worker.context, 'case.view', 'case', id);

    const searchReference = foldVietnamese(reference);
    const searchNames = cached(foldedNames, child && child.name !== childName ? `${childName}\n${child.name}` : childName, () => folded([childName, child?.name]));
    const searchBody = cached(foldedBodies, `${text.description}\n${text.condition}`, () => folded([text.description, text.condition]));
    searchRows.push([
      id,
      searchReference,
      searchNames,
      searchBody,
      ...localColumns(commune.id, searchReference, searchNames, searchBody),
    ]);

    const record: CaseRecord = {
      orgId: commune.id,
      channel,
      state,
      riskLevel: risk,
      receivedAt,
      closedAt,
      closureKind: context.closureKind,
      sourceOrgId,
      childSchoolOrgId: child?.schoolOrgId ?? null,
      sex,
      birthDate: birthDate ?? child?.birthDate ?? null,
      estimatedAge,
      estimatedBirthYear: child?.estimatedBirthYear ?? null,
      categories: codes.map((code) => code.code),
      flagCreatedAt: null,
      events: stateEvents,
    };
    const fact = deriveCaseFact(record, factContext);
    const payload = JSON.stringify(fact);
    insert.fact.add('case', id, fact.unitOrgId, payload);
    monthFacts.push(payload);
  }

  const counts = monthlyCounts(input.total);
  for (let m = 0; m < MONTHS; m += 1) {
    const from = startMs + m * MONTH_MS;
    const until = Math.min(startMs + (m + 1) * MONTH_MS, nowMs);
    const times = Array.from({ length: counts[m] ?? 0 }, () => Math.floor(from + rnd() * (until - from))).sort((a, b) => a - b);
    offload.audit(audit.takeBefore(from));
    client.transaction(() => {
      for (const ms of times) seedCase(ms);
      for (const rows of Object.values(insert)) rows.flush();
      for (const row of searchRows) insertSearch.run(row);
    })();
    offload.facts(monthFacts);
    monthFacts = [];
    searchRows = [];
    input.onMonth?.(m, caseId);
  }
  offload.audit(audit.takeAll());
  client.transaction(() => {
    const sequences = client.prepare('INSERT INTO case_sequences (year, last) VALUES (?, ?)');
    for (const [year, last] of years) sequences.run(year, last);
  })();
  return { cases: caseId, children: childId, timelineRows: timelineId, years, templates: templates.size };
}
