/**
 * Dated casework (services to deliver, follow-up visits to make): where each stands today in Viet Nam,
 * which case states it may be recorded in, and the fields of its forms.
 */
import { z } from 'zod';
import type { CaseRow } from '../../cases/repository.js';
import { dateKeyInVietnam, type DateKey } from '../../calendar/working-days.js';
import { dateField } from '../assessments/step-support.js';

export type DueState = 'done' | 'overdue' | 'due';

export interface DueStatus {
  state: DueState;
  /** Whole days from today to the due date: negative once overdue. */
  days: number;
}

const DAY_MS = 86_400_000;

export function todayInVietnam(now: Date = new Date()): DateKey {
  return dateKeyInVietnam(now);
}

function daysBetween(from: DateKey, to: DateKey): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** Done once its date is recorded; due up to and including its due date; overdue from the next day. */
export function dueStatus(dueOn: DateKey, doneOn: DateKey | null, today: DateKey = todayInVietnam()): DueStatus {
  const days = daysBetween(today, dueOn);
  if (doneOn !== null) return { state: 'done', days };
  return { state: days < 0 ? 'overdue' : 'due', days };
}

/**
 * Services and follow-ups carry out the approved plan (Art. 29) and are checked at its review
 * (Art. 30); a visit made while the chairperson decides on closure is still recorded.
 */
export const SERVING_STATES: readonly string[] = ['implementation', 'review', 'closureRequested'];

export function isServing(row: Pick<CaseRow, 'state'>): boolean {
  return SERVING_STATES.includes(row.state);
}

const TEXT_MAX = 4000;

export const requiredText = z.string('form.required').trim().min(1, 'form.required').max(TEXT_MAX, 'form.too_long');
export const optionalText = z
  .string()
  .trim()
  .max(TEXT_MAX, 'form.too_long')
  .optional()
  .transform((value) => (value ? value : null));

/** A due date; and a date something happened, which cannot be after today in Viet Nam. */
export const dueDateField = dateField();
export const pastDateField = (): ReturnType<typeof dateField> => dateField({ notAfter: new Date() });
