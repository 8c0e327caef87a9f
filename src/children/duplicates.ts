/**
 * Finds the children and open cases an intake may be about, among those of the case's commune that the
 * actor may see, so the worker links the concern to the child's record instead of opening a second
 * one. SQL narrows the rows by folded name and by permission; src/intake/duplicate-match.ts scores
 * what is left.
 */
import { sql, type SQL } from 'drizzle-orm';
import { dateKeyInVietnam } from '../calendar/working-days.js';
import type { CaseRow } from '../cases/repository.js';
import { OPEN_STATES, type CaseState } from '../cases/workflow/machine.js';
import type { DbOrTx } from '../db/client.js';
import { limitRows } from '../db/paging.js';
import {
  candidateSearchKeys,
  rankCandidates,
  type CandidateChild,
  type IncomingChild,
  type MatchReason,
  type Sex,
} from '../intake/duplicate-match.js';
import type { Actor } from '../permissions/actor.js';
import { localNamesMatch } from '../search/match.js';
import { birthFromIntake, type Birth, type IntakeRow } from '../triage/case-facts.js';

// Enough to rank every plausible match in a province; the name keys make larger sets unlikely.
const CHILD_ROWS_LIMIT = 200;
// Unlinked intakes are matched in code (their names are not folded in SQL), so only recent ones are read.
const UNLINKED_CASES_LIMIT = 500;

export interface OpenCaseRef {
  id: number;
  reference: string;
  state: CaseState;
}

export interface DuplicateSuggestion {
  /** A child record, or an open case not yet linked to one (another report of the same child). */
  kind: 'child' | 'case';
  childId: number | null;
  name: string;
  birth: Birth;
  sex: Sex | null;
  communeName: string | null;
  reasons: MatchReason[];
  score: number;
  /** Open cases about this child that the actor may see (for kind 'case', the case itself). */
  openCases: OpenCaseRef[];
}

interface Candidate extends CandidateChild {
  suggestion: Omit<DuplicateSuggestion, 'reasons' | 'score'>;
}

export interface DuplicateQuery {
  caseRow: CaseRow;
  intake: IntakeRow;
  actor: Actor;
  /** The 'case.read' rules for the actor over the `cases` table: what the actor may see. */
  caseScope: SQL;
}

const OPEN = sql.join(OPEN_STATES.map((state) => sql`${state}`), sql`, `);

function yearOf(dateKey: string): number {
  return Number(dateKey.slice(0, 4));
}

function estimatedAgeAt(birth: Birth, referenceYear: number): number | null {
  return birth.estimatedBirthYear === null ? null : referenceYear - birth.estimatedBirthYear;
}

/**
 * Children whose folded name holds every search key, among the case's commune's children the actor may
 * see: children of the commune's cases in the actor's scope, and pupils on the rosters of the commune's
 * schools in the actor's subtree. The commune, and not the actor's whole scope, because a province
 * supervisor's scope holds about 150,000 children at national scale (1.2 s a page). A report is
 * routed to the child's commune, so that is where an earlier record of the child is. The commune's
 * cases are found by name in the search index's local words, not by reading each child's record:
 * a commune's 2,000 children, each on a page of its own, took 18 ms.
 */
function childCandidates(db: DbOrTx, query: DuplicateQuery, referenceYear: number): Candidate[] {
  const keys = candidateSearchKeys(query.intake.childName);
  if (keys.length === 0) return [];
  // Keys are letters and digits only (nameTokens), so they cannot carry LIKE wildcards.
  const nameMatches = keys.map((key) => sql`(' ' || children.name_folded || ' ') LIKE ${`% ${key} %`}`);
  const children = db.all<{
    id: number;
    fullName: string;
    birthDate: string | null;
    estimatedBirthYear: number | null;
    sex: Sex | null;
    residenceOrgId: number | null;
    communeName: string | null;
  }>(sql`
    SELECT children.id, children.full_name AS fullName, children.birth_date AS birthDate,
           children.estimated_birth_year AS estimatedBirthYear, children.sex, children.residence_org_id AS residenceOrgId,
           organisations.name AS communeName
    FROM children LEFT JOIN organisations ON organisations.id = children.residence_org_id
    WHERE ${sql.join(nameMatches, sql` AND `)}
      AND (children.id IN (SELECT cases.child_id FROM case_search JOIN cases ON cases.id = case_search.rowid
                           WHERE case_search MATCH ${localNamesMatch(query.caseRow.orgId, keys)}
                             AND cases.child_id IS NOT NULL AND cases.org_id = ${query.caseRow.orgId} AND ${query.caseScope})
           OR children.school_org_id IN (SELECT commune.descendant_id FROM org_closure commune
                                         JOIN org_closure actor ON actor.descendant_id = commune.descendant_id
                                         WHERE commune.ancestor_id = ${query.caseRow.orgId} AND actor.ancestor_id = ${query.actor.orgId}))
    ORDER BY children.id
    ${limitRows(CHILD_ROWS_LIMIT)}`);
  const openCases = openCasesOf(db, query, children.map((child) => child.id));
  return children.map((child) => {
    const birth = { birthDate: child.birthDate, estimatedBirthYear: child.estimatedBirthYear };
    return {
      id: child.id,
      name: child.fullName,
      birthDate: child.birthDate,
      estimatedAge: estimatedAgeAt(birth, referenceYear),
      sex: child.sex,
      communeOrgId: child.residenceOrgId,
      suggestion: {
        kind: 'child',
        childId: child.id,
        name: child.fullName,
        birth,
        sex: child.sex,
        communeName: child.communeName,
        openCases: openCases.get(child.id) ?? [],
      },
    };
  });
}

