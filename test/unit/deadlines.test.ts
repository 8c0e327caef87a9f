import { describe, expect, it } from 'vitest';
import { VIETNAM_PUBLIC_HOLIDAYS } from '../../src/calendar/vietnam-holidays.js';
import type { DateKey } from '../../src/calendar/working-days.js';
import { deadlinesFor } from '../../src/cases/deadlines.js';
import { CASE_STATES, type CaseContext, type CaseState } from '../../src/cases/workflow/machine.js';

const HOLIDAYS: ReadonlySet<DateKey> = new Set(VIETNAM_PUBLIC_HOLIDAYS.map((day) => day.date));
const NONE: ReadonlySet<DateKey> = new Set();
// Thursday 12 February 2026, 08:00 in Viet Nam, two days before the Tết break (Sat 14 – Sun 22).
const RECEIVED_AT = '2026-02-12T01:00:00.000Z';
const TWELVE_HOURS_LATER = '2026-02-12T13:00:00.000Z';

function context(overrides: Partial<CaseContext> = {}): CaseContext {
  return {
    orgId: 1,
    receivedAt: RECEIVED_AT,
    reopenedAt: null,
    level: null,
    emergencyDeclaredAt: null,
    emergencyMeasuresAt: null,
    needsMeetingAt: null,
    planStartedAt: null,
    planSubmittedAt: null,
    planRejections: 0,
    closureKind: null,
    closedReason: null,
    mergedIntoCaseId: null,
    reopenCount: 0,
    transferCount: 0,
    ...overrides,
  };
}

const NONE_RUNNING = { emergencyDueAt: null, planDueAt: null, nextDueAt: null };

describe('the 12-hour clock (Decree 56 Art. 25.2, 31–32)', () => {
  it.each(['intake', 'verification', 'emergency'] as const)('runs from receipt of the information in %s', (state) => {
    expect(deadlinesFor(state, context({ emergencyDeclaredAt: state === 'emergency' ? '2026-02-12T02:00:00.000Z' : null }), HOLIDAYS)).toEqual({
      emergencyDueAt: TWELVE_HOURS_LATER,
      planDueAt: null,
      nextDueAt: TWELVE_HOURS_LATER,
    });
  });

  it('ignores weekends and holidays: it counts hours, not working days', () => {
    const friday = '2026-02-13T10:00:00.000Z';
    expect(deadlinesFor('intake', context({ receivedAt: friday }), HOLIDAYS).emergencyDueAt).toBe('2026-02-13T22:00:00.000Z');
  });

  it('stops once emergency measures are on record', () => {
    const measured = context({ emergencyDeclaredAt: '2026-02-12T02:00:00.000Z', emergencyMeasuresAt: '2026-02-12T06:00:00.000Z' });
    expect(deadlinesFor('emergency', measured, HOLIDAYS)).toEqual(NONE_RUNNING);
  });

  it('restarts from the reopening, which is new information', () => {
    const reopenedAt = '2026-06-01T03:00:00.000Z';
    expect(deadlinesFor('verification', context({ reopenedAt, reopenCount: 1 }), HOLIDAYS)).toEqual({
      emergencyDueAt: '2026-06-01T15:00:00.000Z',
      planDueAt: null,
      nextDueAt: '2026-06-01T15:00:00.000Z',
    });
  });

  it('does not run once the worker has decided the level of protection', () => {
    for (const state of ['detailedAssessment', 'awaitingApproval', 'implementation', 'review', 'closureRequested', 'closed', 'merged'] as const) {
      expect(deadlinesFor(state, context(), HOLIDAYS), state).toEqual(NONE_RUNNING);
    }
  });
});

describe('the plan deadline: 5 working days (Decree 56 Art. 28.1)', () => {
  it('skips the Tết 2026 break: a plan started on Thu 12/02 is due at the end of Thu 26/02 in Viet Nam', () => {
    const planning = context({ level: 'support', needsMeetingAt: '2026-02-12T04:00:00.000Z', planStartedAt: '2026-02-12T05:00:00.000Z' });
    expect(deadlinesFor('planning', planning, HOLIDAYS)).toEqual({
      emergencyDueAt: null,
      planDueAt: '2026-02-26T16:59:59.999Z',
      nextDueAt: '2026-02-26T16:59:59.999Z',
    });
    // Without the calendar only the weekend would be skipped.
    expect(deadlinesFor('planning', planning, NONE).planDueAt).toBe('2026-02-19T16:59:59.999Z');
  });

  it("counts from the plan's start date in Viet Nam, not in UTC", () => {
    // 23:30 on Thursday in Viet Nam: Thursday is the start date, so Friday is the first working day.
    expect(deadlinesFor('planning', context({ planStartedAt: '2026-02-12T16:30:00.000Z' }), HOLIDAYS).planDueAt).toBe('2026-02-26T16:59:59.999Z');
    // 00:30 on Friday in Viet Nam: the count starts after Friday.
    expect(deadlinesFor('planning', context({ planStartedAt: '2026-02-12T17:30:00.000Z' }), HOLIDAYS).planDueAt).toBe('2026-02-27T16:59:59.999Z');
  });

  it('runs only in planning', () => {
    const started = context({ planStartedAt: '2026-03-02T02:00:00.000Z' });
    for (const state of CASE_STATES.filter((s): s is Exclude<CaseState, 'planning'> => s !== 'planning')) {
      expect(deadlinesFor(state, started, HOLIDAYS).planDueAt, state).toBeNull();
    }
    expect(deadlinesFor('planning', context(), HOLIDAYS)).toEqual(NONE_RUNNING);
  });
});

describe('nextDueAt', () => {
  it('is the earliest running deadline, or null when none runs', () => {
    for (const state of CASE_STATES) {
      const result = deadlinesFor(state, context({ planStartedAt: '2026-02-12T05:00:00.000Z' }), HOLIDAYS);
      const running = [result.emergencyDueAt, result.planDueAt].filter((due): due is string => due !== null).sort();
      expect(result.nextDueAt, state).toBe(running[0] ?? null);
    }
  });
});
