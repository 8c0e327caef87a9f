// The case workflow of Decree 56/2017/NĐ-CP Art. 25–30 as a pure statechart: the service supplies
// every timestamp in the events and persists `actor.getPersistedSnapshot()` as JSON.
import { assign, setup } from 'xstate';
import type { SnapshotFrom } from 'xstate';

// Bump when a change would misread snapshots persisted by an older version.
export const CASE_MACHINE_VERSION = 1;

export const OPEN_STATES = [
  'intake',
  'verification',
  'emergency',
  'detailedAssessment',
  'planning',
  'awaitingApproval',
  'implementation',
  'review',
  'closureRequested',
] as const;
export const CASE_STATES = [...OPEN_STATES, 'closed', 'merged'] as const;

export type OpenState = (typeof OPEN_STATES)[number];
export type CaseState = (typeof CASE_STATES)[number];
export type ProtectionLevel = 'support' | 'intervention';
export type ClosureKind = 'unfounded' | 'resolved';

export interface CaseInput {
  orgId: number;
  receivedAt: string;
}

// What a reopening clears: the next episode must be verified, assessed and planned afresh,
// so the guards cannot be satisfied by the previous episode's measures or meeting.
const FRESH_EPISODE = {
  level: null,
  emergencyDeclaredAt: null,
  emergencyMeasuresAt: null,
  needsMeetingAt: null,
  planStartedAt: null,
  planSubmittedAt: null,
  closureKind: null,
  closedReason: null,
} as const;

export type CaseContext = {
  /** The responsible commune. */
  orgId: number;
  receivedAt: string;
  /** A reopening is new information, so the 12-hour emergency clock runs from it. */
  reopenedAt: string | null;
  level: ProtectionLevel | null;
  emergencyDeclaredAt: string | null;
  emergencyMeasuresAt: string | null;
  needsMeetingAt: string | null;
  planStartedAt: string | null;
  planSubmittedAt: string | null;
  planRejections: number;
  closureKind: ClosureKind | null;
  /** Only for unfounded closures; a resolved closure's reason is the review itself. */
  closedReason: string | null;
  mergedIntoCaseId: number | null;
  reopenCount: number;
  transferCount: number;
};

export type CaseEvent =
  | { type: 'TAKE'; at: string }
  | { type: 'DECLARE_EMERGENCY'; at: string }
  | { type: 'RECORD_EMERGENCY_MEASURES'; at: string }
  | { type: 'CLOSE_UNFOUNDED'; at: string; reason: string }
  | { type: 'MARK_DUPLICATE'; at: string; intoCaseId: number }
  | { type: 'DECIDE_SUPPORT'; at: string }
  | { type: 'DECIDE_INTERVENTION'; at: string }
  | { type: 'RECORD_NEEDS_MEETING'; at: string }
  | { type: 'COMPLETE_ASSESSMENT'; at: string }
  | { type: 'SUBMIT_PLAN'; at: string }
  | { type: 'APPROVE_PLAN'; at: string }
  | { type: 'REJECT_PLAN'; at: string; comment: string }
  | { type: 'START_REVIEW'; at: string }
  | { type: 'REQUEST_CLOSURE'; at: string }
  | { type: 'REPLAN'; at: string }
  | { type: 'APPROVE_CLOSURE'; at: string }
  | { type: 'REJECT_CLOSURE'; at: string; comment: string }
  | { type: 'REOPEN'; at: string; reason: string }
  | { type: 'TRANSFER'; at: string; toOrgId: number };
export type CaseEventType = CaseEvent['type'];

const isPositiveId = (id: number): boolean => Number.isInteger(id) && id > 0;

