import type { FLAG_STATUSES } from './schema.js';

export type FlagStatus = (typeof FLAG_STATUSES)[number];

/** All a teacher is told about a flag they raised: never the case, its reference or its details. */
export type CoarseStatus = 'received' | 'in_progress' | 'closed';

const FINISHED_CASE_STATES: ReadonlySet<string> = new Set(['closed', 'merged']);

/**
 * A flag waiting for the lead, or a forwarded one the commune has not yet taken up, is "received";
 * a case being worked on is "in progress"; a closed or merged case, or the lead's decision that no
 * further action is needed, is "closed".
 */
export function coarseStatus(flagStatus: FlagStatus, caseState: string | null): CoarseStatus {
  if (flagStatus === 'no_action') return 'closed';
  if (flagStatus === 'new' || caseState === null || caseState === 'intake') return 'received';
  return FINISHED_CASE_STATES.has(caseState) ? 'closed' : 'in_progress';
}
