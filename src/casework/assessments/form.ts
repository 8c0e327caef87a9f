/** The forms of the assessment steps: risk ratings (Mẫu 02/03), the needs meeting (Art. 27). */
import { z } from 'zod';
import { fieldSchema } from '../../cases/actions.js';
import { NARRATIVE_MAX } from '../../intake/form.js';
import { RISK_LEVELS } from '../schema.js';
import { riskItemsFor, type AssessmentKind, type RiskRating } from './risk.js';

const NOTE_MAX = 500;
const PARTICIPANTS_MAX = 2000;

const narrative = (required: boolean) => {
  const trimmed = z.string('form.required').trim().max(NARRATIVE_MAX, 'form.too_long');
  return required ? trimmed.min(1, 'form.required') : trimmed.optional().transform((value) => value ?? '');
};

/** Each item of the kind's list rated high, medium or low (field <item>), with an optional short note (<item>_note). */
function ratingFields(kind: AssessmentKind): Record<string, z.ZodType> {
  return Object.fromEntries(
    riskItemsFor(kind).flatMap((item) => [
      [item.id, z.enum(RISK_LEVELS, 'assessment.rating_required')],
      [`${item.id}_note`, z.string().trim().max(NOTE_MAX, 'form.too_long').optional().transform((value) => value ?? '')],
    ]),
  );
}

export const initialAssessmentSchema = z.object({ ...ratingFields('initial'), summary: narrative(false) });
export const detailedAssessmentSchema = z.object({ ...ratingFields('detailed'), summary: narrative(false), needs: narrative(true) });

/** The ratings of a checked form, in the order of the kind's list. */
export function ratingsFrom(kind: AssessmentKind, data: Record<string, unknown>): RiskRating[] {
  return riskItemsFor(kind).map((item) => ({
    item: item.id,
    rating: data[item.id] as RiskRating['rating'],
    note: typeof data[`${item.id}_note`] === 'string' ? (data[`${item.id}_note`] as string) : '',
  }));
}

export interface NeedsMeetingInput {
  /** ISO UTC, from a date and time typed in Viet Nam; not in the future. */
  held_at: string;
  participants: string;
  minutes: string;
}

export function needsMeetingSchema(now: Date): z.ZodType<NeedsMeetingInput> {
  return z.object({
    held_at: fieldSchema({ name: 'held_at', kind: 'time', label: 'needsMeeting.held_at', required: true }, now) as z.ZodType<string>,
    participants: z.string('form.required').trim().min(1, 'form.required').max(PARTICIPANTS_MAX, 'form.too_long'),
    minutes: narrative(true),
  });
}
