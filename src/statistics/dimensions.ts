/**
 * What statistics count, as data: the categories of every table and the only child attributes ever
 * used (age band and sex). Nothing else about a child or a case leaves the case file.
 */
import { INTAKE_CHANNELS, type IntakeChannel } from '../cases/schema.js';
import type { CaseState } from '../cases/workflow/machine.js';
import { FLAG_STATUSES } from '../flags/schema.js';
import { CALL_TYPES } from '../hotline/schema.js';
import type { TaxonomyGroupKind } from '../taxonomy/seed-data.js';

export const CHANNELS: readonly IntakeChannel[] = INTAKE_CHANNELS;

/** The workflow states, grouped into stages a board member can read (fewer, fuller cells). */
export const STAGES = ['intake', 'emergency', 'assessment', 'planning', 'implementation', 'closed', 'merged'] as const;
export type Stage = (typeof STAGES)[number];

const STAGE_OF: Record<CaseState, Stage> = {
  intake: 'intake',
  verification: 'intake',
  emergency: 'emergency',
  detailedAssessment: 'assessment',
  planning: 'planning',
  awaitingApproval: 'planning',
  implementation: 'implementation',
  review: 'implementation',
  closureRequested: 'implementation',
  closed: 'closed',
  merged: 'merged',
};

export function stageOf(state: string): Stage {
  return STAGE_OF[state as CaseState] ?? 'intake';
}

export const RISKS = ['high', 'medium', 'low', 'none'] as const;
export type Risk = (typeof RISKS)[number];

export const OUTCOMES = ['resolved', 'unfounded', 'merged'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The only child attributes statistics use, in bands too wide to single a child out. */
export const AGE_BANDS = ['0-5', '6-10', '11-15', '16-17', 'unknown'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];
export const SEX_KEYS = ['female', 'male', 'unknown'] as const;
export type SexKey = (typeof SEX_KEYS)[number];

export function ageBandOf(age: number | null): AgeBand {
  if (age === null || !Number.isFinite(age) || age < 0 || age > 17) return 'unknown';
  if (age <= 5) return '0-5';
  if (age <= 10) return '6-10';
  if (age <= 15) return '11-15';
  return '16-17';
}

export const FLAG_STATUS_KEYS = FLAG_STATUSES;
export const CALL_TYPE_KEYS = CALL_TYPES;

/**
 * Where a case is counted: at a school (a teacher's concern, or a pupil of the school) or at the
 * commune responsible for it; calls that opened no case are counted at the hotline ('other').
 */
export const LEVELS = ['school', 'commune', 'other'] as const;
export type Level = (typeof LEVELS)[number];
export const LEVEL_FILTERS = ['all', 'school', 'commune'] as const;
export type LevelFilter = (typeof LEVEL_FILTERS)[number];

export const GROUP_FILTERS = ['all', 'abuse', 'child_labour', 'special_circumstances'] as const satisfies readonly ('all' | TaxonomyGroupKind)[];
export type GroupFilter = (typeof GROUP_FILTERS)[number];

/** The counters kept per month; each table reads one of them. */
export const METRICS = {
  flags: 'flag',
  channels: 'channel',
  calls: 'call',
  categories: 'category',
  risk: 'risk',
  stage: 'stage',
  outcome: 'outcome',
  age: 'age',
  sex: 'sex',
  units: 'unit',
  triage: 'triage',
  emergency: 'emergency',
  plan: 'plan',
  approval: 'approval',
  closure: 'closure_days',
  reopen: 'reopen',
} as const;
export type Metric = (typeof METRICS)[keyof typeof METRICS];

/** Indicator metrics are read for one period only; table metrics for the whole timeline. */
export const TABLE_METRICS: readonly Metric[] = ['flag', 'channel', 'call', 'category', 'risk', 'stage', 'outcome', 'age', 'sex', 'unit'];
export const INDICATOR_METRICS: readonly Metric[] = ['triage', 'emergency', 'plan', 'approval', 'closure_days', 'reopen'];