function openCasesOf(db: DbOrTx, query: DuplicateQuery, childIds: readonly number[]): Map<number, OpenCaseRef[]> {
  const byChild = new Map<number, OpenCaseRef[]>();
  if (childIds.length === 0) return byChild;
  const rows = db.all<OpenCaseRef & { childId: number }>(sql`
    SELECT cases.id, cases.reference, cases.state, cases.child_id AS childId FROM cases
    WHERE cases.child_id IN (${sql.join(childIds.map((id) => sql`${id}`), sql`, `)})
      AND cases.state IN (${OPEN}) AND cases.id <> ${query.caseRow.id} AND ${query.caseScope}
    ORDER BY cases.received_at DESC`);
  for (const { childId, ...ref } of rows) byChild.set(childId, [...(byChild.get(childId) ?? []), ref]);
  return byChild;
}

/** Other open reports in the case's commune not yet linked to a child: a teacher's flag and a hotline call about one child. */
function unlinkedCaseCandidates(db: DbOrTx, query: DuplicateQuery, referenceYear: number): Candidate[] {
  const rows = db.all<{
    id: number;
    reference: string;
    state: CaseState;
    orgId: number;
    communeName: string;
    childName: string;
    childBirthDate: string | null;
    childEstimatedAge: number | null;
    childSex: Sex | null;
    receivedAt: string;
  }>(sql`
    SELECT cases.id, cases.reference, cases.state, cases.org_id AS orgId, organisations.name AS communeName,
           intakes.child_name AS childName, intakes.child_birth_date AS childBirthDate,
           intakes.child_estimated_age AS childEstimatedAge, intakes.child_sex AS childSex, intakes.received_at AS receivedAt
    FROM cases JOIN intakes ON intakes.case_id = cases.id JOIN organisations ON organisations.id = cases.org_id
    -- The unary + keeps SQLite off the child_id index, whose unlinked entries are reports from the whole
    -- country, mostly merged ones (30,000 at a million cases: 125 ms); it reads the commune's open cases
    -- instead (2.5 ms).
    WHERE +cases.child_id IS NULL AND cases.org_id = ${query.caseRow.orgId} AND cases.state IN (${OPEN}) AND cases.id <> ${query.caseRow.id}
      AND ${query.caseScope}
    ORDER BY cases.received_at DESC
    ${limitRows(UNLINKED_CASES_LIMIT)}`);
  return rows.map((row) => {
    const birth = birthFromIntake(row);
    return {
      id: row.id,
      name: row.childName,
      birthDate: row.childBirthDate,
      estimatedAge: estimatedAgeAt(birth, referenceYear),
      sex: row.childSex,
      communeOrgId: row.orgId,
      suggestion: {
        kind: 'case',
        childId: null,
        name: row.childName,
        birth,
        sex: row.childSex,
        communeName: row.communeName,
        openCases: [{ id: row.id, reference: row.reference, state: row.state }],
      },
    };
  });
}

/** The best matches for the intake's child, best first, each with the reasons that explain its rank. */
export function suggestDuplicates(db: DbOrTx, query: DuplicateQuery, limit = 5): DuplicateSuggestion[] {
  const { intake, caseRow } = query;
  const referenceDate = dateKeyInVietnam(new Date(intake.receivedAt));
  const referenceYear = yearOf(referenceDate);
  const incoming: IncomingChild = {
    name: intake.childName,
    birthDate: intake.childBirthDate,
    estimatedAge: intake.childEstimatedAge,
    sex: intake.childSex,
    communeOrgId: caseRow.orgId,
    referenceDate,
  };
  const candidates = [...childCandidates(db, query, referenceYear), ...unlinkedCaseCandidates(db, query, referenceYear)];
  return rankCandidates(incoming, candidates, limit).map(({ candidate, reasons, score }) => ({ ...candidate.suggestion, reasons, score }));
}
