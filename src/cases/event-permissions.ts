import type { Action } from '../permissions/rules.js';
import type { CaseEventType } from './workflow/machine.js';

/** Which permission each workflow event needs: the machine says what may happen next, these rules say who. */
export const EVENT_PERMISSIONS: Record<CaseEventType, Action> = {
  TAKE: 'case.triage',
  DECLARE_EMERGENCY: 'case.work',
  RECORD_EMERGENCY_MEASURES: 'case.work',
  CLOSE_UNFOUNDED: 'case.work',
  MARK_DUPLICATE: 'case.work',
  DECIDE_SUPPORT: 'case.work',
  DECIDE_INTERVENTION: 'case.work',
  RECORD_NEEDS_MEETING: 'case.work',
  COMPLETE_ASSESSMENT: 'case.work',
  SUBMIT_PLAN: 'case.work',
  APPROVE_PLAN: 'case.approve',
  REJECT_PLAN: 'case.approve',
  START_REVIEW: 'case.work',
  REQUEST_CLOSURE: 'case.work',
  REPLAN: 'case.work',
  APPROVE_CLOSURE: 'case.approve',
  REJECT_CLOSURE: 'case.approve',
  REOPEN: 'case.reopen',
  TRANSFER: 'case.transfer',
};
