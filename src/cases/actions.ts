/**
 * What the case page offers, as data: one entry per workflow event, with its label, the permission
 * it needs (EVENT_PERMISSIONS) and the fields of its form. The page shows an action only when the
 * statechart accepts the event now AND the rules allow it to this user, so no button is ever dead.
 * Issue 4 replaces the simple entries of later steps (meeting, plan, approval, review, closure) with
 * full forms by giving them fields here.
 */
import { z } from 'zod';
import type { MessageKey } from '../i18n/vi.js';
import { parseDateInput, vietnamDateTimeInputs, vietnamInstant } from '../intake/form.js';
import type { Actor } from '../permissions/actor.js';
import { isAllowed } from '../permissions/check.js';
import type { OrgRelations, SubjectRecord } from '../permissions/conditions.js';
import { parseForm, type FormResult } from '../web/forms.js';
import { EVENT_PERMISSIONS } from './event-permissions.js';
import type { CaseRow } from './repository.js';
import { possibleEvents, type CaseCommand } from './service.js';
import type { CaseEventType } from './workflow/machine.js';

/**
 * - text: a short or long free text (a reason, the measures taken);
 * - flag: a checkbox;
 * - time: a date and time in Viet Nam (datetime-local), not in the future;
 * - commune: another active commune, chosen from a list;
 * - case_reference: the reference of another case the actor may read (BV-YYYY-NNNNNN).
 */
export type ActionFieldKind = 'text' | 'flag' | 'time' | 'commune' | 'case_reference';

export interface ActionField {
  name: string;
  kind: ActionFieldKind;
  label: MessageKey;
  hint?: MessageKey;
  required?: boolean;
  /** For text: a long text gets a text area. */
  long?: boolean;
}

export interface CaseAction {
  event: CaseEventType;
  label: MessageKey;
  /** One sentence shown above the form: what the step means and what it records. */
  intro?: MessageKey;
  tone: 'primary' | 'danger' | 'normal';
  fields: readonly ActionField[];
  /**
   * The command the statechart is asked about when deciding whether to offer the action. Its payload
   * only has to pass the machine's guards; the submitted form supplies the real values.
   */
  probe: CaseCommand;
  /** The workflow command from the checked form values, and what the timeline keeps beside it. */
  toCommand(input: ActionInput): { command: CaseCommand; detail?: Record<string, unknown> };
}

/** Checked form values: text fields trimmed, flags as booleans, times as ISO UTC, communes and cases as ids. */
export type ActionInput = Record<string, string | number | boolean | undefined>;

const TEXT_MAX = 4000;
// Any positive id other than the case's own commune passes the machine's transfer guard.
const SOME_OTHER_COMMUNE = Number.MAX_SAFE_INTEGER;
const SOME_CASE = Number.MAX_SAFE_INTEGER;

const note: ActionField = { name: 'note', kind: 'text', label: 'caseAction.field.note', hint: 'caseAction.field.note_hint', long: true };
const reason: ActionField = { name: 'reason', kind: 'text', label: 'caseAction.field.reason', required: true, long: true };

const text = (input: ActionInput, name: string): string => (typeof input[name] === 'string' ? input[name] : '');
const id = (input: ActionInput, name: string): number => (typeof input[name] === 'number' ? input[name] : 0);
/** A note is kept only when one was written, so the timeline shows no empty boxes. */
const noteDetail = (input: ActionInput): Record<string, unknown> | undefined => (text(input, 'note') ? { note: text(input, 'note') } : undefined);
const simple = (event: CaseEventType) => (): { command: CaseCommand } => ({ command: { type: event } as CaseCommand });

