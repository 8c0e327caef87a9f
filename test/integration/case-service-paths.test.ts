// Model-based test of the case workflow through the real service: every path that xstate/graph
// generates from the statechart is replayed with applyCaseEvent on a migrated database, and each
// step is checked against what is stored (state, snapshot, timeline, audit, version, deadlines).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { SYSTEM_AUDIT_CONTEXT, type AuditContext } from '../../src/audit/log.js';
import { verifyAuditChain } from '../../src/audit/verify.js';
import { loadNonWorkingDays } from '../../src/calendar/repository.js';
import { addWorkingDays } from '../../src/calendar/working-days.js';
import { EVENT_PERMISSIONS } from '../../src/cases/event-permissions.js';
import { findCase, type CaseRow } from '../../src/cases/repository.js';
import { applyCaseEvent, type CaseCommand } from '../../src/cases/service.js';
import { CASE_STATES, caseMachine, stateKeyOf, type CaseEvent, type CaseSnapshot, type CaseState } from '../../src/cases/workflow/machine.js';
import { caseEventSamples, generateCasePaths, type CasePath } from '../../src/cases/workflow/paths.js';
import { writeTransaction, type Db } from '../../src/db/client.js';
import { createIntake } from '../../src/intake/service.js';
import { createOrgRelations, setOrganisationActive } from '../../src/orgs/repository.js';
import type { Actor } from '../../src/permissions/actor.js';
import type { OrgRelations } from '../../src/permissions/conditions.js';
import type { Role } from '../../src/permissions/roles.js';
import { activeAssignments } from '../../src/users/repository.js';
import { seedOrgs, seedUser, type TestOrgs } from '../helpers/app.js';
import { freshDatabase, removeDatabase, type TestDatabase } from '../helpers/db.js';

const HOUR = 3_600_000;
// Thursday 12 February 2026, 08:00 in Viet Nam: plans started now run into the Tết break (14–22/02).
const RECEIVED_AT = '2026-02-12T01:00:00.000Z';
const EMERGENCY_STATES: ReadonlySet<CaseState> = new Set(['intake', 'verification', 'emergency']);

interface Person {
  actor: Actor;
  audit: AuditContext;
}

interface Step {
  type: CaseEvent['type'];
  fromState: CaseState;
  toState: CaseState;
}

let database: TestDatabase;
let db: Db;
let orgs: TestOrgs;
let orgRelations: OrgRelations;
let people: Record<'workerA' | 'workerB' | 'chairA' | 'chairB' | 'supervisor' | 'teacher', Person>;
let originalCaseId: number;
let paths: CasePath[];

const describePath = (path: CasePath): string => `${path.events.map((event) => event.type).join(' → ')} ⇒ ${path.finalState}`;
// The shape of the graph does not depend on the ids, so the test names can be known before the
// database exists; the paths actually driven carry the real organisation and case ids.
const PATH_SHAPES = generateCasePaths();

async function person(username: string, role: Role, orgId: number): Promise<Person> {
  const userId = await seedUser(db, username, [{ role, orgId }]);
  const assignment = activeAssignments(db, userId)[0]!;
  return {
    actor: { userId, assignmentId: assignment.id, role, orgId },
    audit: { actorUserId: userId, actorRole: role, actorOrgId: orgId, ip: null, requestId: null },
  };
}

/** Opens a case as the intake service does, in commune A, about a non-sensitive concern. */
function openTestCase(receivedAt = RECEIVED_AT): number {
  const opened = writeTransaction(db, (tx) =>
    createIntake(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT, recordedBy: null }, {
      channel: 'hotline',
      medium: 'phone',
      receivedAt,
      sourceOrgId: orgs.hotline,
      child: { name: 'Nguyễn Văn An', estimatedAge: 9, sex: 'male' },
      residenceOrgId: orgs.communeA,
      description: 'Hàng xóm thấy cháu bị đánh nhiều lần.',
      immediateDanger: false,
      categories: ['abuse_violence_physical'],
      reporter: { consented: false },
    }),
  );
  if (!opened) throw new Error('no responsible commune');
  return opened.caseId;
}

/** Who may take the event in the case's current commune: the chairperson approves, workers and the supervisor do the rest. */
function personFor(type: CaseEvent['type'], orgId: number, stepIndex: number): Person {
  const inA = orgId === orgs.communeA;
  if (EVENT_PERMISSIONS[type] === 'case.approve') return inA ? people.chairA : people.chairB;
  // Alternate, so both roles that do casework go through every kind of step over all paths.
  if (stepIndex % 2 === 1) return people.supervisor;
  return inA ? people.workerA : people.workerB;
}

const withoutAt = ({ at: _at, ...command }: CaseEvent): CaseCommand => command as CaseCommand;

