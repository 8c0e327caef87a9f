import { describe, it, expect } from 'vitest';
import { createActor } from 'xstate';
import { adjacencyMapToArray, getAdjacencyMap, getStateNodes } from 'xstate/graph';
import {
  CASE_STATES,
  OPEN_STATES,
  caseMachine,
  clockFor,
  clockStartedAt,
  isOpenState,
  stateKeyOf,
} from '../../src/cases/workflow/machine.js';
import type { CaseEvent, CaseSnapshot } from '../../src/cases/workflow/machine.js';
import {
  DEFAULT_CASE_PATH_OPTIONS,
  caseEventSamples,
  caseTraversalOptions,
  generateCasePaths,
} from '../../src/cases/workflow/paths.js';

const input = DEFAULT_CASE_PATH_OPTIONS.input;
const at = '2025-03-03T02:00:00.000Z';
const samples = caseEventSamples();
const paths = generateCasePaths();
const adjacency = getAdjacencyMap(caseMachine, caseTraversalOptions());
const vertices = Object.values(adjacency);

/** Sends each event, failing if the machine would ignore it. */
function run(events: CaseEvent[]) {
  const actor = createActor(caseMachine, { input }).start();
  for (const event of events) {
    expect(actor.getSnapshot().can(event), `${stateKeyOf(actor.getSnapshot())} refuses ${event.type}`).toBe(true);
    actor.send(event);
  }
  return actor;
}

const reach = (...types: CaseEvent['type'][]) =>
  run(types.map((type) => ({ ...samples.find((event) => event.type === type)!, at }))).getSnapshot();

const toAssessment = ['TAKE', 'DECIDE_SUPPORT'] as const;
const toApproval = [...toAssessment, 'RECORD_NEEDS_MEETING', 'COMPLETE_ASSESSMENT', 'SUBMIT_PLAN'] as const;
const toClosureRequest = [...toApproval, 'APPROVE_PLAN', 'START_REVIEW', 'REQUEST_CLOSURE'] as const;
const toClosed = [...toClosureRequest, 'APPROVE_CLOSURE'] as const;

describe('generated paths', () => {
  it('take every transition of the machine', () => {
    const key = (snapshot: CaseSnapshot, event: CaseEvent) => `${stateKeyOf(snapshot)} ${event.type}`;
    const possible = adjacencyMapToArray(adjacency).map(({ state, event }) => key(state, event));
    const taken = paths.flatMap(({ events }) => {
      const actor = createActor(caseMachine, { input }).start();
      return events.map((event) => {
        const step = key(actor.getSnapshot(), event);
        actor.send(event);
        return step;
      });
    });
    expect(new Set(taken)).toEqual(new Set(possible));
  });

  it('are deterministic', () => {
    expect(generateCasePaths()).toEqual(paths);
  });

  it.each(paths.map((path) => [path.events.map((event) => event.type).join(' → '), path] as const))(
    'replays %s',
    (_, path) => {
      expect(stateKeyOf(run(path.events).getSnapshot())).toBe(path.finalState);
    },
  );

  it('stamp events in order, after the information was received', () => {
    for (const { events } of paths) {
      const times = [input.receivedAt, ...events.map((event) => event.at)];
      expect([...times].sort()).toEqual(times);
      expect(new Set(times).size).toBe(times.length);
    }
  });
});