export const CASE_ACTIONS: readonly CaseAction[] = [
  { event: 'TAKE', label: 'caseAction.TAKE', tone: 'primary', fields: [], probe: { type: 'TAKE' }, toCommand: simple('TAKE') },
  {
    event: 'DECLARE_EMERGENCY',
    label: 'caseAction.DECLARE_EMERGENCY',
    intro: 'caseAction.DECLARE_EMERGENCY_intro',
    tone: 'danger',
    fields: [{ ...note, label: 'caseAction.field.danger' }],
    probe: { type: 'DECLARE_EMERGENCY' },
    toCommand: (input) => ({ command: { type: 'DECLARE_EMERGENCY' }, detail: noteDetail(input) }),
  },
  {
    event: 'RECORD_EMERGENCY_MEASURES',
    label: 'caseAction.RECORD_EMERGENCY_MEASURES',
    intro: 'caseAction.RECORD_EMERGENCY_MEASURES_intro',
    tone: 'primary',
    fields: [
      { name: 'measures', kind: 'text', label: 'caseAction.field.measures', hint: 'caseAction.field.measures_hint', required: true, long: true },
      { name: 'separation', kind: 'flag', label: 'caseAction.field.separation' },
      { name: 'place_of_care', kind: 'text', label: 'caseAction.field.place_of_care' },
      { name: 'measures_at', kind: 'time', label: 'caseAction.field.measures_at', required: true },
    ],
    probe: { type: 'RECORD_EMERGENCY_MEASURES' },
    // The machine keeps only the time of recording; what was done, and when, is casework for the timeline.
    toCommand: (input) => ({
      command: { type: 'RECORD_EMERGENCY_MEASURES' },
      detail: {
        measures: text(input, 'measures'),
        separation: input.separation === true,
        placeOfCare: text(input, 'place_of_care') || null,
        measuresTakenAt: input.measures_at,
      },
    }),
  },
  {
    event: 'DECIDE_SUPPORT',
    label: 'caseAction.DECIDE_SUPPORT',
    intro: 'caseAction.DECIDE_SUPPORT_intro',
    tone: 'primary',
    fields: [note],
    probe: { type: 'DECIDE_SUPPORT' },
    toCommand: (input) => ({ command: { type: 'DECIDE_SUPPORT' }, detail: noteDetail(input) }),
  },
  {
    event: 'DECIDE_INTERVENTION',
    label: 'caseAction.DECIDE_INTERVENTION',
    intro: 'caseAction.DECIDE_INTERVENTION_intro',
    tone: 'primary',
    fields: [note],
    probe: { type: 'DECIDE_INTERVENTION' },
    toCommand: (input) => ({ command: { type: 'DECIDE_INTERVENTION' }, detail: noteDetail(input) }),
  },
  {
    event: 'CLOSE_UNFOUNDED',
    label: 'caseAction.CLOSE_UNFOUNDED',
    intro: 'caseAction.CLOSE_UNFOUNDED_intro',
    tone: 'danger',
    fields: [reason],
    probe: { type: 'CLOSE_UNFOUNDED', reason: 'probe' },
    toCommand: (input) => ({ command: { type: 'CLOSE_UNFOUNDED', reason: text(input, 'reason') } }),
  },
  {
    event: 'MARK_DUPLICATE',
    label: 'caseAction.MARK_DUPLICATE',
    intro: 'caseAction.MARK_DUPLICATE_intro',
    tone: 'normal',
    fields: [{ name: 'other_reference', kind: 'case_reference', label: 'caseAction.field.other_reference', hint: 'caseAction.field.other_reference_hint', required: true }],
    probe: { type: 'MARK_DUPLICATE', intoCaseId: SOME_CASE },
    toCommand: (input) => ({ command: { type: 'MARK_DUPLICATE', intoCaseId: id(input, 'other_reference') } }),
  },
  // The needs meeting, the detailed assessment (src/casework/assessments) and the plan's submission and
  // decision (src/casework/plans) write their own records, so their forms are in those sections.
  { event: 'START_REVIEW', label: 'caseAction.START_REVIEW', tone: 'primary', fields: [], probe: { type: 'START_REVIEW' }, toCommand: simple('START_REVIEW') },
  // The review (Mẫu 06) ends in a request to close or a new plan, and the chairperson decides on closure
  // seeing that review: both forms are in the review section (src/casework/review).
  {
    event: 'TRANSFER',
    label: 'caseAction.TRANSFER',
    intro: 'caseAction.TRANSFER_intro',
    tone: 'normal',
    fields: [{ name: 'to_org_id', kind: 'commune', label: 'caseAction.field.to_org_id', required: true }, note],
    probe: { type: 'TRANSFER', toOrgId: SOME_OTHER_COMMUNE },
    toCommand: (input) => ({ command: { type: 'TRANSFER', toOrgId: id(input, 'to_org_id') }, detail: noteDetail(input) }),
  },
  {
    event: 'REOPEN',
    label: 'caseAction.REOPEN',
    intro: 'caseAction.REOPEN_intro',
    tone: 'normal',
    fields: [reason],
    probe: { type: 'REOPEN', reason: 'probe' },
    toCommand: (input) => ({ command: { type: 'REOPEN', reason: text(input, 'reason') } }),
  },
];

