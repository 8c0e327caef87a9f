/**
 * The statistical facts of a case, a flag or a call: where and when it counts, and the coded
 * attributes the tables and indicators read. Derived from the source tables by pure functions (so
 * the benchmark and the tests can make facts without a database), loaded by small queries.
 */
import { sql } from 'drizzle-orm';
import { addWorkingDays, dateKeyInVietnam, workingDaysBetween, type DateKey } from '../calendar/working-days.js';
import { EMERGENCY_CLOCK_MS, PLAN_WORKING_DAYS } from '../cases/deadlines.js';
import type { IntakeChannel } from '../cases/schema.js';
import type { DbOrTx } from '../db/client.js';
import type { CallType } from '../hotline/schema.js';
import type { OrgKind } from '../orgs/schema.js';
import type { TaxonomyGroupKind } from '../taxonomy/seed-data.js';
import { ageBandOf, stageOf, type AgeBand, type Level, type Outcome, type Risk, type SexKey, type Stage } from './dimensions.js';
import { monthKeyOf, type MonthKey } from './periods.js';

export interface CaseFact {
  kind: 'case';
  unitOrgId: number;
  level: Level;
  month: MonthKey;
  channel: IntakeChannel;
  stage: Stage;
  risk: Risk;
  ageBand: AgeBand;
  sex: SexKey;
  /** Top-level taxonomy codes, and the groups they belong to. */
  categories: string[];
  groups: TaxonomyGroupKind[];
  closure: { month: MonthKey; outcome: Outcome } | null;
  /** A teacher's flag to the first decision on the intake, in hours. */
  triage: { month: MonthKey; hours: number } | null;
  emergencies: { month: MonthKey; inTime: boolean }[];
  plans: { month: MonthKey; inTime: boolean }[];
  approvals: { month: MonthKey; firstTime: boolean }[];
  closures: { month: MonthKey; days: number; reopened: boolean }[];
}

export interface FlagFact {
  kind: 'flag';
  unitOrgId: number;
  level: Level;
  month: MonthKey;
  status: string;
  groups: TaxonomyGroupKind[];
}

export interface CallFact {
  kind: 'call';
  unitOrgId: number;
  level: Level;
  month: MonthKey;
  callType: CallType;
}

export type Fact = CaseFact | FlagFact | CallFact;

/** What statistics need from a case and its records, nothing more. */
export interface CaseRecord {
  orgId: number;
  channel: IntakeChannel;
  state: string;
  riskLevel: 'high' | 'medium' | 'low' | null;
  receivedAt: string;
  closedAt: string | null;
  closureKind: 'resolved' | 'unfounded' | null;
  sourceOrgId: number | null;
  childSchoolOrgId: number | null;
  sex: 'male' | 'female' | null;
  birthDate: string | null;
  /** The age the intake gave, when no date of birth was known. */
  estimatedAge: number | null;
  estimatedBirthYear: number | null;
  categories: readonly string[];
  flagCreatedAt: string | null;
  /** State changes, oldest first. */
  events: readonly { at: string; type: string; fromState: string | null; toState: string | null }[];
}

export interface FactContext {
  now: Date;
  holidays: ReadonlySet<DateKey>;
  orgKind(orgId: number): OrgKind | undefined;
  /** The top-level code and group of a taxonomy code. */
  category(code: string): { top: string; group: TaxonomyGroupKind } | undefined;
}

const SCHOOL_KINDS: ReadonlySet<OrgKind> = new Set(['school', 'childcare_group']);
const DAY_MS = 86_400_000;
/** "Reopened within 6 months" of a closure. */
const REOPEN_WINDOW_MS = 183 * DAY_MS;

/** A case counts at the school that raised it or that the child attends, else at its commune. */
export function countingUnit(record: Pick<CaseRecord, 'orgId' | 'sourceOrgId' | 'childSchoolOrgId'>, context: Pick<FactContext, 'orgKind'>): { unitOrgId: number; level: Level } {
  for (const candidate of [record.sourceOrgId, record.childSchoolOrgId]) {
    const kind = candidate === null ? undefined : context.orgKind(candidate);
    if (candidate !== null && kind && SCHOOL_KINDS.has(kind)) return { unitOrgId: candidate, level: 'school' };
  }
  return { unitOrgId: record.orgId, level: 'commune' };
}

function ageAt(record: CaseRecord): number | null {
  const received = dateKeyInVietnam(new Date(record.receivedAt));
  if (record.birthDate) {
    const years = Number(received.slice(0, 4)) - Number(record.birthDate.slice(0, 4));
    return received.slice(5) < record.birthDate.slice(5, 10) ? years - 1 : years;
  }
  if (record.estimatedAge !== null) return record.estimatedAge;
  return record.estimatedBirthYear === null ? null : Number(received.slice(0, 4)) - record.estimatedBirthYear;
}

const ms = (iso: string): number => Date.parse(iso);