describe('states', () => {
  it('CASE_STATES lists exactly the leaf states of the machine', () => {
    const leaves = getStateNodes(caseMachine.root).filter((node) => node.type === 'atomic' || node.type === 'final');
    expect(leaves.map((node) => node.key).sort()).toEqual([...CASE_STATES].sort());
  });

  it('have exactly the intended transitions', () => {
    const edges = adjacencyMapToArray(adjacency).map(
      ({ state, event, nextState }) => `${stateKeyOf(state)} ${event.type} ${stateKeyOf(nextState)}`,
    );
    expect(new Set(edges)).toEqual(
      new Set([
        'intake TAKE verification',
        'intake DECLARE_EMERGENCY emergency',
        'verification DECLARE_EMERGENCY emergency',
        'verification CLOSE_UNFOUNDED closed',
        'verification MARK_DUPLICATE merged',
        'verification DECIDE_SUPPORT detailedAssessment',
        'verification DECIDE_INTERVENTION detailedAssessment',
        'emergency RECORD_EMERGENCY_MEASURES emergency',
        'emergency DECIDE_SUPPORT detailedAssessment',
        'emergency DECIDE_INTERVENTION detailedAssessment',
        'detailedAssessment RECORD_NEEDS_MEETING detailedAssessment',
        'detailedAssessment COMPLETE_ASSESSMENT planning',
        'planning SUBMIT_PLAN awaitingApproval',
        'awaitingApproval APPROVE_PLAN implementation',
        'awaitingApproval REJECT_PLAN planning',
        'implementation START_REVIEW review',
        'review REQUEST_CLOSURE closureRequested',
        'review REPLAN planning',
        'closureRequested APPROVE_CLOSURE closed',
        'closureRequested REJECT_CLOSURE review',
        'closed REOPEN verification',
        ...OPEN_STATES.map((state) => `${state} TRANSFER ${state}`),
      ]),
    );
  });

  it('every state is reachable', () => {
    expect(new Set(vertices.map((vertex) => stateKeyOf(vertex.state)))).toEqual(new Set(CASE_STATES));
  });

  it('every reachable non-final state accepts some event', () => {
    for (const { state } of vertices) {
      if (state.status === 'done') continue;
      expect(samples.some((event) => state.can(event)), stateKeyOf(state)).toBe(true);
    }
  });

  it('only merged is final, and only closed and merged are not open', () => {
    expect(reach('TAKE', 'MARK_DUPLICATE').status).toBe('done');
    expect(reach(...toClosed).status).toBe('active');
    expect(CASE_STATES.filter((state) => !isOpenState(state))).toEqual(['closed', 'merged']);
    expect(OPEN_STATES.every(isOpenState)).toBe(true);
  });

  it('maps the emergency and planning states to their legal clocks', () => {
    expect(CASE_STATES.map((state) => [state, clockFor(state)]).filter(([, clock]) => clock)).toEqual([
      ['emergency', 'emergency12h'],
      ['planning', 'plan5WorkingDays'],
    ]);
  });
});

describe('guards', () => {
  const refuses = (snapshot: CaseSnapshot, event: CaseEvent) => expect(snapshot.can(event), event.type).toBe(false);

  it('refuse blank reasons and comments', () => {
    refuses(reach('TAKE'), { type: 'CLOSE_UNFOUNDED', at, reason: '  ' });
    refuses(reach(...toApproval), { type: 'REJECT_PLAN', at, comment: '' });
    refuses(reach(...toClosureRequest), { type: 'REJECT_CLOSURE', at, comment: '\n' });
    refuses(reach(...toClosed), { type: 'REOPEN', at, reason: ' ' });
  });

  it('refuse a duplicate of no case', () => {
    refuses(reach('TAKE'), { type: 'MARK_DUPLICATE', at, intoCaseId: 0 });
    refuses(reach('TAKE'), { type: 'MARK_DUPLICATE', at, intoCaseId: 1.5 });
  });

  it('refuse a transfer to the same commune, and any transfer once closed', () => {
    refuses(reach('TAKE'), { type: 'TRANSFER', at, toOrgId: input.orgId });
    refuses(reach('TAKE'), { type: 'TRANSFER', at, toOrgId: -2 });
    refuses(reach(...toClosed), { type: 'TRANSFER', at, toOrgId: 2 });
  });

  it('refuse leaving the emergency before measures are recorded', () => {
    refuses(reach('DECLARE_EMERGENCY'), { type: 'DECIDE_SUPPORT', at });
    refuses(reach('DECLARE_EMERGENCY'), { type: 'DECIDE_INTERVENTION', at });
  });

  it('refuse completing the assessment before the needs meeting', () => {
    refuses(reach(...toAssessment), { type: 'COMPLETE_ASSESSMENT', at });
  });

  it('do not let a reopened case reuse the previous episode’s measures or meeting', () => {
    const emergencyToClosed = ['DECLARE_EMERGENCY', 'RECORD_EMERGENCY_MEASURES', ...toClosed.slice(1)] as const;
    refuses(reach(...emergencyToClosed, 'REOPEN', 'DECLARE_EMERGENCY'), { type: 'DECIDE_SUPPORT', at });
    refuses(reach(...toClosed, 'REOPEN', 'DECIDE_SUPPORT'), { type: 'COMPLETE_ASSESSMENT', at });
  });
});