function timeline(caseId: number): { kind: string; event_type: string | null; from_state: string | null; to_state: string | null; at: string; actor_user_id: number | null; actor_role: string | null }[] {
  return db.$client.prepare('SELECT kind, event_type, from_state, to_state, at, actor_user_id, actor_role FROM case_timeline WHERE case_id = ? ORDER BY id').all(caseId) as never;
}

function auditSince(id: number): { action: string; outcome: string; entity_type: string | null; entity_id: string | null; actor_user_id: number | null }[] {
  return db.$client.prepare('SELECT action, outcome, entity_type, entity_id, actor_user_id FROM audit_log WHERE id > ? ORDER BY id').all(id) as never;
}

function lastAuditId(): number {
  return (db.$client.prepare('SELECT coalesce(max(id), 0) AS id FROM audit_log').get() as { id: number }).id;
}

/**
 * The deadlines the law sets, computed here from the events themselves rather than by the code under
 * test: 12 hours from receipt (or reopening) until measures are on record, 5 working days from the
 * latest entry into planning.
 */
interface ClockModel {
  clockStart: string;
  measuresRecorded: boolean;
  planStartedAt: string | null;
}

function expectedDeadlines(state: CaseState, clocks: ClockModel): Pick<CaseRow, 'emergencyDueAt' | 'planDueAt' | 'nextDueAt'> {
  const emergencyRunning = EMERGENCY_STATES.has(state) && !(state === 'emergency' && clocks.measuresRecorded);
  const emergencyDueAt = emergencyRunning ? new Date(Date.parse(clocks.clockStart) + 12 * HOUR).toISOString() : null;
  const planDueAt =
    state === 'planning' && clocks.planStartedAt ? addWorkingDays(new Date(clocks.planStartedAt), 5, loadNonWorkingDays(db)).toISOString() : null;
  const due = [emergencyDueAt, planDueAt].filter((value): value is string => value !== null).sort();
  return { emergencyDueAt, planDueAt, nextDueAt: due[0] ?? null };
}

/** Replays one generated path through applyCaseEvent, checking every step; returns the steps taken. */
function drivePath(path: CasePath): Step[] {
  const caseId = openTestCase();
  const model = createActor(caseMachine, { input: { orgId: orgs.communeA, receivedAt: RECEIVED_AT } }).start();
  const clocks: ClockModel = { clockStart: RECEIVED_AT, measuresRecorded: false, planStartedAt: null };
  let row = findCase(db, caseId)!;
  expect(row).toMatchObject({ state: 'intake', rowVersion: 1, orgId: orgs.communeA, sensitive: false, ...expectedDeadlines('intake', clocks) });
  const steps: Step[] = [];

  path.events.forEach((event, index) => {
    const before = row;
    const who = personFor(event.type, before.orgId, index);
    const auditMark = lastAuditId();
    const timelineBefore = timeline(caseId).length;
    const now = new Date(event.at);

    const result = applyCaseEvent(db, orgRelations, who, caseId, withoutAt(event), { expectedVersion: before.rowVersion, now });
    expect(result, `${event.type} from ${before.state} as ${who.actor.role}`).toMatchObject({ ok: true });

    model.send(event);
    const expectedState = stateKeyOf(model.getSnapshot());
    row = findCase(db, caseId)!;
    const stored = row.snapshot as CaseSnapshot;
    expect(row.state).toBe(stateKeyOf(stored));
    expect(row.state).toBe(expectedState);
    expect(result.ok && result.state).toBe(expectedState);
    expect(row.rowVersion).toBe(before.rowVersion + 1);

    const newEntries = timeline(caseId).slice(timelineBefore);
    expect(newEntries).toEqual([
      {
        kind: 'state_change',
        event_type: event.type,
        from_state: before.state,
        to_state: expectedState,
        at: event.at,
        actor_user_id: who.actor.userId,
        actor_role: who.actor.role,
      },
    ]);
    expect(auditSince(auditMark)).toEqual([
      { action: `case.event.${event.type}`, outcome: 'allowed', entity_type: 'case', entity_id: String(caseId), actor_user_id: who.actor.userId },
    ]);

    if (event.type === 'TRANSFER') {
      expect(row.orgId).toBe(event.toOrgId);
      expect(row.assignedUserId).toBeNull();
    } else {
      expect(row.orgId).toBe(before.orgId);
    }
    if (event.type === 'TAKE') expect(row.assignedUserId).toBe(before.assignedUserId ?? who.actor.userId);
    expect(row.closedAt).toBe(expectedState === 'closed' || expectedState === 'merged' ? event.at : null);

    if (event.type === 'REOPEN') Object.assign(clocks, { clockStart: event.at, measuresRecorded: false, planStartedAt: null });
    if (event.type === 'RECORD_EMERGENCY_MEASURES') clocks.measuresRecorded = true;
    if (expectedState === 'planning' && before.state !== 'planning') clocks.planStartedAt = event.at;
    expect(stored.context.planStartedAt).toBe(clocks.planStartedAt);
    expect({ emergencyDueAt: row.emergencyDueAt, planDueAt: row.planDueAt, nextDueAt: row.nextDueAt }, `deadlines in ${expectedState}`).toEqual(
      expectedDeadlines(expectedState, clocks),
    );

    steps.push({ type: event.type, fromState: before.state as CaseState, toState: expectedState });
  });
  model.stop();
  expect(row.state).toBe(path.finalState);
  return steps;
}

