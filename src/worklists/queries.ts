/**
 * The lists behind each role's home page. Every query takes the permission scope as SQL over the
 * "cases" columns (request.scope(...) with CASE_COLUMNS) and applies it in the same statement, so a
 * worklist can never count or show a case the case page would refuse. Each list is paginated.
 */
import { sql, type SQL } from 'drizzle-orm';
import { dateKeyInVietnam } from '../calendar/working-days.js';
import { OPEN_STATES } from '../cases/workflow/machine.js';
import type { DbOrTx } from '../db/client.js';
import { limitRows } from '../db/paging.js';
import type { Actor } from '../permissions/actor.js';

export const WORKLIST_PAGE_SIZE = 25;
/** Case deadlines this close count as due soon. */
const CASE_DUE_SOON_MS = 48 * 3_600_000;
/** Services and follow-up visits this many days ahead count as due soon. */
const DATED_WORK_DUE_SOON_DAYS = 7;
const DAY_MS = 86_400_000;
/** Roles whose members carry a caseload, for the supervisor's team table. */
const CASEWORKER_ROLES = ['commune_worker', 'social_worker'] as const;

/** What a deadline in a worklist row is: the case's legal clock, a service to deliver, a follow-up visit. */
export type DueKind = 'deadline' | 'service' | 'follow_up';

export interface WorklistRow {
  id: number;
  reference: string;
  state: string;
  childName: string | null;
  riskLevel: 'high' | 'medium' | 'low' | null;
  emergency: boolean;
  dueAt: string | null;
  dueKind: DueKind;
}

export interface Page<T> {
  rows: T[];
  total: number;
  page: number;
  pages: number;
}

/** When the lists are drawn: the instant for case clocks, and Viet Nam calendar days for dated work. */
export interface Clock {
  now: string;
  dueSoonUntil: string;
  today: string;
  dueSoonUntilDay: string;
}

export function clockAt(now: Date): Clock {
  const ms = now.getTime();
  return {
    now: now.toISOString(),
    dueSoonUntil: new Date(ms + CASE_DUE_SOON_MS).toISOString(),
    today: dateKeyInVietnam(now),
    dueSoonUntilDay: dateKeyInVietnam(new Date(ms + DATED_WORK_DUE_SOON_DAYS * DAY_MS)),
  };
}

const OPEN = sql`cases.state IN (${sql.join(
  OPEN_STATES.map((state) => sql`${state}`),
  sql`, `,
)})`;

// The child's name is looked up for the rows of the page only (withChildNames), not for each row counted.
const ROW_COLUMNS = sql`cases.id, cases.reference, cases.state, cases.child_id AS childId, cases.risk_level AS riskLevel, cases.emergency`;
// A dated piece of work is due by the end of its day in Viet Nam: 23:59:59.999 at UTC+7.
const END_OF_VIETNAM_DAY = sql`'T16:59:59.999Z'`;

/** Case rows, one per case, with the case's own running deadline. */
function caseRows(where: SQL): SQL {
  return sql`SELECT ${ROW_COLUMNS}, cases.next_due_at AS dueAt, 'deadline' AS dueKind FROM cases WHERE ${where}`;
}

/**
 * Undelivered services and unmade visits of open cases, as rows with their due date. CROSS JOIN keeps
 * SQLite's join order: the open cases in scope first, then their services and visits by case. Started
 * from the due dates, a commune's worklist read the whole country's overdue services (85 ms with
 * 40,000 of them on the national file; 1 ms this way).
 */
function datedWorkRows(scope: SQL, dueOn: (column: SQL) => SQL): SQL {
  return sql`
    SELECT ${ROW_COLUMNS}, services.due_on || ${END_OF_VIETNAM_DAY} AS dueAt, 'service' AS dueKind
    FROM cases CROSS JOIN services ON services.case_id = cases.id
    WHERE services.implemented_on IS NULL AND ${dueOn(sql`services.due_on`)} AND ${OPEN} AND ${scope}
    UNION ALL
    SELECT ${ROW_COLUMNS}, follow_ups.due_on || ${END_OF_VIETNAM_DAY} AS dueAt, 'follow_up' AS dueKind
    FROM cases CROSS JOIN follow_ups ON follow_ups.case_id = cases.id
    WHERE follow_ups.visited_on IS NULL AND ${dueOn(sql`follow_ups.due_on`)} AND ${OPEN} AND ${scope}`;
}

/**
 * One page of the rows, in order, and how many there are in all. The count is a window over the rows
 * the ORDER BY sorts anyway, so the joins and permission checks run once; only a page past the end,
 * with no row to carry it, is counted on its own. `around` may wrap the page's SELECT, to add what
 * only the rows shown need.
 */
function paged<T extends object>(db: DbOrTx, rowsSql: SQL, order: SQL, page: number, around = (pageSql: SQL): SQL => pageSql): Page<T> {
  const pageSql = sql`SELECT *, count(*) OVER () AS total FROM (${rowsSql}) ORDER BY ${order} ${limitRows(WORKLIST_PAGE_SIZE, (page - 1) * WORKLIST_PAGE_SIZE)}`;
  const found = db.all<T & { total: number }>(around(pageSql));
  const total = found[0]?.total ?? (page === 1 ? 0 : db.get<{ total: number }>(sql`SELECT count(*) AS total FROM (${rowsSql})`).total);
  const rows = found.map(({ total: _total, ...row }) => row as T);
  return { rows, total, page, pages: Math.max(1, Math.ceil(total / WORKLIST_PAGE_SIZE)) };
}

