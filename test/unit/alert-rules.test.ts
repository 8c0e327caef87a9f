import { describe, expect, it } from 'vitest';
import {
  approverUsers,
  caseChangeAlerts,
  caseChangeNotifications,
  caseDeadlineKind,
  dueNotifications,
  kindMessage,
  notificationLink,
  referralResponders,
  responsibleUsers,
  type Candidate,
  type CaseFacts,
  type DueItem,
} from '../../src/alerts/rules.js';
import type { Role } from '../../src/permissions/roles.js';

// Commune 10 (in district 2, in province 1); commune 11 is elsewhere; centre 20 is a social work centre in province 1.
const COMMUNE = 10;
const AT = '2026-11-22T03:00:00.000Z';

const caseFacts = (overrides: Partial<CaseFacts> = {}): CaseFacts => ({
  id: 7,
  orgId: COMMUNE,
  state: 'intake',
  assignedUserId: null,
  sensitive: false,
  updatedAt: AT,
  ...overrides,
});

let nextAssignment = 1;
const candidate = (userId: number, role: Role, orgId: number, targetOrgId = COMMUNE): Candidate => ({
  userId,
  assignmentId: nextAssignment++,
  role,
  orgId,
  targetOrgId,
});

const worker = candidate(1, 'commune_worker', COMMUNE);
const districtWorker = candidate(2, 'commune_worker', 2);
const supervisor = candidate(3, 'supervisor', 1);
const chair = candidate(4, 'commune_chair', COMMUNE);
const CANDIDATES = [worker, districtWorker, supervisor, chair];

describe('which case changes alert', () => {
  it('a newly opened case is new work for its commune', () => {
    expect(caseChangeAlerts(caseFacts(), null)).toEqual([
      { kind: 'new_case', audience: 'responsible', dedupeKey: `new_case:case:7:${AT}` },
    ]);
  });

  it('a case transferred into another commune is new work there; other transitions without a decision to ask for are silent', () => {
    expect(caseChangeAlerts(caseFacts({ state: 'verification', orgId: 11 }), { state: 'verification', orgId: COMMUNE }).map((a) => a.kind)).toEqual(['new_case']);
    expect(caseChangeAlerts(caseFacts({ state: 'verification' }), { state: 'intake', orgId: COMMUNE })).toEqual([]);
    expect(caseChangeAlerts(caseFacts({ state: 'planning' }), { state: 'awaitingApproval', orgId: COMMUNE })).toEqual([]);
  });

  it('entering awaitingApproval or closureRequested asks the chairperson', () => {
    expect(caseChangeAlerts(caseFacts({ state: 'awaitingApproval' }), { state: 'planning', orgId: COMMUNE })).toEqual([
      { kind: 'awaiting_approval', audience: 'approvers', dedupeKey: `awaiting_approval:case:7:${AT}` },
    ]);
    expect(caseChangeAlerts(caseFacts({ state: 'closureRequested' }), { state: 'review', orgId: COMMUNE }).map((a) => a.kind)).toEqual(['closure_requested']);
    // Staying in the state (e.g. a casework event with no transition) does not ask again.
    expect(caseChangeAlerts(caseFacts({ state: 'awaitingApproval' }), { state: 'awaitingApproval', orgId: COMMUNE })).toEqual([]);
  });
});

describe('who is responsible for a case', () => {
  it('is the assignee when there is one', () => {
    expect(responsibleUsers(caseFacts({ assignedUserId: 9 }), 9, CANDIDATES)).toEqual([9]);
  });

  it('is every commune worker whose organisation contains the commune, not the supervisors, for an ordinary case', () => {
    expect(responsibleUsers(caseFacts(), null, CANDIDATES)).toEqual([1, 2]);
  });

  it('leaves out workers who may not read a sensitive case, and falls back to the supervisors who can assign it', () => {
    expect(responsibleUsers(caseFacts({ sensitive: true }), null, CANDIDATES)).toEqual([3]);
  });

  it('ignores candidates found for another organisation', () => {
    const elsewhere = candidate(5, 'commune_worker', 11, 11);
    expect(responsibleUsers(caseFacts(), null, [elsewhere])).toEqual([]);
  });

  it('names a user once however many of their roles qualify', () => {
    const twice = [worker, candidate(1, 'commune_worker', 2)];
    expect(responsibleUsers(caseFacts(), null, twice)).toEqual([1]);
  });
});

