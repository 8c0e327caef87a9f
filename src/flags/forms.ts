import { z } from 'zod';
import { dateKeyInVietnam } from '../calendar/working-days.js';
import { SEXES } from '../children/schema.js';
import { parseForm, type FieldErrors, type FormValues } from '../web/forms.js';
import { bodyMapFromForm } from './body-map.js';
import type { NewFlag } from './service.js';

export const DESCRIPTION_MAX_LENGTH = 5000;
/** Schools teach up to 18; the law's "child" is under 16, but a flag about an older pupil still matters. */
const MAX_PUPIL_AGE = 18;

const asList = (value: unknown): unknown => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** A real calendar date, not in the future, at most MAX_PUPIL_AGE + 1 years back. */
function isPlausibleBirthDate(value: string, now: Date): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) return false;
  const today = dateKeyInVietnam(now);
  return value <= today && Number(value.slice(0, 4)) >= Number(today.slice(0, 4)) - MAX_PUPIL_AGE - 1;
}

const flagSchema = z.object({
  child_id: z.string('flag.pupil_required').regex(/^(new|[1-9]\d{0,15})$/, 'flag.pupil_required'),
  categories: z.preprocess(asList, z.array(z.string().max(64, 'form.invalid')).min(1, 'flag.categories_required').max(40, 'form.invalid')),
  description: z.string('form.required').trim().min(1, 'form.required').max(DESCRIPTION_MAX_LENGTH, 'form.too_long'),
  immediate_danger: z.enum(['yes', 'no'], 'flag.danger_required'),
});

const isAge = (value: string): boolean => /^\d{1,2}$/.test(value) && Number(value) <= MAX_PUPIL_AGE;

/** Checked on its own, so a teacher sees what is missing about the new pupil and the rest of the form at once. */
const newPupilSchema = z.object({
  new_full_name: z.string('flag.pupil_name_required').trim().min(2, 'flag.pupil_name_required').max(120, 'form.too_long'),
  new_birth_date: z
    .string()
    .trim()
    .refine((value) => value === '' || isPlausibleBirthDate(value, new Date()), 'flag.birth_date_invalid')
    .optional(),
  new_age: z
    .string()
    .trim()
    .refine((value) => value === '' || isAge(value), 'flag.age_invalid')
    .optional(),
  new_sex: z.enum(SEXES, 'flag.sex_required'),
  new_class: z.string().trim().max(20, 'form.too_long').optional(),
});

/** Mẫu 01 asks for the date of birth or, failing that, an age. */
function lacksBirthAndAge(body: Record<string, unknown>): boolean {
  const filled = (value: unknown): boolean => typeof value === 'string' && value.trim() !== '';
  return !filled(body.new_birth_date) && !filled(body.new_age);
}

type FlagFields = z.output<typeof flagSchema>;
type NewPupilFields = z.output<typeof newPupilSchema>;

/**
 * A teacher who typed a new pupil's name but did not tick "new pupil" meant a new pupil: the form is
 * read that way rather than refused.
 */
function withImpliedNewPupil(body: unknown): Record<string, unknown> {
  const fields = body && typeof body === 'object' ? { ...(body as Record<string, unknown>) } : {};
  const name = typeof fields.new_full_name === 'string' ? fields.new_full_name.trim() : '';
  if ((fields.child_id === undefined || fields.child_id === '') && name !== '') fields.child_id = 'new';
  return fields;
}

function pupilOf(fields: FlagFields, pupil: NewPupilFields | null): NewFlag['pupil'] {
  if (!pupil) return { id: Number(fields.child_id) };
  return {
    fullName: pupil.new_full_name,
    birthDate: pupil.new_birth_date || null,
    estimatedAge: pupil.new_birth_date || !pupil.new_age ? null : Number(pupil.new_age),
    sex: pupil.new_sex,
    className: pupil.new_class || null,
  };
}

export type FlagFormResult =
  | { ok: true; flag: Omit<NewFlag, 'schoolOrgId'>; values: FormValues }
  | { ok: false; errors: FieldErrors; values: FormValues };

/**
 * Reads the whole flag form: its fields, the new pupil's details when "not on the list" was chosen
 * (or implied), and the body map. Every problem is reported at once, keyed by field.
 */
export function parseFlagForm(rawBody: unknown): FlagFormResult {
  const body = withImpliedNewPupil(rawBody);
  const fields = parseForm(flagSchema, body);
  const pupil = body.child_id === 'new' ? parseForm(newPupilSchema, body) : null;
  const bodyMap = bodyMapFromForm(body);
  const errors: FieldErrors = { ...(fields.ok ? {} : fields.errors), ...(pupil && !pupil.ok ? pupil.errors : {}) };
  if (pupil && lacksBirthAndAge(body)) errors.new_birth_date = 'flag.birth_or_age_required';
  if (!bodyMap.ok) errors.body_map = bodyMap.problem === 'note_too_long' ? 'flag.body_note_too_long' : 'form.invalid';
  if (!fields.ok || (pupil && !pupil.ok) || !bodyMap.ok || Object.keys(errors).length > 0) return { ok: false, errors, values: fields.values };
  return {
    ok: true,
    values: fields.values,
    flag: {
      pupil: pupilOf(fields.data, pupil ? pupil.data : null),
      categories: fields.data.categories,
      description: fields.data.description,
      immediateDanger: fields.data.immediate_danger === 'yes',
      bodyMap: bodyMap.marks,
    },
  };
}

export const forwardSchema = z.object({
  commune_id: z.coerce.number('form.required').int('form.required').positive('form.required'),
  lead_context: z.string().trim().max(DESCRIPTION_MAX_LENGTH, 'form.too_long').optional(),
});

export const noActionSchema = z.object({
  reason: z.string('flag.reason_required').trim().min(1, 'flag.reason_required').max(2000, 'form.too_long'),
});
