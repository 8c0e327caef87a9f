// Who is alerted about what: pure decisions over facts the alert module loads, so they can be
// unit-tested without a database. The module does the queries and the inserts.
import type { MessageKey } from '../i18n/vi.js';
import type { Actor } from '../permissions/actor.js';
import { isAllowed } from '../permissions/check.js';
import type { OrgRelations, SubjectRecord } from '../permissions/conditions.js';
import type { Role } from '../permissions/roles.js';
import { OPEN_STATES } from '../cases/workflow/machine.js';

export const ALERT_KINDS = [
  'new_case',
  'assigned',
  'referral',
  'awaiting_approval',
  'closure_requested',
  'due_soon',
  'overdue',
  'service_overdue',
  'follow_up_overdue',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** How long before a legal deadline the responsible worker is warned. */
export const DUE_SOON_MS = 2 * 3_600_000;

/** The receiving organisation's list of pending referrals (the referrals module's page). */
export const REFERRAL_LIST_PATH = '/referrals';

/** One notification to insert; the unique (userId, dedupeKey) index makes each happen once. */
export interface Alert {
  userId: number;
  kind: AlertKind;
  caseId: number | null;
  dedupeKey: string;
}

/** What the rules need of a case. */
export interface CaseFacts {
  id: number;
  orgId: number;
  state: string;
  assignedUserId: number | null;
  sensitive: boolean;
  /** The time of the change being notified (a transition's `at`), which keeps each entry's alert distinct. */
  updatedAt: string;
}

/**
 * An active role assignment of an enabled user whose organisation contains `targetOrgId` (the
 * case's commune, or a referral's receiving organisation): the only people an alert may go to.
 */
export interface Candidate {
  userId: number;
  assignmentId: number;
  role: Role;
  orgId: number;
  targetOrgId: number;
}

/** 'responsible': whoever must act on the case; 'approvers': the commune chairpersons. */
export type Audience = 'responsible' | 'approvers';

export const AUDIENCE_ROLES: Record<Audience, readonly Role[]> = {
  responsible: ['commune_worker', 'supervisor'],
  approvers: ['commune_chair'],
};

export interface CaseChangeAlert {
  kind: AlertKind;
  audience: Audience;
  dedupeKey: string;
}

const OPEN: ReadonlySet<string> = new Set(OPEN_STATES);

/**
 * The alerts a change of a case calls for. `previous` is the case before the change, or null when it
 * was just opened. A case arriving in a commune (opened, or transferred there) is new work for it;
 * entering a state that waits for the chairperson asks for their decision.
 */
export function caseChangeAlerts(row: CaseFacts, previous: Pick<CaseFacts, 'state' | 'orgId'> | null): CaseChangeAlert[] {
  const alerts: CaseChangeAlert[] = [];
  const key = (kind: AlertKind): string => `${kind}:case:${row.id}:${row.updatedAt}`;
  if ((previous === null || previous.orgId !== row.orgId) && OPEN.has(row.state)) {
    alerts.push({ kind: 'new_case', audience: 'responsible', dedupeKey: key('new_case') });
  }
  if (previous !== null && previous.state !== row.state) {
    if (row.state === 'awaitingApproval') alerts.push({ kind: 'awaiting_approval', audience: 'approvers', dedupeKey: key('awaiting_approval') });
    if (row.state === 'closureRequested') alerts.push({ kind: 'closure_requested', audience: 'approvers', dedupeKey: key('closure_requested') });
  }
  return alerts;
}

/**
 * The candidates were found through org_closure for their target organisation, so containment is
 * known exactly for those pairs and the permission rules can be asked without another query.
 */
function containmentOf(candidates: readonly Candidate[]): OrgRelations {
  const pairs = new Set(candidates.map((candidate) => `${candidate.targetOrgId}>${candidate.orgId}`));
  return { isWithin: (orgId, ancestorId) => pairs.has(`${orgId}>${ancestorId}`) };
}

function actorOf(candidate: Candidate): Actor {
  return { userId: candidate.userId, assignmentId: candidate.assignmentId, role: candidate.role, orgId: candidate.orgId };
}

function caseRecord(row: CaseFacts): SubjectRecord {
  // Accepted referrals only open a case to social workers, who are never among these candidates.
  return { id: row.id, orgId: row.orgId, assignedUserId: row.assignedUserId, sensitive: row.sensitive, acceptedReferralOrgIds: [] };
}

function uniqueUsers(candidates: readonly Candidate[]): number[] {
  return [...new Set(candidates.map((candidate) => candidate.userId))];
}

/**
 * Who must act on a case: its assignee; otherwise the commune workers who may read it; and when
 * none may (a sensitive case stays hidden from workers until assigned), the supervisors, who can
 * read it and assign someone.
 */
export function responsibleUsers(row: CaseFacts, assignee: number | null, candidates: readonly Candidate[]): number[] {
  if (assignee !== null) return [assignee];
  const orgs = containmentOf(candidates);
  const record = caseRecord(row);
  const readers = (role: Role): Candidate[] =>
    candidates.filter((candidate) => candidate.targetOrgId === row.orgId && candidate.role === role && isAllowed('case.read', actorOf(candidate), record, orgs));
  const workers = readers('commune_worker');
  return uniqueUsers(workers.length > 0 ? workers : readers('supervisor'));
}

/** The chairpersons who may approve the case's plan or closure. */
export function approverUsers(row: CaseFacts, candidates: readonly Candidate[]): number[] {
  const orgs = containmentOf(candidates);
  const record = caseRecord(row);
  return uniqueUsers(
    candidates.filter((candidate) => candidate.targetOrgId === row.orgId && isAllowed('case.approve', actorOf(candidate), record, orgs)),
  );
}

/** The people of the receiving organisation who may accept or decline a referral. */
export function referralResponders(toOrgId: number, candidates: readonly Candidate[]): number[] {
  const orgs = containmentOf(candidates);
  return uniqueUsers(
    candidates.filter((candidate) => candidate.targetOrgId === toOrgId && isAllowed('referral.respond', actorOf(candidate), { orgId: toOrgId }, orgs)),
  );
}

/** Turns each case change into notifications for its audience, never for the person who made the change. */
export function caseChangeNotifications(
  row: CaseFacts,
  changes: readonly CaseChangeAlert[],
  candidates: readonly Candidate[],
  actorUserId: number | null,
): Alert[] {
  return changes.flatMap((change) => {
    const users = change.audience === 'approvers' ? approverUsers(row, candidates) : responsibleUsers(row, row.assignedUserId, candidates);
    return users
      .filter((userId) => userId !== actorUserId)
      .map((userId) => ({ userId, kind: change.kind, caseId: row.id, dedupeKey: change.dedupeKey }));
  });
}

/** Whether a case's running deadline warrants an alert now; an overdue case is not also "due soon". */
export function caseDeadlineKind(dueAt: string, now: Date): 'due_soon' | 'overdue' | null {
  const remaining = Date.parse(dueAt) - now.getTime();
  if (remaining <= 0) return 'overdue';
  return remaining <= DUE_SOON_MS ? 'due_soon' : null;
}

/** A new deadline (another dueAt) is a new alert; the same deadline never alerts twice. */
export function deadlineDedupeKey(kind: 'due_soon' | 'overdue', subject: 'case' | 'service' | 'follow_up', id: number, dueAt: string): string {
  return `${kind}:${subject}:${id}:${dueAt}`;
}

/** A case with a running deadline, or an overdue service or follow-up visit of one. */
export interface DueItem {
  subject: 'case' | 'service' | 'follow_up';
  id: number;
  dueAt: string;
  caseFacts: CaseFacts;
  /** The enabled user in charge: the follow-up's or the case's assignee; null when nobody is. */
  assignee: number | null;
}

const SUBJECT_KINDS = { service: 'service_overdue', follow_up: 'follow_up_overdue' } as const;

/**
 * The deadline alerts due at `now`. Case deadlines are instants (due soon, then overdue); services
 * and follow-ups are due on a day, so the caller passes only those already past.
 */
export function dueNotifications(items: readonly DueItem[], candidates: readonly Candidate[], now: Date): Alert[] {
  // A case's audience is among its own commune's candidates: each item is decided over those alone,
  // not over the whole country's (thousands of unowned overdue cases × thousands of candidates).
  const byTarget = new Map<number, Candidate[]>();
  for (const candidate of candidates) {
    const group = byTarget.get(candidate.targetOrgId);
    if (group) group.push(candidate);
    else byTarget.set(candidate.targetOrgId, [candidate]);
  }
  return items.flatMap((item) => {
    const deadline = item.subject === 'case' ? caseDeadlineKind(item.dueAt, now) : 'overdue';
    if (deadline === null) return [];
    const kind = item.subject === 'case' ? deadline : SUBJECT_KINDS[item.subject];
    const dedupeKey = deadlineDedupeKey(deadline, item.subject, item.id, item.dueAt);
    const audience = byTarget.get(item.caseFacts.orgId) ?? [];
    return responsibleUsers(item.caseFacts, item.assignee, audience).map((userId) => ({ userId, kind, caseId: item.caseFacts.id, dedupeKey }));
  });
}

/** Where opening a notification leads: the case, or the referral list (the case is not theirs until accepted). */
export function notificationLink(kind: string, caseId: number | null): string {
  if (kind === 'referral') return REFERRAL_LIST_PATH;
  return caseId === null ? '/notifications' : `/cases/${caseId}`;
}

const KIND_MESSAGES: Record<AlertKind, MessageKey> = {
  new_case: 'alert.kind_new_case',
  assigned: 'alert.kind_assigned',
  referral: 'alert.kind_referral',
  awaiting_approval: 'alert.kind_awaiting_approval',
  closure_requested: 'alert.kind_closure_requested',
  due_soon: 'alert.kind_due_soon',
  overdue: 'alert.kind_overdue',
  service_overdue: 'alert.kind_service_overdue',
  follow_up_overdue: 'alert.kind_follow_up_overdue',
};

export function kindMessage(kind: string): MessageKey {
  return (ALERT_KINDS as readonly string[]).includes(kind) ? KIND_MESSAGES[kind as AlertKind] : 'alert.kind_other';
}