describe('approvers and referral responders', () => {
  it('are the chairpersons who may approve the case, sensitive or not', () => {
    expect(approverUsers(caseFacts({ state: 'awaitingApproval', sensitive: true }), CANDIDATES)).toEqual([4]);
  });

  it('are the social workers and supervisors of the receiving organisation', () => {
    const social = candidate(6, 'social_worker', 20, 20);
    const provinceSupervisor = candidate(3, 'supervisor', 1, 20);
    const otherCentre = candidate(8, 'social_worker', 21, 21);
    expect(referralResponders(20, [social, provinceSupervisor, otherCentre])).toEqual([6, 3]);
  });
});

describe('case change notifications', () => {
  it('never alert the person who made the change', () => {
    const alerts = caseChangeNotifications(caseFacts(), caseChangeAlerts(caseFacts(), null), CANDIDATES, 1);
    expect(alerts).toEqual([{ userId: 2, kind: 'new_case', caseId: 7, dedupeKey: `new_case:case:7:${AT}` }]);
  });
});

describe('deadline alerts', () => {
  const now = new Date('2026-11-22T08:00:00.000Z');

  it('warn within 2 hours of a deadline and once it has passed, not earlier', () => {
    expect(caseDeadlineKind('2026-11-22T10:30:00.000Z', now)).toBeNull();
    expect(caseDeadlineKind('2026-11-22T10:00:00.000Z', now)).toBe('due_soon');
    expect(caseDeadlineKind('2026-11-22T08:00:00.000Z', now)).toBe('overdue');
  });

  it('carry the deadline in the dedupe key, so a new deadline alerts again', () => {
    const item = (dueAt: string): DueItem => ({ subject: 'case', id: 7, dueAt, caseFacts: caseFacts({ assignedUserId: 9 }), assignee: 9 });
    expect(dueNotifications([item('2026-11-22T09:00:00.000Z')], [], now)).toEqual([
      { userId: 9, kind: 'due_soon', caseId: 7, dedupeKey: 'due_soon:case:7:2026-11-22T09:00:00.000Z' },
    ]);
    expect(dueNotifications([item('2026-11-22T07:00:00.000Z')], [], now)[0]?.dedupeKey).toBe('overdue:case:7:2026-11-22T07:00:00.000Z');
  });

  it('go to the commune workers when nobody is assigned, and name overdue services and visits', () => {
    const service: DueItem = { subject: 'service', id: 3, dueAt: '2026-11-20', caseFacts: caseFacts(), assignee: null };
    const visit: DueItem = { subject: 'follow_up', id: 4, dueAt: '2026-11-21', caseFacts: caseFacts(), assignee: 9 };
    expect(dueNotifications([service, visit], CANDIDATES, now)).toEqual([
      { userId: 1, kind: 'service_overdue', caseId: 7, dedupeKey: 'overdue:service:3:2026-11-20' },
      { userId: 2, kind: 'service_overdue', caseId: 7, dedupeKey: 'overdue:service:3:2026-11-20' },
      { userId: 9, kind: 'follow_up_overdue', caseId: 7, dedupeKey: 'overdue:follow_up:4:2026-11-21' },
    ]);
  });

  it('go to each unassigned case\'s own commune, when candidates of many communes are loaded at once', () => {
    const OTHER = 11;
    const otherWorker = candidate(5, 'commune_worker', OTHER, OTHER);
    // The district worker is a candidate for commune 10 only: found through commune 10's ancestors.
    const candidates = [worker, districtWorker, supervisor, chair, otherWorker];
    const here: DueItem = { subject: 'service', id: 3, dueAt: '2026-11-20', caseFacts: caseFacts(), assignee: null };
    const there: DueItem = { subject: 'service', id: 5, dueAt: '2026-11-20', caseFacts: caseFacts({ id: 8, orgId: OTHER }), assignee: null };
    const nobody: DueItem = { subject: 'service', id: 6, dueAt: '2026-11-20', caseFacts: caseFacts({ id: 9, orgId: 12 }), assignee: null };
    expect(dueNotifications([here, there, nobody], candidates, now).map((alert) => [alert.caseId, alert.userId])).toEqual([
      [7, 1],
      [7, 2],
      [8, 5],
    ]);
  });
});

describe('presentation', () => {
  it('links a referral to the referral list and everything else to its case', () => {
    expect(notificationLink('referral', 7)).toBe('/referrals');
    expect(notificationLink('overdue', 7)).toBe('/cases/7');
  });

  it('describes an unknown kind generically', () => {
    expect(kindMessage('overdue')).toBe('alert.kind_overdue');
    expect(kindMessage('something_new')).toBe('alert.kind_other');
  });
});
