// What is due is derived from the stored deadlines on every tick, never remembered in memory, so a
// restart loses nothing and the dedupe keys keep each deadline's alert to one.
import { sql } from 'drizzle-orm';
import { dateKeyInVietnam } from '../calendar/working-days.js';
import { OPEN_STATES } from '../cases/workflow/machine.js';
import type { DbOrTx } from '../db/client.js';
import { loadCandidates } from './repository.js';
import { AUDIENCE_ROLES, DUE_SOON_MS, dueNotifications, type Alert, type DueItem } from './rules.js';

interface DueRow {
  id: number;
  dueAt: string;
  caseId: number;
  orgId: number;
  state: string;
  assignedUserId: number | null;
  sensitive: number;
  updatedAt: string;
  assignee: number | null;
}

const openStates = sql.join(OPEN_STATES.map((state) => sql`${state}`), sql`, `);

/** The case's assignee, when that user is still enabled (u is the LEFT JOINed assignee). */
const CASE_ASSIGNEE = sql`CASE WHEN u.id IS NOT NULL AND u.disabled_at IS NULL THEN c.assigned_user_id END`;

const CASE_FIELDS = sql`c.id AS caseId, c.org_id AS orgId, c.state AS state, c.assigned_user_id AS assignedUserId,
  c.sensitive AS sensitive, c.updated_at AS updatedAt`;

function dueItems(db: DbOrTx, now: Date): DueItem[] {
  const horizon = new Date(now.getTime() + DUE_SOON_MS).toISOString();
  // Services and visits are due on a day: overdue once that day has ended in Viet Nam.
  const today = dateKeyInVietnam(now);
  const caseDeadlines = db.all<DueRow>(sql`
    SELECT c.id AS id, c.next_due_at AS dueAt, ${CASE_FIELDS}, ${CASE_ASSIGNEE} AS assignee
    FROM cases c LEFT JOIN users u ON u.id = c.assigned_user_id
    WHERE c.state IN (${openStates}) AND c.next_due_at IS NOT NULL AND c.next_due_at <= ${horizon}`);
  const services = db.all<DueRow>(sql`
    SELECT s.id AS id, s.due_on AS dueAt, ${CASE_FIELDS}, ${CASE_ASSIGNEE} AS assignee
    FROM services s JOIN cases c ON c.id = s.case_id LEFT JOIN users u ON u.id = c.assigned_user_id
    WHERE s.implemented_on IS NULL AND s.due_on < ${today} AND c.state IN (${openStates})`);
  const followUps = db.all<DueRow>(sql`
    SELECT f.id AS id, f.due_on AS dueAt, ${CASE_FIELDS},
      CASE WHEN fu.id IS NOT NULL AND fu.disabled_at IS NULL THEN f.assigned_user_id ELSE ${CASE_ASSIGNEE} END AS assignee
    FROM follow_ups f JOIN cases c ON c.id = f.case_id
      LEFT JOIN users fu ON fu.id = f.assigned_user_id LEFT JOIN users u ON u.id = c.assigned_user_id
    WHERE f.visited_on IS NULL AND f.due_on < ${today} AND c.state IN (${openStates})`);
  const item = (subject: DueItem['subject']) => (row: DueRow): DueItem => ({
    subject,
    id: row.id,
    dueAt: row.dueAt,
    assignee: row.assignee,
    caseFacts: {
      id: row.caseId,
      orgId: row.orgId,
      state: row.state,
      assignedUserId: row.assignedUserId,
      sensitive: Boolean(row.sensitive),
      updatedAt: row.updatedAt,
    },
  });
  return [...caseDeadlines.map(item('case')), ...services.map(item('service')), ...followUps.map(item('follow_up'))];
}

/** Every deadline alert due at `now`, including those already given (the insert skips them). */
export function deriveDueAlerts(db: DbOrTx, now: Date): Alert[] {
  const items = dueItems(db, now);
  // Only cases nobody is in charge of need the commune's people looked up.
  const unowned = items.filter((item) => item.assignee === null).map((item) => item.caseFacts.orgId);
  const candidates = loadCandidates(db, unowned, AUDIENCE_ROLES.responsible);
  return dueNotifications(items, candidates, now);
}