export function findCaseAction(event: unknown): CaseAction | null {
  return CASE_ACTIONS.find((action) => action.event === event) ?? null;
}

/** The actions this actor may take on the case now: allowed by the rules and by the statechart. */
export function availableActions(row: CaseRow, subject: SubjectRecord, actor: Actor, orgs: OrgRelations, now = new Date()): CaseAction[] {
  const permitted = CASE_ACTIONS.filter((action) => isAllowed(EVENT_PERMISSIONS[action.event], actor, subject, orgs));
  const possible = new Set(possibleEvents(row, permitted.map((action) => action.probe), now).map((command) => command.type));
  return permitted.filter((action) => possible.has(action.event));
}

// Clocks of phones and servers differ a little; a time "in the future" by less than this is accepted.
const CLOCK_SKEW_MS = 5 * 60_000;

/** A datetime-local value ("2026-03-10T14:30"), read on a clock in Viet Nam; null if not a real time. */
export function parseVietnamDateTime(value: string): Date | null {
  const [date, time, extra] = value.split('T');
  const day = date ? parseDateInput(date) : null;
  return day && time && extra === undefined ? vietnamInstant(day, time) : null;
}

/** What a datetime-local input shows for an instant, in Viet Nam: the form's "now" default. */
export function vietnamDateTimeValue(instant: Date): string {
  const { date, time } = vietnamDateTimeInputs(instant);
  return `${date}T${time}`;
}

/** The check of one field kind; casework forms reuse it so a time means the same everywhere. */
export function fieldSchema(field: ActionField, now: Date): z.ZodType {
  switch (field.kind) {
    case 'text': {
      const trimmed = z.string('form.required').trim().max(TEXT_MAX, 'form.too_long');
      return field.required ? trimmed.min(1, 'form.required') : trimmed.optional();
    }
    case 'flag':
      return z.string().optional().transform((value) => value !== undefined && value !== '');
    case 'time':
      return z
        .string('form.required')
        .trim()
        .min(1, 'form.required')
        .transform((value, context) => {
          const instant = parseVietnamDateTime(value);
          if (instant === null) context.addIssue({ code: 'custom', message: 'form.invalid' });
          else if (instant.getTime() > now.getTime() + CLOCK_SKEW_MS) context.addIssue({ code: 'custom', message: 'caseAction.time_in_future' });
          return instant?.toISOString() ?? '';
        });
    case 'commune':
      return z.coerce.number('form.required').int('form.required').positive('form.required');
    case 'case_reference':
      return z
        .string('form.required')
        .trim()
        .min(1, 'form.required')
        .transform((value) => value.toUpperCase())
        .pipe(z.string().regex(/^BV-\d{4}-\d{6}$/, 'caseAction.reference_invalid'));
  }
}

/**
 * Checks the fields of an action's form. Communes and case references come back as they were typed
 * (a number, a reference); the route resolves them, since only it knows what the actor may see.
 */
export function parseActionForm(action: CaseAction, body: unknown, now = new Date()): FormResult<Record<string, unknown>> {
  const shape = Object.fromEntries(action.fields.map((field) => [field.name, fieldSchema(field, now)]));
  return parseForm(z.object(shape), body) as FormResult<Record<string, unknown>>;
}
