import { addWorkingDays, type DateKey } from '../calendar/working-days.js';
import { clockStartedAt, type CaseContext, type CaseState } from './workflow/machine.js';

export const EMERGENCY_CLOCK_MS = 12 * 3_600_000;
export const PLAN_WORKING_DAYS = 5;

export interface CaseDeadlines {
  emergencyDueAt: string | null;
  planDueAt: string | null;
  nextDueAt: string | null;
}

/** States in which the 12-hour clock runs: until the worker has decided, or emergency measures are on record. */
const EMERGENCY_CLOCK_STATES: ReadonlySet<CaseState> = new Set(['intake', 'verification', 'emergency']);

/**
 * The legal deadlines that run in a state, computed when the state is entered (Decree 56 Art. 25–28):
 * 12 hours from receipt of the information for emergency measures, and 5 working days for the plan.
 */
export function deadlinesFor(state: CaseState, context: CaseContext, holidays: ReadonlySet<DateKey>): CaseDeadlines {
  const emergencyStart = clockStartedAt('emergency12h', context);
  const emergencyRunning = EMERGENCY_CLOCK_STATES.has(state) && !(state === 'emergency' && context.emergencyMeasuresAt !== null);
  const emergencyDueAt =
    emergencyRunning && emergencyStart ? new Date(Date.parse(emergencyStart) + EMERGENCY_CLOCK_MS).toISOString() : null;
  const planStart = clockStartedAt('plan5WorkingDays', context);
  const planDueAt =
    state === 'planning' && planStart ? addWorkingDays(new Date(planStart), PLAN_WORKING_DAYS, holidays).toISOString() : null;
  const running = [emergencyDueAt, planDueAt].filter((due): due is string => due !== null).sort();
  return { emergencyDueAt, planDueAt, nextDueAt: running[0] ?? null };
}
