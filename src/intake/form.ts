/**
 * The Mẫu 01 intake form as the web forms (hotline 111, public report) and the intake API share it:
 * the field rules, the choices the selects offer, and the mapping to an IntakeInput.
 * Every message is a catalogue key, so every error a reporter reads is localised.
 */
import { z } from 'zod';
import { dateKeyInVietnam, type DateKey } from '../calendar/working-days.js';
import type { DbOrTx } from '../db/client.js';
import { VIETNAM_OFFSET_MS } from '../i18n/dates.js';
import type { MessageKey } from '../i18n/vi.js';
import { activeTaxonomy, type TaxonomyGroup } from '../taxonomy/repository.js';
import { TAXONOMY_GROUPS } from '../taxonomy/schema.js';
import { parseForm, type FieldErrors, type FormResult, type FormValues } from '../web/forms.js';
import type { IntakeInput } from './service.js';

// ---- Dates and times, as typed in Viet Nam -------------------------------------------------------

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const VN_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/**
 * A calendar date from `<input type="date">` (YYYY-MM-DD) or typed as dd/mm/yyyy where the browser
 * offers a plain text box; null unless it is a real date.
 */
export function parseDateInput(raw: string): DateKey | null {
  const iso = ISO_DATE.exec(raw);
  const vn = VN_DATE.exec(raw);
  const parts = iso ? [iso[1], iso[2], iso[3]] : vn ? [vn[3], vn[2]?.padStart(2, '0'), vn[1]?.padStart(2, '0')] : null;
  if (!parts) return null;
  const key = parts.join('-');
  const ms = Date.parse(`${key}T00:00:00Z`);
  // The round trip rejects dates Date.parse silently repairs, such as 30/02.
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === key ? key : null;
}

/** The instant a date and an HH:mm time mean on a clock in Viet Nam (UTC+7 all year, no DST). */
export function vietnamInstant(date: DateKey, time: string): Date | null {
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) return null;
  const instant = new Date(`${date}T${time}:00+07:00`);
  return Number.isNaN(instant.getTime()) ? null : instant;
}

/** What a date and a time input show for `instant` in Viet Nam: the form's "now" default. */
export function vietnamDateTimeInputs(instant: Date): { date: DateKey; time: string } {
  return { date: dateKeyInVietnam(instant), time: new Date(instant.getTime() + VIETNAM_OFFSET_MS).toISOString().slice(11, 16) };
}

// ---- Field rules ---------------------------------------------------------------------------------

/** Longest narrative a form accepts: a long telephone account fits, a pasted document does not. */
export const NARRATIVE_MAX = 5000;
const SHORT_TEXT_MAX = 2000;

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, 'form.too_long')
    .optional()
    .transform((value) => value || null);

/** Empty means "unknown": an option every commune select offers. */
const communeId = z
  .union([z.literal(''), z.string().regex(/^[1-9]\d{0,15}$/, 'form.invalid')])
  .optional()
  .transform((value) => (value ? Number(value) : null));

const childBirthDate = z
  .string()
  .trim()
  .optional()
  .transform((value, ctx) => {
    if (!value) return null;
    const key = parseDateInput(value);
    const today = dateKeyInVietnam(new Date());
    // A child is under 18 here (the Labour Code protects 15–18 year olds too), and born already.
    const eighteenYearsAgo = `${Number(today.slice(0, 4)) - 18}${today.slice(4)}`;
    if (!key || key > today || key <= eighteenYearsAgo) {
      ctx.addIssue({ code: 'custom', message: 'intake.birth_date_invalid' });
      return z.NEVER;
    }
    return key;
  });

const childEstimatedAge = z
  .union([z.literal(''), z.string().trim().regex(/^\d{1,2}$/, 'intake.age_invalid')])
  .optional()
  .transform((value) => (value ? Number(value) : null))
  .refine((age) => age === null || age <= 17, 'intake.age_invalid');

export const DANGER_ANSWERS = ['yes', 'no', 'unknown'] as const;

/** Anything but the literal value of a ticked box counts as unticked: anonymous is the default. */
const checkbox = z
  .string()
  .optional()
  .transform((value) => value === '1');

const PHONE = /^\+?[0-9 .()-]{6,20}$/;