/** Each episode begins at receipt or at a reopening; the 12-hour clock runs from there. */
function episodesOf(record: CaseRecord): { start: string; events: CaseRecord['events'] }[] {
  const episodes: { start: string; events: CaseRecord['events'][number][] }[] = [{ start: record.receivedAt, events: [] }];
  for (const event of record.events) {
    if (event.type === 'REOPEN') episodes.push({ start: event.at, events: [] });
    else episodes.at(-1)?.events.push(event);
  }
  return episodes;
}

function emergencyOutcomes(record: CaseRecord, now: Date): CaseFact['emergencies'] {
  const outcomes: CaseFact['emergencies'] = [];
  for (const episode of episodesOf(record)) {
    if (!episode.events.some((event) => event.type === 'DECLARE_EMERGENCY')) continue;
    const due = ms(episode.start) + EMERGENCY_CLOCK_MS;
    const measures = episode.events.find((event) => event.type === 'RECORD_EMERGENCY_MEASURES');
    // Not judged while the 12 hours still run and nothing is recorded: neither late nor in time yet.
    if (!measures && now.getTime() <= due) continue;
    outcomes.push({ month: monthKeyOf(episode.start), inTime: Boolean(measures && ms(measures.at) <= due) });
  }
  return outcomes;
}

function planOutcomes(record: CaseRecord, context: FactContext): CaseFact['plans'] {
  const outcomes: CaseFact['plans'] = [];
  record.events.forEach((event, i) => {
    if (event.toState !== 'planning' || event.fromState === 'planning') return;
    const submitted = record.events.slice(i + 1).find((later) => later.type === 'SUBMIT_PLAN');
    const start = new Date(event.at);
    if (!submitted && context.now <= addWorkingDays(start, PLAN_WORKING_DAYS, context.holidays)) return;
    const inTime = Boolean(submitted && workingDaysBetween(start, new Date(submitted.at), context.holidays) <= PLAN_WORKING_DAYS);
    outcomes.push({ month: monthKeyOf(event.at), inTime });
  });
  return outcomes;
}

/** Each planning round (after the assessment, or after a review sent the case back) and its first decision. */
function approvalOutcomes(record: CaseRecord): CaseFact['approvals'] {
  const outcomes: CaseFact['approvals'] = [];
  record.events.forEach((event, i) => {
    if (event.type !== 'COMPLETE_ASSESSMENT' && event.type !== 'REPLAN') return;
    const decision = record.events.slice(i + 1).find((later) => later.type === 'APPROVE_PLAN' || later.type === 'REJECT_PLAN');
    if (decision) outcomes.push({ month: monthKeyOf(decision.at), firstTime: decision.type === 'APPROVE_PLAN' });
  });
  return outcomes;
}

function closureOutcomes(record: CaseRecord): CaseFact['closures'] {
  const reopenings = record.events.filter((event) => event.type === 'REOPEN').map((event) => ms(event.at));
  return episodesOf(record).flatMap(({ start, events }) =>
    events
      .filter((event) => event.type === 'APPROVE_CLOSURE' || event.type === 'CLOSE_UNFOUNDED')
      .map((event) => ({
        month: monthKeyOf(event.at),
        days: Math.max(0, Math.floor((ms(event.at) - ms(start)) / DAY_MS)),
        reopened: reopenings.some((at) => at > ms(event.at) && at <= ms(event.at) + REOPEN_WINDOW_MS),
      })),
  );
}

function currentClosure(record: CaseRecord): CaseFact['closure'] {
  if (!record.closedAt) return null;
  if (record.state === 'merged') return { month: monthKeyOf(record.closedAt), outcome: 'merged' };
  if (record.state !== 'closed') return null;
  return { month: monthKeyOf(record.closedAt), outcome: record.closureKind ?? 'resolved' };
}

function triageOf(record: CaseRecord): CaseFact['triage'] {
  if (!record.flagCreatedAt) return null;
  // The first decision on the intake: taken into verification, or declared an emergency at once.
  const first = record.events.find((event) => event.fromState === 'intake' && event.toState !== 'intake');
  if (!first) return null;
  return { month: monthKeyOf(first.at), hours: Math.max(0, (ms(first.at) - ms(record.flagCreatedAt)) / 3_600_000) };
}

export function deriveCaseFact(record: CaseRecord, context: FactContext): CaseFact {
  const categories = new Set<string>();
  const groups = new Set<TaxonomyGroupKind>();
  for (const code of record.categories) {
    const found = context.category(code);
    if (!found) continue;
    categories.add(found.top);
    groups.add(found.group);
  }
  return {
    kind: 'case',
    ...countingUnit(record, context),
    month: monthKeyOf(record.receivedAt),
    channel: record.channel,
    stage: stageOf(record.state),
    risk: record.riskLevel ?? 'none',
    ageBand: ageBandOf(ageAt(record)),
    sex: record.sex ?? 'unknown',
    categories: [...categories].sort(),
    groups: [...groups].sort(),
    closure: currentClosure(record),
    triage: triageOf(record),
    emergencies: emergencyOutcomes(record, context.now),
    plans: planOutcomes(record, context),
    approvals: approvalOutcomes(record),
    closures: closureOutcomes(record),
  };
}

