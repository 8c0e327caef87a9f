/**
 * What the printed forms say, read straight from the casework tables with small typed queries.
 * Anything not recorded yet comes back null, and the form prints a dotted blank in its place.
 */
import { sql } from 'drizzle-orm';
import { RISK_ITEMS } from '../casework/assessments/risk.js';
import { PLAN_MEASURE_KINDS } from '../casework/plans/measures.js';
import { ageOf, findChild } from '../children/repository.js';
import type { CaseRow } from '../cases/repository.js';
import type { DbOrTx } from '../db/client.js';
import { formatDate } from '../i18n/dates.js';
import { translate } from '../i18n/i18n.js';
import type { MessageKey } from '../i18n/vi.js';
import { birthFromIntake, categoryNamesByCase, findIntakeForCase, organisationNames, timelineOf, userDisplayName, type IntakeRow } from '../triage/case-facts.js';
import type { PrintForm } from './forms.js';

type Rating = 'high' | 'medium' | 'low';

export interface PrintChild {
  name: string | null;
  birthDate: string | null;
  age: number | null;
  ageEstimated: boolean;
  sex: 'male' | 'female' | null;
  residence: string | null;
}

export interface PrintAssessment {
  items: { label: string; rating: Rating; note: string }[];
  overallRisk: Rating;
  summary: string | null;
  needs: string | null;
  outcome: 'close' | 'replan' | null;
  createdAt: string;
  authorName: string | null;
}

export interface PrintMeeting {
  heldAt: string;
  participants: string;
  minutes: string;
}

export interface PrintPlan {
  version: number;
  goals: string;
  status: string;
  createdAt: string;
  submittedAt: string | null;
  decidedAt: string | null;
  decisionNumber: string | null;
  authorName: string | null;
  deciderName: string | null;
  measures: { kind: string; description: string; responsibleOrg: string | null; responsiblePerson: string | null; startsOn: string | null; endsOn: string | null }[];
}

export interface PrintEmergencyMeasure {
  takenAt: string | null;
  measures: string;
  temporarySeparation: boolean;
  placeOfCare: string | null;
}

/** What every form shows: the case, the commune that issues the form and the child it is about. */
export interface PrintCase {
  caseRow: CaseRow;
  commune: string;
  intake: IntakeRow | null;
  child: PrintChild;
  categories: string[];
  assignedName: string | null;
  /** Organisation names for the ids the forms mention (intake source, residence, incident). */
  orgNames: Record<number, string>;
}

const ITEM_LABELS = new Map<string, MessageKey>(RISK_ITEMS.map((item) => [item.id, item.label]));
const MEASURE_LABELS = new Map<string, MessageKey>(PLAN_MEASURE_KINDS.map((kind) => [kind.id, kind.label]));

/** A stored code (a risk item, a kind of measure) as the form prints it: its Vietnamese label, or as written when unknown. */
function label(labels: ReadonlyMap<string, MessageKey>, code: string): string {
  const key = labels.get(code);
  return key ? translate('vi', key) : code;
}

/** A calendar date ('YYYY-MM-DD') as dd/mm/yyyy. */
function dateKey(key: string | null): string | null {
  return key ? formatDate(`${key}T00:00:00+07:00`) : null;
}

function childOf(db: DbOrTx, row: CaseRow, intake: IntakeRow | null, names: Map<number, string>, now: Date): PrintChild {
  const child = row.childId === null ? null : findChild(db, row.childId);
  const birth = child ? { birthDate: child.birthDate, estimatedBirthYear: child.estimatedBirthYear } : intake ? birthFromIntake(intake) : null;
  const residenceId = child?.residenceOrgId ?? intake?.residenceOrgId ?? null;
  return {
    name: child?.fullName ?? intake?.childName ?? null,
    birthDate: birth?.birthDate ?? null,
    age: birth ? ageOf(birth, now) : null,
    ageEstimated: Boolean(birth && !birth.birthDate),
    sex: child?.sex ?? intake?.childSex ?? null,
    residence: residenceId === null ? null : (names.get(residenceId) ?? null),
  };
}

export function loadPrintCase(db: DbOrTx, row: CaseRow, now: Date = new Date()): PrintCase {
  const intake = findIntakeForCase(db, row.id);
  const childResidence = row.childId === null ? null : (findChild(db, row.childId)?.residenceOrgId ?? null);
  const names = organisationNames(db, [row.orgId, childResidence, intake?.residenceOrgId, intake?.incidentOrgId, intake?.sourceOrgId]);
  return {
    caseRow: row,
    commune: names.get(row.orgId) ?? '',
    intake,
    child: childOf(db, row, intake, names, now),
    categories: categoryNamesByCase(db, [row.id], 'vi').get(row.id) ?? [],
    assignedName: userDisplayName(db, row.assignedUserId),
    orgNames: Object.fromEntries(names),
  };
}