function pagedCases(db: DbOrTx, rowsSql: SQL, order: SQL, page: number): Page<WorklistRow> {
  const withChildNames = (pageSql: SQL): SQL => sql`
    SELECT shown.*, coalesce((SELECT full_name FROM children WHERE children.id = shown.childId),
                             (SELECT child_name FROM intakes WHERE intakes.case_id = shown.id)) AS childName
    FROM (${pageSql}) shown ORDER BY ${order}`;
  const found = paged<Omit<WorklistRow, 'emergency'> & { emergency: number; childId: number | null }>(db, rowsSql, order, page, withChildNames);
  return { ...found, rows: found.rows.map(({ childId: _childId, ...row }) => ({ ...row, emergency: Boolean(row.emergency) })) };
}

const BY_DEADLINE = sql`dueAt IS NULL, dueAt, id`;

/** Open cases assigned to the actor, nearest deadline first. */
export function listMyCases(db: DbOrTx, scope: SQL, actor: Actor, page: number): Page<WorklistRow> {
  // A social worker sees only cases their centre accepted on referral, and those stay assigned to the
  // commune worker: for them, every case in scope is their own work.
  const mine = actor.role === 'social_worker' ? sql`1` : sql`cases.assigned_user_id = ${actor.userId}`;
  return pagedCases(db, caseRows(sql`${OPEN} AND ${mine} AND ${scope}`), BY_DEADLINE, page);
}

/** Case deadlines within 48 hours, and services and visits due within 7 days. */
export function listDueSoon(db: DbOrTx, scope: SQL, clock: Clock, page: number): Page<WorklistRow> {
  const cases = caseRows(sql`${OPEN} AND cases.next_due_at >= ${clock.now} AND cases.next_due_at <= ${clock.dueSoonUntil} AND ${scope}`);
  const dated = datedWorkRows(scope, (dueOn) => sql`${dueOn} >= ${clock.today} AND ${dueOn} <= ${clock.dueSoonUntilDay}`);
  return pagedCases(db, sql`${cases} UNION ALL ${dated}`, BY_DEADLINE, page);
}

/** Missed case deadlines, services and visits: the longest overdue first. */
export function listOverdue(db: DbOrTx, scope: SQL, clock: Clock, page: number): Page<WorklistRow> {
  const cases = caseRows(sql`${OPEN} AND cases.next_due_at < ${clock.now} AND ${scope}`);
  const dated = datedWorkRows(scope, (dueOn) => sql`${dueOn} < ${clock.today}`);
  return pagedCases(db, sql`${cases} UNION ALL ${dated}`, BY_DEADLINE, page);
}

/** Plans and closures waiting for the chairperson's decision (scope: 'case.approve'), oldest deadline first. */
export function listAwaitingApproval(db: DbOrTx, scope: SQL, page: number): Page<WorklistRow> {
  return pagedCases(db, caseRows(sql`cases.state IN ('awaitingApproval', 'closureRequested') AND ${scope}`), BY_DEADLINE, page);
}

/** Open cases nobody is assigned to: emergencies first, then by deadline. */
export function listUnassigned(db: DbOrTx, scope: SQL, page: number): Page<WorklistRow> {
  return pagedCases(db, caseRows(sql`${OPEN} AND cases.assigned_user_id IS NULL AND ${scope}`), sql`emergency DESC, ${BY_DEADLINE}`, page);
}

export interface TeamMemberLoad {
  userId: number;
  name: string;
  openCount: number;
  overdueCount: number;
}

/**
 * The supervisor's team: everyone holding open cases in scope, and the caseworkers of the
 * supervisor's organisations (with nothing assigned, they are who can take more). A case counts as
 * overdue when its legal deadline, a service or a visit is past due. Most overdue first.
 */
/**
 * A case of the `cases` table past a deadline: its legal one, a service's or a visit's. The services
 * and visits are looked up by case (services_case_due_idx, follow_ups_case_due_idx); by due date
 * alone, each case would read every overdue service in the country.
 */
export function caseIsOverdue(clock: Clock): SQL {
  return sql`(cases.next_due_at < ${clock.now}
    OR EXISTS (SELECT 1 FROM services s WHERE s.case_id = cases.id AND s.implemented_on IS NULL AND s.due_on < ${clock.today})
    OR EXISTS (SELECT 1 FROM follow_ups f WHERE f.case_id = cases.id AND f.visited_on IS NULL AND f.due_on < ${clock.today}))`;
}

export function listTeamCaseload(db: DbOrTx, scope: SQL, actor: Actor, clock: Clock, page: number): Page<TeamMemberLoad> {
  const overdue = caseIsOverdue(clock);
  const team = sql`
    WITH caseload AS (
      SELECT cases.assigned_user_id AS userId, count(*) AS openCount, sum(CASE WHEN ${overdue} THEN 1 ELSE 0 END) AS overdueCount
      FROM cases WHERE ${OPEN} AND cases.assigned_user_id IS NOT NULL AND ${scope}
      GROUP BY cases.assigned_user_id
    ),
    members AS (
      SELECT userId FROM caseload
      UNION
      SELECT ra.user_id FROM role_assignments ra JOIN users u ON u.id = ra.user_id
      WHERE ra.ended_at IS NULL AND u.disabled_at IS NULL
        AND ra.role IN (${sql.join(
          CASEWORKER_ROLES.map((role) => sql`${role}`),
          sql`, `,
        )})
        AND ra.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ${actor.orgId})
    )
    SELECT members.userId AS userId, users.display_name AS name,
           coalesce(caseload.openCount, 0) AS openCount, coalesce(caseload.overdueCount, 0) AS overdueCount
    FROM members JOIN users ON users.id = members.userId LEFT JOIN caseload ON caseload.userId = members.userId`;
  return paged<TeamMemberLoad>(db, team, sql`overdueCount DESC, openCount DESC, name, userId`, page);
}