describe('context', () => {
  const ts = (hour: number) => `2025-03-03T${String(hour).padStart(2, '0')}:00:00.000Z`;

  it('records the course of a case', () => {
    const actor = run([
      { type: 'DECLARE_EMERGENCY', at: ts(2) },
      { type: 'RECORD_EMERGENCY_MEASURES', at: ts(3) },
      { type: 'RECORD_EMERGENCY_MEASURES', at: ts(4) },
      { type: 'DECIDE_INTERVENTION', at: ts(5) },
      { type: 'RECORD_NEEDS_MEETING', at: ts(6) },
      { type: 'COMPLETE_ASSESSMENT', at: ts(7) },
      { type: 'SUBMIT_PLAN', at: ts(8) },
      { type: 'REJECT_PLAN', at: ts(9), comment: 'Add a school follow-up' },
      { type: 'TRANSFER', at: ts(10), toOrgId: 7 },
    ]);
    const { context } = actor.getSnapshot();
    expect(stateKeyOf(actor.getSnapshot())).toBe('planning');
    expect(context).toMatchObject({
      orgId: 7,
      transferCount: 1,
      level: 'intervention',
      emergencyDeclaredAt: ts(2),
      emergencyMeasuresAt: ts(3),
      needsMeetingAt: ts(6),
      planStartedAt: ts(9),
      planSubmittedAt: ts(8),
      planRejections: 1,
    });
    expect(clockStartedAt('plan5WorkingDays', context)).toBe(ts(9));
    expect(clockStartedAt('emergency12h', context)).toBe(input.receivedAt);
  });

  it('records closures, reopenings and merges', () => {
    expect(reach('TAKE', 'CLOSE_UNFOUNDED').context).toMatchObject({
      closureKind: 'unfounded',
      closedReason: 'Not a protection concern',
    });
    expect(reach(...toClosed).context).toMatchObject({ closureKind: 'resolved', closedReason: null });
    const reopened = reach(...toClosed, 'REOPEN');
    expect(stateKeyOf(reopened)).toBe('verification');
    expect(reopened.context).toMatchObject({ reopenCount: 1, reopenedAt: at, closureKind: null, level: null });
    expect(clockStartedAt('emergency12h', reopened.context)).toBe(at);
    const merged = reach('TAKE', 'MARK_DUPLICATE');
    expect(merged.context.mergedIntoCaseId).toBe(DEFAULT_CASE_PATH_OPTIONS.mergeIntoCaseId);
  });
});

describe('persistence', () => {
  it('restores every point of every generated path from JSON and continues', () => {
    for (const { events } of paths) {
      const expected = run(events).getSnapshot();
      for (let split = 0; split <= events.length; split++) {
        const persisted = run(events.slice(0, split)).getPersistedSnapshot();
        const snapshot = JSON.parse(JSON.stringify(persisted)) as CaseSnapshot;
        const restored = createActor(caseMachine, { snapshot, input }).start();
        expect(restored.getPersistedSnapshot()).toEqual(persisted);
        for (const event of events.slice(split)) restored.send(event);
        const actual = restored.getSnapshot();
        expect([actual.value, actual.context, actual.status]).toEqual([expected.value, expected.context, expected.status]);
      }
    }
  });

  it('reads the state key from a stored snapshot', () => {
    const stored = JSON.parse(JSON.stringify(run([]).getPersistedSnapshot())) as CaseSnapshot;
    expect(stateKeyOf(stored)).toBe('intake');
  });
});
