import { z } from 'zod';
import { parseDateInput, vietnamInstant } from '../intake/form.js';
import { parseForm, type FormResult } from '../web/forms.js';
import { CALL_TYPES, CASE_CALL_TYPES, type CallType } from './schema.js';

/** How the information reached the hotline (Mẫu 01). */
export const CALL_MEDIA = ['phone', 'in_person', 'third_party'] as const;

/** Coded, not free text, so statistics can count who calls; never identifies the caller. */
export const CALLER_RELATIONS = ['self', 'parent', 'relative', 'neighbour', 'teacher', 'friend', 'professional', 'other'] as const;

/** A call entered more than a year late is almost certainly a typing error in the year. */
const OLDEST_CALL_MS = 366 * 24 * 3_600_000;
/** Operators' clocks drift a little; a call "from the future" beyond this is a typing error. */
const CLOCK_SKEW_MS = 5 * 60_000;

const callSchema = z.object({
  call_type: z.enum(CALL_TYPES, 'hotline.call_type_required'),
  medium: z
    .enum(['', ...CALL_MEDIA], 'form.invalid')
    .optional()
    .transform((value) => value || 'phone'),
  caller_relation: z
    .enum(['', ...CALLER_RELATIONS], 'form.invalid')
    .optional()
    .transform((value) => value || null),
  call_date: z.string().trim().optional(),
  call_time: z.string().trim().optional(),
});

export interface CallDetails {
  callType: CallType;
  medium: (typeof CALL_MEDIA)[number];
  callerRelation: (typeof CALLER_RELATIONS)[number] | null;
  receivedAt: string;
}

export function isCaseCall(callType: CallType): boolean {
  return CASE_CALL_TYPES.includes(callType);
}

/**
 * The call itself: its type, how it came in, and when, read on a Viet Nam clock. Both date and time
 * left empty mean "now", which is what the quick buttons for silent and hang-up calls send.
 */
export function parseCall(body: unknown, now: Date): FormResult<CallDetails> {
  const form = parseForm(callSchema, body);
  if (!form.ok) return form;
  const { data } = form;
  let receivedAt = now;
  if (data.call_date || data.call_time) {
    const date = data.call_date ? parseDateInput(data.call_date) : null;
    if (!date) return { ok: false, errors: { call_date: data.call_date ? 'hotline.call_date_invalid' : 'form.required' }, values: form.values };
    const instant = data.call_time ? vietnamInstant(date, data.call_time) : null;
    if (!instant) return { ok: false, errors: { call_time: data.call_time ? 'hotline.call_time_invalid' : 'form.required' }, values: form.values };
    if (instant.getTime() > now.getTime() + CLOCK_SKEW_MS || instant.getTime() < now.getTime() - OLDEST_CALL_MS) {
      return { ok: false, errors: { call_date: 'hotline.call_time_out_of_range' }, values: form.values };
    }
    receivedAt = instant;
  }
  return {
    ok: true,
    data: { callType: data.call_type, medium: data.medium, callerRelation: data.caller_relation, receivedAt: receivedAt.toISOString() },
    values: form.values,
  };
}