beforeAll(async () => {
  database = freshDatabase();
  db = database.db;
  orgs = seedOrgs(db);
  orgRelations = createOrgRelations(db);
  people = {
    workerA: await person('canbo.a', 'commune_worker', orgs.communeA),
    workerB: await person('canbo.b', 'commune_worker', orgs.communeB),
    chairA: await person('chutich.a', 'commune_chair', orgs.communeA),
    chairB: await person('chutich.b', 'commune_chair', orgs.communeB),
    supervisor: await person('giamsat', 'supervisor', orgs.province),
    teacher: await person('giaovien', 'teacher', orgs.schoolA),
  };
  originalCaseId = openTestCase('2026-02-11T01:00:00.000Z');
  paths = generateCasePaths({
    input: { orgId: orgs.communeA, receivedAt: RECEIVED_AT },
    transferToOrgId: orgs.communeB,
    mergeIntoCaseId: originalCaseId,
  });
});

afterAll(() => removeDatabase(database));

describe('every generated path through the real service', () => {
  it('are generated with the real organisations and case', () => {
    expect(paths.map(describePath)).toEqual(PATH_SHAPES.map(describePath));
    expect(paths.length).toBeGreaterThan(15);
    const events = paths.flatMap((path) => path.events);
    expect(events).toContainEqual(expect.objectContaining({ type: 'TRANSFER', toOrgId: orgs.communeB }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'MARK_DUPLICATE', intoCaseId: originalCaseId }));
  });

  it.each(PATH_SHAPES.map((shape, index) => [describePath(shape), index] as const))('%s', (_, index) => {
    drivePath(paths[index]!);
  });

  it('reach every state, and leave every state but the final one, through the service', () => {
    const steps = paths.flatMap(drivePath);
    const seen = new Set<CaseState>(['intake', ...steps.map((step) => step.toState)]);
    expect([...seen].sort()).toEqual([...CASE_STATES].sort());
    const left = new Set(steps.filter((step) => step.toState !== step.fromState).map((step) => step.fromState));
    expect([...left].sort()).toEqual(CASE_STATES.filter((state) => state !== 'merged').sort());
  });

  it('count the plan deadline in working days, skipping the Tết break', () => {
    const toPlanning = paths.find((path) => path.finalState === 'planning' && path.events.at(-1)?.type === 'TRANSFER')!;
    drivePath(toPlanning);
    const caseId = Number(db.$client.prepare('SELECT max(id) AS id FROM cases').pluck().get());
    // Planning started on Thu 12/02; Fri 13, then Mon 23 to Thu 26 after the break.
    expect(findCase(db, caseId)).toMatchObject({ state: 'planning', planDueAt: '2026-02-26T16:59:59.999Z', emergencyDueAt: null });
  });

  it('leave the audit chain intact', () => {
    expect(verifyAuditChain(db)).toMatchObject({ ok: true });
  });
});

