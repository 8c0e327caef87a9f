/**
 * The plan form (Mẫu 04): goals and numbered measure rows m<i>_kind, m<i>_description, m<i>_org,
 * m<i>_person, m<i>_starts, m<i>_ends and m<i>_remove. A row left blank or marked for removal is not
 * a measure, so rows can be added (more blank rows) and removed without JavaScript.
 */
import { z } from 'zod';
import type { DateKey } from '../../calendar/working-days.js';
import { NARRATIVE_MAX } from '../../intake/form.js';
import { formValues, parseForm, type FieldErrors, type FormResult, type FormValues } from '../../web/forms.js';
import { dateField } from '../assessments/step-support.js';
import { PLAN_MEASURE_IDS, type PlanMeasureKind } from './measures.js';
import type { PlanWithMeasures } from './repository.js';

/** More rows than any plan needs; beyond it a form was not made by the case page. */
export const MAX_MEASURE_ROWS = 30;
/** Blank rows the form offers below the measures already written. */
export const BLANK_MEASURE_ROWS = 3;

const MEASURE_FIELDS = ['kind', 'description', 'org', 'person', 'starts', 'ends'] as const;
const ROW_FIELD = /^m(\d{1,2})_([a-z]+)$/;
const DESCRIPTION_MAX = 2000;
const PERSON_MAX = 200;

export interface MeasureInput {
  kind: PlanMeasureKind;
  description: string;
  responsibleOrgId: number | null;
  responsiblePerson: string | null;
  startsOn: DateKey;
  endsOn: DateKey;
}

export interface PlanInput {
  goals: string;
  measures: MeasureInput[];
}

const goalsSchema = z.object({ goals: z.string('form.required').trim().min(1, 'form.required').max(NARRATIVE_MAX, 'form.too_long') });

const measureSchema = z.object({
  kind: z.enum(PLAN_MEASURE_IDS, 'plan.measure_kind_required'),
  description: z.string('form.required').trim().min(1, 'form.required').max(DESCRIPTION_MAX, 'form.too_long'),
  org: z.string().trim().optional(),
  person: z.string().trim().max(PERSON_MAX, 'form.too_long').optional(),
  starts: dateField(),
  ends: dateField(),
});

/** The row numbers the form sent, in order. */
export function measureRowIndexes(values: FormValues): number[] {
  const indexes = new Set<number>();
  for (const key of Object.keys(values)) {
    const match = ROW_FIELD.exec(key);
    const index = match ? Number(match[1]) : NaN;
    if (index < MAX_MEASURE_ROWS) indexes.add(index);
  }
  return [...indexes].sort((a, b) => a - b);
}

const text = (values: FormValues, key: string): string => {
  const value = values[key];
  return typeof value === 'string' ? value.trim() : '';
};

function rowIsBlank(values: FormValues, index: number): boolean {
  return values[`m${index}_remove`] !== undefined || MEASURE_FIELDS.every((field) => text(values, `m${index}_${field}`) === '');
}

/**
 * Checks the plan form. `orgIds` are the organisations the actor may give a measure to; a submitted
 * plan needs at least one measure, a draft may have none yet.
 */
export function parsePlanForm(body: unknown, orgIds: ReadonlySet<number>, options: { submitting: boolean }): FormResult<PlanInput> {
  const values = formValues(body);
  const errors: FieldErrors = {};
  const goals = parseForm(goalsSchema, body);
  if (!goals.ok) Object.assign(errors, goals.errors);

  const measures: MeasureInput[] = [];
  for (const index of measureRowIndexes(values)) {
    if (rowIsBlank(values, index)) continue;
    const row = Object.fromEntries(MEASURE_FIELDS.map((field) => [field, values[`m${index}_${field}`]]));
    const parsed = parseForm(measureSchema, row);
    const rowErrors: FieldErrors = parsed.ok ? {} : Object.fromEntries(Object.entries(parsed.errors).map(([field, error]) => [`m${index}_${field}`, error]));
    const orgText = text(values, `m${index}_org`);
    const orgId = orgText === '' ? null : Number(orgText);
    if (orgId !== null && !orgIds.has(orgId)) rowErrors[`m${index}_org`] = 'caseAction.target_invalid';
    if (orgId === null && text(values, `m${index}_person`) === '') rowErrors[`m${index}_org`] ??= 'plan.responsible_required';
    if (parsed.ok && parsed.data.ends < parsed.data.starts) rowErrors[`m${index}_ends`] = 'plan.ends_before_starts';
    Object.assign(errors, rowErrors);
    if (parsed.ok && Object.keys(rowErrors).length === 0) {
      measures.push({
        kind: parsed.data.kind,
        description: parsed.data.description,
        responsibleOrgId: orgId,
        responsiblePerson: parsed.data.person || null,
        startsOn: parsed.data.starts,
        endsOn: parsed.data.ends,
      });
    }
  }
  if (options.submitting && measures.length === 0 && Object.keys(errors).every((key) => key === 'goals')) errors.measures = 'plan.measures_required';
  if (!goals.ok || Object.keys(errors).length > 0) return { ok: false, errors, values };
  return { ok: true, data: { goals: goals.data.goals, measures }, values };
}

/** The form filled from a plan: to go on with a draft, or to start a new version from a rejected or earlier one. */
export function planFormValues(plan: PlanWithMeasures | null): FormValues {
  if (!plan) return {};
  const values: FormValues = { goals: plan.goals };
  plan.measures.forEach((measure, index) => {
    values[`m${index}_kind`] = measure.kind;
    values[`m${index}_description`] = measure.description;
    values[`m${index}_org`] = measure.responsibleOrgId === null ? '' : String(measure.responsibleOrgId);
    values[`m${index}_person`] = measure.responsiblePerson ?? '';
    values[`m${index}_starts`] = measure.startsOn ?? '';
    values[`m${index}_ends`] = measure.endsOn ?? '';
  });
  return values;
}

const DECISION_NUMBER_MAX = 50;
const COMMENT_MAX = 4000;

export interface ApprovalInput {
  decision_number: string;
  decision_date: DateKey;
}

/** Mẫu 05: the chairperson's decision, by number and date (not a date still to come). */
export function approvalSchema(now: Date): z.ZodType<ApprovalInput> {
  return z.object({
    decision_number: z.string('form.required').trim().min(1, 'form.required').max(DECISION_NUMBER_MAX, 'form.too_long'),
    decision_date: dateField({ notAfter: now }),
  });
}

export const rejectionSchema = z.object({ comment: z.string('form.required').trim().min(1, 'form.required').max(COMMENT_MAX, 'form.too_long') });