/** Concern codes from the category checkboxes: one value arrives as a string, several as a list. */
export const categoriesField = z.preprocess(
  (value) => (value === undefined || value === '' ? [] : Array.isArray(value) ? value : [value]),
  z.array(z.string().max(64, 'form.invalid')).max(60, 'form.invalid'),
);

/**
 * Mẫu 01 field by field, named as the form posts them. Forms pick what they ask for; reporter
 * identity is only looked at when the consent box is ticked (see parseIntakeForm).
 */
export const mau01Fields = {
  child_name: z
    .string()
    .trim()
    .max(120, 'form.too_long')
    .optional()
    .transform((value) => value ?? ''),
  child_birth_date: childBirthDate,
  child_estimated_age: childEstimatedAge,
  child_sex: z
    .enum(['', 'male', 'female'], 'form.invalid')
    .optional()
    .transform((value) => value || null),
  residence_org_id: communeId,
  incident_org_id: communeId,
  incident_place: optionalText(300),
  description: z.string('form.required').trim().min(1, 'form.required').max(NARRATIVE_MAX, 'form.too_long'),
  current_condition: optionalText(SHORT_TEXT_MAX),
  likely_consequence: optionalText(SHORT_TEXT_MAX),
  parents_info: optionalText(SHORT_TEXT_MAX),
  family_situation: optionalText(SHORT_TEXT_MAX),
  caregiver: optionalText(300),
  action_taken: optionalText(SHORT_TEXT_MAX),
  immediate_danger: z.enum(DANGER_ANSWERS, 'intake.danger_required'),
  reporter_consented: checkbox,
  reporter_name: z.string().trim().optional(),
  reporter_phone: z.string().trim().optional(),
  reporter_address: z.string().trim().optional(),
};

export const mau01Schema = z.object(mau01Fields);
export type Mau01Data = z.output<typeof mau01Schema>;

/** The long text fields of Mẫu 01 in the order the full form shows them, for the shared partial. */
export const MAU01_SITUATION_FIELDS = [
  { name: 'current_condition', label: 'intake.current_condition', max: SHORT_TEXT_MAX },
  { name: 'likely_consequence', label: 'intake.likely_consequence', max: SHORT_TEXT_MAX },
  { name: 'action_taken', label: 'intake.action_taken', max: SHORT_TEXT_MAX },
] as const satisfies readonly { name: keyof Mau01Data; label: MessageKey; max: number }[];
export const MAU01_FAMILY_FIELDS = [
  { name: 'parents_info', label: 'intake.parents_info', hint: 'intake.parents_info_hint', max: SHORT_TEXT_MAX },
  { name: 'family_situation', label: 'intake.family_situation', max: SHORT_TEXT_MAX },
  { name: 'caregiver', label: 'intake.caregiver', max: 300 },
] as const satisfies readonly { name: keyof Mau01Data; label: MessageKey; hint?: MessageKey; max: number }[];

/** Rules that span fields, checked on what was typed so they show together with every other error. */
function crossFieldErrors(values: FormValues, communeRequired: MessageKey): FieldErrors {
  const errors: FieldErrors = {};
  const text = (name: string): string => {
    const value = values[name];
    return typeof value === 'string' ? value.trim() : '';
  };
  // Intakes go to the commune of residence, else of the incident: without either nobody can act.
  if (!text('residence_org_id') && !text('incident_org_id')) {
    errors.residence_org_id = communeRequired;
    errors.incident_org_id = communeRequired;
  }
  if (values.reporter_consented === '1') {
    if (!text('reporter_name') && !text('reporter_phone')) errors.reporter_name = 'intake.reporter_contact_required';
    if (text('reporter_name').length > 120) errors.reporter_name = 'form.too_long';
    if (text('reporter_phone') && !PHONE.test(text('reporter_phone'))) errors.reporter_phone = 'intake.phone_invalid';
    if (text('reporter_address').length > 300) errors.reporter_address = 'form.too_long';
  }
  return errors;
}

export interface IntakeFormOptions {
  /** Active communes (src/intake/commune-picker.ts activeCommunes); anything else is refused. */
  communeIds: { has(id: number): boolean };
  /** Active concern codes, when the form asks for categories. */
  categoryCodes?: ReadonlySet<string>;
  /** How to tell this audience that a commune is needed. */
  communeRequired: MessageKey;
}