export const caseMachine = setup({
  types: {
    context: {} as CaseContext,
    events: {} as CaseEvent,
    input: {} as CaseInput,
  },
  guards: {
    hasText: (_, params: { text: string }) => params.text.trim() !== '',
    isCaseId: (_, params: { caseId: number }) => isPositiveId(params.caseId),
    isOtherCommune: ({ context }, params: { orgId: number }) =>
      isPositiveId(params.orgId) && params.orgId !== context.orgId,
    emergencyMeasuresRecorded: ({ context }) => context.emergencyMeasuresAt !== null,
    needsMeetingRecorded: ({ context }) => context.needsMeetingAt !== null,
  },
  actions: {
    declareEmergency: assign({ emergencyDeclaredAt: ({ event }) => event.at }),
    // Later records amend the measures; the first is the one the 12-hour deadline judges.
    recordEmergencyMeasures: assign({
      emergencyMeasuresAt: ({ context, event }) => context.emergencyMeasuresAt ?? event.at,
    }),
    closeUnfounded: assign((_, params: { reason: string }) => ({
      closureKind: 'unfounded' as const,
      closedReason: params.reason.trim(),
    })),
    recordMerge: assign((_, params: { caseId: number }) => ({ mergedIntoCaseId: params.caseId })),
    setLevel: assign((_, params: { level: ProtectionLevel }) => ({ level: params.level })),
    recordNeedsMeeting: assign({ needsMeetingAt: ({ event }) => event.at }),
    startPlanClock: assign({ planStartedAt: ({ event }) => event.at }),
    recordPlanSubmitted: assign({ planSubmittedAt: ({ event }) => event.at }),
    countPlanRejection: assign({ planRejections: ({ context }) => context.planRejections + 1 }),
    closeResolved: assign({ closureKind: 'resolved' as const }),
    reopen: assign(({ context, event }) => ({
      ...FRESH_EPISODE,
      reopenedAt: event.at,
      reopenCount: context.reopenCount + 1,
    })),
    transfer: assign(({ context }, params: { orgId: number }) => ({
      orgId: params.orgId,
      transferCount: context.transferCount + 1,
    })),
  },
}).createMachine({
  id: 'case',
  context: ({ input }) => ({
    orgId: input.orgId,
    receivedAt: input.receivedAt,
    reopenedAt: null,
    ...FRESH_EPISODE,
    planRejections: 0,
    mergedIntoCaseId: null,
    reopenCount: 0,
    transferCount: 0,
  }),
  initial: 'open',
  states: {
    open: {
      initial: 'intake',
      on: {
        // Targetless, so the case keeps its place in the process when the child moves.
        TRANSFER: {
          guard: { type: 'isOtherCommune', params: ({ event }) => ({ orgId: event.toOrgId }) },
          actions: { type: 'transfer', params: ({ event }) => ({ orgId: event.toOrgId }) },
        },
      },
      states: {
        intake: {
          on: {
            TAKE: 'verification',
            DECLARE_EMERGENCY: { target: 'emergency', actions: 'declareEmergency' },
          },
        },
        verification: {
          on: {
            DECLARE_EMERGENCY: { target: 'emergency', actions: 'declareEmergency' },
            CLOSE_UNFOUNDED: {
              guard: { type: 'hasText', params: ({ event }) => ({ text: event.reason }) },
              target: '#case.closed',
              actions: { type: 'closeUnfounded', params: ({ event }) => ({ reason: event.reason }) },
            },
            MARK_DUPLICATE: {
              guard: { type: 'isCaseId', params: ({ event }) => ({ caseId: event.intoCaseId }) },
              target: '#case.merged',
              actions: { type: 'recordMerge', params: ({ event }) => ({ caseId: event.intoCaseId }) },
            },
            DECIDE_SUPPORT: {
              target: 'detailedAssessment',
              actions: { type: 'setLevel', params: { level: 'support' } },
            },
            DECIDE_INTERVENTION: {
              target: 'detailedAssessment',
              actions: { type: 'setLevel', params: { level: 'intervention' } },
            },
          },
        },
        // Emergency measures belong to verification (Art. 25.2, 31–32), so an emergency ends with
        // the same level decision, once the measures (Mẫu 07) are on record.
        emergency: {
          on: {
            RECORD_EMERGENCY_MEASURES: { actions: 'recordEmergencyMeasures' },
            DECIDE_SUPPORT: {
              guard: 'emergencyMeasuresRecorded',
              target: 'detailedAssessment',
              actions: { type: 'setLevel', params: { level: 'support' } },
            },
            DECIDE_INTERVENTION: {
              guard: 'emergencyMeasuresRecorded',
              target: 'detailedAssessment',
              actions: { type: 'setLevel', params: { level: 'intervention' } },
            },
          },
        },
        detailedAssessment: {
          on: {
            RECORD_NEEDS_MEETING: { actions: 'recordNeedsMeeting' },
            COMPLETE_ASSESSMENT: { guard: 'needsMeetingRecorded', target: 'planning' },
          },
        },
        planning: {
          // Restarted on every entry: a rejected or revised plan gets its own 5 working days.
          entry: 'startPlanClock',
          on: {
            SUBMIT_PLAN: { target: 'awaitingApproval', actions: 'recordPlanSubmitted' },
          },
        },
        awaitingApproval: {
          on: {
            APPROVE_PLAN: 'implementation',
            REJECT_PLAN: {
              guard: { type: 'hasText', params: ({ event }) => ({ text: event.comment }) },
              target: 'planning',
              actions: 'countPlanRejection',
            },
          },
        },
        // Services, referrals and follow-ups are recorded outside the machine.
        implementation: {
          on: { START_REVIEW: 'review' },
        },
        review: {
          on: {
            REQUEST_CLOSURE: 'closureRequested',
            REPLAN: 'planning',
          },
        },
        closureRequested: {
          on: {
            APPROVE_CLOSURE: { target: '#case.closed', actions: 'closeResolved' },
            REJECT_CLOSURE: {
              guard: { type: 'hasText', params: ({ event }) => ({ text: event.comment }) },
              target: 'review',
            },
          },
        },
      },
    },
    closed: {
      on: {
        REOPEN: {
          guard: { type: 'hasText', params: ({ event }) => ({ text: event.reason }) },
          target: 'open.verification',
          actions: 'reopen',
        },
      },
    },
    merged: { type: 'final' },
  },
});

export type CaseSnapshot = SnapshotFrom<typeof caseMachine>;

/** The leaf state, for the indexed state column. Accepts a live or a persisted snapshot. */
export function stateKeyOf(snapshot: Pick<CaseSnapshot, 'value'>): CaseState {
  const { value } = snapshot;
  return typeof value === 'string' ? value : value.open;
}

export function isOpenState(state: CaseState): state is OpenState {
  return (OPEN_STATES as readonly CaseState[]).includes(state);
}

export type LegalClock = 'emergency12h' | 'plan5WorkingDays';

/** Which legal deadline runs while a case is in `state`; the service computes the due time. */
export function clockFor(state: CaseState): LegalClock | null {
  if (state === 'emergency') return 'emergency12h';
  if (state === 'planning') return 'plan5WorkingDays';
  return null;
}

/** When `clock` started: receipt of the information (Art. 25–26), or entry into planning. */
export function clockStartedAt(clock: LegalClock, context: CaseContext): string | null {
  return clock === 'emergency12h' ? (context.reopenedAt ?? context.receivedAt) : context.planStartedAt;
}
