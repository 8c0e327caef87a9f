// Event sequences that together take every transition of the case machine at least once, for
// model-based tests (the unit test replays them on the machine, the integration test on the service).
import { createTestModel } from 'xstate/graph';
import type { TraversalOptions } from 'xstate/graph';
import { caseMachine, stateKeyOf } from './machine.js';
import type { CaseEvent, CaseInput, CaseSnapshot, CaseState } from './machine.js';

export interface CasePathOptions {
  input: CaseInput;
  /** Must differ from input.orgId. */
  transferToOrgId: number;
  mergeIntoCaseId: number;
}

export interface CasePath {
  events: CaseEvent[];
  finalState: CaseState;
}

export const DEFAULT_CASE_PATH_OPTIONS: CasePathOptions = {
  input: { orgId: 1, receivedAt: '2025-03-03T01:00:00.000Z' },
  transferToOrgId: 2,
  mergeIntoCaseId: 1,
};

// Steps are one hour apart, so an emergency path records its measures well inside the 12 hours.
const STEP_MS = 60 * 60 * 1000;

/** One valid event of each type; `at` is a placeholder that generateCasePaths restamps. */
export function caseEventSamples({
  input,
  transferToOrgId,
  mergeIntoCaseId,
}: CasePathOptions = DEFAULT_CASE_PATH_OPTIONS): CaseEvent[] {
  const at = input.receivedAt;
  return [
    { type: 'TAKE', at },
    { type: 'DECLARE_EMERGENCY', at },
    { type: 'RECORD_EMERGENCY_MEASURES', at },
    { type: 'CLOSE_UNFOUNDED', at, reason: 'Not a protection concern' },
    { type: 'MARK_DUPLICATE', at, intoCaseId: mergeIntoCaseId },
    { type: 'DECIDE_SUPPORT', at },
    { type: 'DECIDE_INTERVENTION', at },
    { type: 'RECORD_NEEDS_MEETING', at },
    { type: 'COMPLETE_ASSESSMENT', at },
    { type: 'SUBMIT_PLAN', at },
    { type: 'APPROVE_PLAN', at },
    { type: 'REJECT_PLAN', at, comment: 'Add a school follow-up' },
    { type: 'START_REVIEW', at },
    { type: 'REQUEST_CLOSURE', at },
    { type: 'REPLAN', at },
    { type: 'APPROVE_CLOSURE', at },
    { type: 'REJECT_CLOSURE', at, comment: 'Review the home visit first' },
    { type: 'REOPEN', at, reason: 'New report from the school' },
    { type: 'TRANSFER', at, toOrgId: transferToOrgId },
  ];
}

// Guards read only these facts, so timestamps and counters must not split vertices (they would
// make the graph infinite). The commune is left out too: the single transfer sample is refused
// once taken, which keeps every path to at most one transfer.
function vertexOf(snapshot: CaseSnapshot): string {
  const state = stateKeyOf(snapshot);
  if (state === 'emergency' && snapshot.context.emergencyMeasuresAt) return 'emergency+measures';
  if (state === 'detailedAssessment' && snapshot.context.needsMeetingAt) return 'detailedAssessment+meeting';
  return state;
}

/**
 * Traversal options for xstate/graph. A vertex is a state together with the transition that
 * entered it, so shortest paths to all vertices cover every transition, not just every state.
 */
export function caseTraversalOptions(
  options: CasePathOptions = DEFAULT_CASE_PATH_OPTIONS,
): TraversalOptions<CaseSnapshot, CaseEvent, CaseInput> {
  return {
    input: options.input,
    events: caseEventSamples(options),
    filterEvents: (snapshot, event) => snapshot.can(event),
    serializeState: (snapshot, event, previous) =>
      previous ? `${vertexOf(previous)} -${event?.type}-> ${vertexOf(snapshot)}` : vertexOf(snapshot),
  };
}

export function generateCasePaths(options: CasePathOptions = DEFAULT_CASE_PATH_OPTIONS): CasePath[] {
  const start = Date.parse(options.input.receivedAt);
  // The test model drops paths that are a prefix of another one.
  const paths = createTestModel(caseMachine, caseTraversalOptions(options)).getShortestPaths();
  return paths.map((path) => ({
    // steps[0] is the initial state, reached by xstate.init.
    events: path.steps.slice(1).map((step, i) => ({
      ...step.event,
      at: new Date(start + (i + 1) * STEP_MS).toISOString(),
    })),
    finalState: stateKeyOf(path.state),
  }));
}