describe('what the service refuses', () => {
  const sample = (type: CaseEvent['type']): CaseCommand => withoutAt(caseEventSamples().find((event) => event.type === type)!);

  /** Applies the command and checks that nothing about the case changed and no timeline entry was written. */
  function expectRefused(caseId: number, who: Person, command: CaseCommand, reason: string, options: { expectedVersion?: number } = {}) {
    const before = findCase(db, caseId)!;
    const timelineBefore = timeline(caseId).length;
    const auditMark = lastAuditId();
    expect(applyCaseEvent(db, orgRelations, who, caseId, command, { ...options, now: new Date('2026-02-12T05:00:00.000Z') })).toEqual({ ok: false, reason });
    expect(findCase(db, caseId)).toEqual(before);
    expect(timeline(caseId)).toHaveLength(timelineBefore);
    return auditSince(auditMark);
  }

  function caseIn(...types: CaseEvent['type'][]): number {
    const caseId = openTestCase();
    types.forEach((type, i) => {
      const row = findCase(db, caseId)!;
      const now = new Date(Date.parse(RECEIVED_AT) + (i + 1) * HOUR);
      const result = applyCaseEvent(db, orgRelations, personFor(type, row.orgId, 0), caseId, sample(type), { now });
      expect(result.ok).toBe(true);
    });
    return caseId;
  }

  it('an event the statechart cannot take now: not_allowed_now, audited as refused', () => {
    const caseId = caseIn();
    const audit = expectRefused(caseId, people.chairA, sample('APPROVE_PLAN'), 'not_allowed_now');
    expect(audit).toEqual([{ action: 'case.approve', outcome: 'refused', entity_type: 'case', entity_id: String(caseId), actor_user_id: people.chairA.actor.userId }]);
    expect(expectRefused(caseId, people.workerA, sample('SUBMIT_PLAN'), 'not_allowed_now')).toMatchObject([{ action: 'case.work', outcome: 'refused' }]);
    // Guards count too: an unfounded closure needs a reason, and a transfer another commune.
    const verifying = caseIn('TAKE');
    expectRefused(verifying, people.workerA, { type: 'CLOSE_UNFOUNDED', reason: '   ' }, 'not_allowed_now');
    expectRefused(verifying, people.workerA, { type: 'TRANSFER', toOrgId: orgs.communeA }, 'not_allowed_now');
  });

  it('a merged case is final: nothing more happens to it', () => {
    const merged = caseIn('TAKE', 'MARK_DUPLICATE');
    expect(findCase(db, merged)!.state).toBe('merged');
    for (const event of caseEventSamples({ input: { orgId: orgs.communeA, receivedAt: RECEIVED_AT }, transferToOrgId: orgs.communeB, mergeIntoCaseId: originalCaseId })) {
      const who = personFor(event.type, orgs.communeA, 0);
      expectRefused(merged, who, withoutAt(event), 'not_allowed_now');
    }
  });

  it('an event the role may not take: forbidden, audited as refused', () => {
    const caseId = caseIn('TAKE', 'DECIDE_SUPPORT', 'RECORD_NEEDS_MEETING', 'COMPLETE_ASSESSMENT', 'SUBMIT_PLAN');
    // Approval is the chairperson's decision, never the worker's or the supervisor's.
    expect(expectRefused(caseId, people.workerA, sample('APPROVE_PLAN'), 'forbidden')).toMatchObject([{ action: 'case.approve', outcome: 'refused', entity_id: String(caseId) }]);
    expectRefused(caseId, people.supervisor, sample('APPROVE_PLAN'), 'forbidden');
    // Same roles, other commune.
    expectRefused(caseId, people.chairB, sample('APPROVE_PLAN'), 'forbidden');
    expectRefused(caseId, people.workerB, sample('TRANSFER'), 'forbidden');
    // The chairperson approves but does not do casework; a teacher does neither.
    expectRefused(caseIn(), people.chairA, sample('TAKE'), 'forbidden');
    expectRefused(caseIn(), people.teacher, sample('TAKE'), 'forbidden');
  });

  it('a stale row version: conflict, without a lost update', () => {
    const caseId = caseIn('TAKE');
    const { rowVersion } = findCase(db, caseId)!;
    expectRefused(caseId, people.workerA, sample('DECIDE_SUPPORT'), 'conflict', { expectedVersion: rowVersion - 1 });
    expect(applyCaseEvent(db, orgRelations, people.workerA, caseId, sample('DECIDE_SUPPORT'), { expectedVersion: rowVersion })).toMatchObject({ ok: true, state: 'detailedAssessment' });
  });

  it('a transfer to anything but an active commune: invalid_target', () => {
    const caseId = caseIn('TAKE');
    for (const toOrgId of [orgs.schoolB, orgs.province, orgs.socialWorkCentre, orgs.hotline, 999_999]) {
      expect(expectRefused(caseId, people.workerA, { type: 'TRANSFER', toOrgId }, 'invalid_target')).toMatchObject([{ action: 'case.transfer', outcome: 'refused' }]);
    }
    const closedCommune = seedOrgs(db).communeB;
    setOrganisationActive(db, SYSTEM_AUDIT_CONTEXT, closedCommune, false);
    expectRefused(caseId, people.workerA, { type: 'TRANSFER', toOrgId: closedCommune }, 'invalid_target');
  });

  it('a duplicate of itself or of a case that does not exist: invalid_target', () => {
    const caseId = caseIn('TAKE');
    expectRefused(caseId, people.workerA, { type: 'MARK_DUPLICATE', intoCaseId: caseId }, 'invalid_target');
    expectRefused(caseId, people.workerA, { type: 'MARK_DUPLICATE', intoCaseId: 999_999 }, 'invalid_target');
  });

  it('a case that does not exist: not_found', () => {
    expect(applyCaseEvent(db, orgRelations, people.workerA, 999_999, sample('TAKE'))).toEqual({ ok: false, reason: 'not_found' });
  });

  it('leave the audit chain intact', () => {
    expect(verifyAuditChain(db)).toMatchObject({ ok: true });
  });
});