/** The taxonomy's groups, loaded once per refresh, and organisation kinds, looked up as units come up (a country has tens of thousands). */
export function loadFactContext(db: DbOrTx, holidays: ReadonlySet<DateKey>, now: Date): FactContext {
  const kinds = new Map<number, OrgKind | undefined>();
  const kindOf = (id: number): OrgKind | undefined => {
    if (!kinds.has(id)) kinds.set(id, db.get<{ kind: OrgKind } | undefined>(sql`SELECT kind FROM organisations WHERE id = ${id}`)?.kind);
    return kinds.get(id);
  };
  const codes = new Map(
    db
      .all<{ code: string; top: string; grp: TaxonomyGroupKind }>(sql`
        SELECT t.code, coalesce(t.parent_code, t.code) AS top, t.group_kind AS grp FROM taxonomy_codes t`)
      .map((row) => [row.code, { top: row.top, group: row.grp }]),
  );
  return { now, holidays, orgKind: kindOf, category: (code) => codes.get(code) };
}

interface CaseRow {
  orgId: number;
  channel: IntakeChannel;
  state: string;
  riskLevel: CaseRecord['riskLevel'];
  receivedAt: string;
  closedAt: string | null;
  closureKind: string | null;
  sourceOrgId: number | null;
  childSchoolOrgId: number | null;
  sex: CaseRecord['sex'];
  birthDate: string | null;
  estimatedAge: number | null;
  estimatedBirthYear: number | null;
}

export function loadCaseRecord(db: DbOrTx, caseId: number): CaseRecord | null {
  const row = db.get<CaseRow | undefined>(sql`
    SELECT c.org_id AS orgId, c.channel, c.state, c.risk_level AS riskLevel, c.received_at AS receivedAt, c.closed_at AS closedAt,
      json_extract(c.snapshot, '$.context.closureKind') AS closureKind,
      i.source_org_id AS sourceOrgId, ch.school_org_id AS childSchoolOrgId,
      coalesce(i.child_sex, ch.sex) AS sex, coalesce(i.child_birth_date, ch.birth_date) AS birthDate,
      i.child_estimated_age AS estimatedAge, ch.estimated_birth_year AS estimatedBirthYear
    FROM cases c LEFT JOIN intakes i ON i.case_id = c.id LEFT JOIN children ch ON ch.id = c.child_id
    WHERE c.id = ${caseId}`);
  if (!row) return null;
  const categories = db.all<{ code: string }>(sql`SELECT code FROM case_categories WHERE case_id = ${caseId}`).map((r) => r.code);
  const flag = db.get<{ at: string | null }>(sql`SELECT min(created_at) AS at FROM flags WHERE case_id = ${caseId}`);
  const events = db.all<CaseRecord['events'][number]>(sql`
    SELECT at, event_type AS type, from_state AS fromState, to_state AS toState
    FROM case_timeline WHERE case_id = ${caseId} AND kind = 'state_change' AND event_type IS NOT NULL ORDER BY at, id`);
  return {
    ...row,
    closureKind: row.closureKind === 'resolved' || row.closureKind === 'unfounded' ? row.closureKind : null,
    categories,
    flagCreatedAt: flag.at,
    events,
  };
}

export function loadFlagFact(db: DbOrTx, flagId: number, context: FactContext): FlagFact | null {
  const row = db.get<{ schoolOrgId: number; createdAt: string; status: string } | undefined>(sql`
    SELECT school_org_id AS schoolOrgId, created_at AS createdAt, status FROM flags WHERE id = ${flagId}`);
  if (!row) return null;
  const groups = new Set<TaxonomyGroupKind>();
  for (const { code } of db.all<{ code: string }>(sql`SELECT code FROM flag_categories WHERE flag_id = ${flagId}`)) {
    const found = context.category(code);
    if (found) groups.add(found.group);
  }
  return { kind: 'flag', unitOrgId: row.schoolOrgId, level: 'school', month: monthKeyOf(row.createdAt), status: row.status, groups: [...groups].sort() };
}

/** A call about a case counts where the case counts; any other call at the hotline that took it. */
export function loadCallFact(db: DbOrTx, callId: number, context: FactContext): CallFact | null {
  const row = db.get<{ hotlineOrgId: number; receivedAt: string; callType: CallType; orgId: number | null; sourceOrgId: number | null; childSchoolOrgId: number | null } | undefined>(sql`
    SELECT h.hotline_org_id AS hotlineOrgId, h.received_at AS receivedAt, h.call_type AS callType,
      c.org_id AS orgId, i.source_org_id AS sourceOrgId, ch.school_org_id AS childSchoolOrgId
    FROM hotline_calls h LEFT JOIN cases c ON c.id = h.case_id LEFT JOIN intakes i ON i.case_id = c.id LEFT JOIN children ch ON ch.id = c.child_id
    WHERE h.id = ${callId}`);
  if (!row) return null;
  const unit = row.orgId === null ? { unitOrgId: row.hotlineOrgId, level: 'other' as const } : countingUnit({ ...row, orgId: row.orgId }, context);
  return { kind: 'call', ...unit, month: monthKeyOf(row.receivedAt), callType: row.callType };
}