/**
 * Parses a form built from mau01Fields: the field rules, the cross-field rules, and the choices
 * offered. Identity fields typed without consent are never returned.
 */
export function parseIntakeForm<S extends z.ZodType<Partial<Mau01Data> & { categories?: string[] }>>(
  schema: S,
  body: unknown,
  options: IntakeFormOptions,
): FormResult<z.output<S>> {
  const form = parseForm(schema, body);
  const errors: FieldErrors = { ...crossFieldErrors(form.values, options.communeRequired), ...(form.ok ? {} : form.errors) };
  if (form.ok) {
    const { data } = form;
    for (const field of ['residence_org_id', 'incident_org_id'] as const) {
      const id = data[field];
      if (typeof id === 'number' && !options.communeIds.has(id)) errors[field] = 'form.invalid';
    }
    if (options.categoryCodes && data.categories?.some((code) => !options.categoryCodes?.has(code))) errors.categories = 'form.invalid';
  }
  if (!form.ok || Object.keys(errors).length > 0) return { ok: false, errors, values: form.values };
  const data = form.data;
  if (!data.reporter_consented) {
    data.reporter_name = undefined;
    data.reporter_phone = undefined;
    data.reporter_address = undefined;
  }
  return { ok: true, data, values: form.values };
}

/** The fields of IntakeInput that come from the form, the rest (channel, time, source) from the route. */
export function intakeInputFrom(
  data: Partial<Mau01Data> & Pick<Mau01Data, 'description' | 'immediate_danger'>,
  base: Pick<IntakeInput, 'channel' | 'medium' | 'receivedAt' | 'sourceOrgId'> & {
    categories?: readonly string[];
    reporterRelation?: string | null;
    receiptHash?: string | null;
  },
): IntakeInput {
  const consented = data.reporter_consented ?? false;
  return {
    channel: base.channel,
    medium: base.medium,
    receivedAt: base.receivedAt,
    sourceOrgId: base.sourceOrgId,
    child: {
      name: data.child_name ?? '',
      birthDate: data.child_birth_date ?? null,
      estimatedAge: data.child_estimated_age ?? null,
      sex: data.child_sex ?? null,
    },
    residenceOrgId: data.residence_org_id ?? null,
    incidentOrgId: data.incident_org_id ?? null,
    incidentPlace: data.incident_place ?? null,
    description: data.description,
    currentCondition: data.current_condition ?? null,
    likelyConsequence: data.likely_consequence ?? null,
    actionTaken: data.action_taken ?? null,
    parentsInfo: data.parents_info ?? null,
    familySituation: data.family_situation ?? null,
    caregiver: data.caregiver ?? null,
    immediateDanger: data.immediate_danger === 'yes',
    categories: base.categories ?? [],
    reporter: {
      consented,
      relation: base.reporterRelation ?? null,
      name: consented ? data.reporter_name || null : null,
      phone: consented ? data.reporter_phone || null : null,
      address: consented ? data.reporter_address || null : null,
    },
    receiptHash: base.receiptHash ?? null,
  };
}

// ---- What the selects and checkboxes offer -------------------------------------------------------

/** One kind of concern (abuse, child labour, special circumstances) with its first-level codes. */
export interface CategoryGroup {
  kind: (typeof TAXONOMY_GROUPS)[number];
  /** A first-level code's sub-codes are what a form ticks, or the code itself when it has none. */
  parents: TaxonomyGroup[];
}

/** The active concern taxonomy by kind, for views/partials/category-fields.eta. */
export function concernCategories(db: DbOrTx): CategoryGroup[] {
  const parents = activeTaxonomy(db);
  return TAXONOMY_GROUPS.map((kind) => ({ kind, parents: parents.filter((parent) => parent.groupKind === kind) })).filter(
    (group) => group.parents.length > 0,
  );
}

/** The codes a category form may send: sub-codes, and first-level codes that have none. */
export function categoryCodesOf(groups: readonly CategoryGroup[]): Set<string> {
  return new Set(
    groups.flatMap((group) =>
      group.parents.flatMap((parent) => (parent.children.length > 0 ? parent.children.map((child) => child.code) : [parent.code])),
    ),
  );
}
