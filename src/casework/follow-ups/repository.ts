/** Follow-up visits: reads for the case page, worklists and alerts. */
import { and, asc, eq, inArray, isNull, lte, sql, type SQL } from 'drizzle-orm';
import type { DateKey } from '../../calendar/working-days.js';
import { cases } from '../../cases/schema.js';
import type { DbOrTx } from '../../db/client.js';
import { followUps } from '../schema.js';
import { SERVING_STATES, todayInVietnam } from '../services/due.js';

export type FollowUpRow = typeof followUps.$inferSelect;

export interface CaseFollowUp extends FollowUpRow {
  assignedName: string | null;
}

export function findFollowUp(db: DbOrTx, caseId: number, followUpId: number): FollowUpRow | null {
  return db.select().from(followUps).where(and(eq(followUps.id, followUpId), eq(followUps.caseId, caseId))).get() ?? null;
}

/** The case's follow-up visits: those still to make by due date, then those made. */
export function followUpsOf(db: DbOrTx, caseId: number): CaseFollowUp[] {
  return db.all<CaseFollowUp>(sql`
    SELECT f.id, f.case_id AS caseId, f.due_on AS dueOn, f.visited_on AS visitedOn, f.notes, f.assigned_user_id AS assignedUserId,
           f.created_by AS createdBy, f.created_at AS createdAt, u.display_name AS assignedName
    FROM follow_ups f LEFT JOIN users u ON u.id = f.assigned_user_id
    WHERE f.case_id = ${caseId}
    ORDER BY f.visited_on IS NOT NULL, f.due_on, f.id`);
}

export interface DueFollowUp {
  id: number;
  caseId: number;
  reference: string;
  caseOrgId: number;
  assignedUserId: number | null;
  dueOn: DateKey;
  overdue: boolean;
}

/**
 * Visits not yet made that are due by `until` (default today: due today or overdue), in open cases
 * being served that the scope allows, earliest first. Dates only: no notes.
 */
export function dueFollowUps(db: DbOrTx, scope: SQL, until: DateKey = todayInVietnam(), today: DateKey = todayInVietnam()): DueFollowUp[] {
  return db
    .select({
      id: followUps.id,
      caseId: followUps.caseId,
      reference: cases.reference,
      caseOrgId: cases.orgId,
      assignedUserId: followUps.assignedUserId,
      dueOn: followUps.dueOn,
      overdue: sql<boolean>`${followUps.dueOn} < ${today}`.mapWith(Boolean),
    })
    .from(followUps)
    .innerJoin(cases, eq(cases.id, followUps.caseId))
    .where(and(scope, inArray(cases.state, SERVING_STATES), isNull(followUps.visitedOn), lte(followUps.dueOn, until)))
    .orderBy(asc(followUps.dueOn), asc(followUps.id))
    .all();
}

/** A role assignment that could be given a visit: a commune worker of the case's commune, a social worker of an accepting organisation, … */
export interface AssigneeCandidate {
  userId: number;
  assignmentId: number;
  role: string;
  orgId: number;
  name: string;
}

/**
 * Active people of the case's commune and of the organisations that accepted its referrals, with
 * the roles that serve cases, and the acting assignment itself (a supervisor above the commune); the
 * caller keeps those the rules allow to serve this case.
 */
export function assigneeCandidates(db: DbOrTx, caseId: number, caseOrgId: number, actorAssignmentId: number): AssigneeCandidate[] {
  return db.all<AssigneeCandidate>(sql`
    SELECT a.user_id AS userId, a.id AS assignmentId, a.role, a.org_id AS orgId, u.display_name AS name
    FROM role_assignments a JOIN users u ON u.id = a.user_id
    WHERE a.ended_at IS NULL AND u.disabled_at IS NULL
      AND a.role IN ('commune_worker', 'supervisor', 'social_worker')
      AND (a.org_id = ${caseOrgId}
           OR a.org_id IN (SELECT to_org_id FROM referrals WHERE case_id = ${caseId} AND status = 'accepted')
           OR a.id = ${actorAssignmentId})
    ORDER BY u.display_name, a.id`);
}