function latestAssessment(db: DbOrTx, caseId: number, kind: 'initial' | 'detailed' | 'review'): PrintAssessment | null {
  const row = db.get<
    { items: string; overallRisk: Rating; summary: string | null; needs: string | null; outcome: 'close' | 'replan' | null; createdAt: string; authorName: string | null } | undefined
  >(sql`
    SELECT a.items, a.overall_risk AS overallRisk, a.summary, a.needs, a.outcome, a.created_at AS createdAt, u.display_name AS authorName
    FROM assessments a LEFT JOIN users u ON u.id = a.created_by
    WHERE a.case_id = ${caseId} AND a.kind = ${kind}
    ORDER BY a.created_at DESC, a.id DESC LIMIT 1`);
  if (!row) return null;
  const items = JSON.parse(row.items) as { item: string; rating: Rating; note: string }[];
  return { ...row, items: items.map((entry) => ({ label: label(ITEM_LABELS, entry.item), rating: entry.rating, note: entry.note })) };
}

function latestMeeting(db: DbOrTx, caseId: number): PrintMeeting | null {
  return (
    db.get<PrintMeeting | undefined>(sql`
      SELECT held_at AS heldAt, participants, minutes FROM needs_meetings
      WHERE case_id = ${caseId} ORDER BY held_at DESC, id DESC LIMIT 1`) ?? null
  );
}

/** The latest plan version, or the latest approved one (the plan a decision approves, the plan a review reviews). */
function latestPlan(db: DbOrTx, caseId: number, approvedOnly: boolean): PrintPlan | null {
  const plan = db.get<(Omit<PrintPlan, 'measures'> & { id: number }) | undefined>(sql`
    SELECT p.id, p.version, p.goals, p.status, p.created_at AS createdAt, p.submitted_at AS submittedAt, p.decided_at AS decidedAt,
           p.decision_number AS decisionNumber, author.display_name AS authorName, decider.display_name AS deciderName
    FROM plans p
    LEFT JOIN users author ON author.id = p.created_by
    LEFT JOIN users decider ON decider.id = p.decided_by
    WHERE p.case_id = ${caseId} ${approvedOnly ? sql`AND p.status = 'approved'` : sql``}
    ORDER BY p.version DESC LIMIT 1`);
  if (!plan) return null;
  const measures = db.all<PrintPlan['measures'][number]>(sql`
    SELECT m.kind, m.description, o.name AS responsibleOrg, m.responsible_person AS responsiblePerson, m.starts_on AS startsOn, m.ends_on AS endsOn
    FROM plan_measures m LEFT JOIN organisations o ON o.id = m.responsible_org_id
    WHERE m.plan_id = ${plan.id} ORDER BY m.id`);
  const { id: _id, ...rest } = plan;
  return {
    ...rest,
    measures: measures.map((measure) => ({ ...measure, kind: label(MEASURE_LABELS, measure.kind), startsOn: dateKey(measure.startsOn), endsOn: dateKey(measure.endsOn) })),
  };
}

/**
 * Emergency measures as recorded in their table; for cases from before that table was filled, the
 * measures written on the timeline with the RECORD_EMERGENCY_MEASURES event.
 */
function emergencyMeasuresOf(db: DbOrTx, caseId: number): PrintEmergencyMeasure[] {
  const recorded = db.all<Omit<PrintEmergencyMeasure, 'temporarySeparation'> & { temporarySeparation: number }>(sql`
    SELECT taken_at AS takenAt, measures, temporary_separation AS temporarySeparation, place_of_care AS placeOfCare
    FROM emergency_measures WHERE case_id = ${caseId} ORDER BY taken_at, id`);
  if (recorded.length > 0) return recorded.map((measure) => ({ ...measure, temporarySeparation: Boolean(measure.temporarySeparation) }));
  return timelineOf(db, caseId).flatMap((entry) => {
    const measures = entry.detail?.measures;
    if (entry.eventType !== 'RECORD_EMERGENCY_MEASURES' || typeof measures !== 'string') return [];
    const takenAt = entry.detail?.measuresTakenAt;
    return [{ takenAt: typeof takenAt === 'string' ? takenAt : entry.at, measures, temporarySeparation: entry.detail?.separation === true, placeOfCare: null }];
  });
}

/** The records one form prints, besides the case itself. */
export function loadFormData(db: DbOrTx, form: PrintForm, row: CaseRow): Record<string, unknown> {
  switch (form) {
    case 'mau-01':
      return { recordedByName: userDisplayName(db, findIntakeForCase(db, row.id)?.recordedBy ?? null) };
    case 'mau-02':
      return { assessment: latestAssessment(db, row.id, 'initial') };
    case 'mau-03':
      return { assessment: latestAssessment(db, row.id, 'detailed'), meeting: latestMeeting(db, row.id) };
    case 'mau-04':
      return { plan: latestPlan(db, row.id, false) };
    case 'mau-05':
      return { plan: latestPlan(db, row.id, true) ?? latestPlan(db, row.id, false) };
    case 'mau-06':
      return { assessment: latestAssessment(db, row.id, 'review'), plan: latestPlan(db, row.id, true) };
    case 'mau-07':
      return { measures: emergencyMeasuresOf(db, row.id) };
  }
}
