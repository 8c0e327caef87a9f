/**
 * The legal forms of Decree 56/2017/NĐ-CP a case can be printed on (Mẫu 01–07), and which of them a
 * case has reached: a form is offered once the case is at or past its step, or once its records exist
 * (a closed case keeps the forms of the steps it went through).
 */
import { sql } from 'drizzle-orm';
import type { CaseRow } from '../cases/repository.js';
import type { CaseState } from '../cases/workflow/machine.js';
import type { DbOrTx } from '../db/client.js';
import type { MessageKey } from '../i18n/vi.js';

export const PRINT_FORMS = ['mau-01', 'mau-02', 'mau-03', 'mau-04', 'mau-05', 'mau-06', 'mau-07'] as const;
export type PrintForm = (typeof PRINT_FORMS)[number];

export function isPrintForm(value: unknown): value is PrintForm {
  return typeof value === 'string' && (PRINT_FORMS as readonly string[]).includes(value);
}

/** "01" … "07", as printed in "Mẫu số 01". */
export function formNumber(form: PrintForm): string {
  return form.slice(-2);
}

export const FORM_TITLES: Record<PrintForm, MessageKey> = {
  'mau-01': 'print.mau01.title',
  'mau-02': 'print.mau02.title',
  'mau-03': 'print.mau03.title',
  'mau-04': 'print.mau04.title',
  'mau-05': 'print.mau05.title',
  'mau-06': 'print.mau06.title',
  'mau-07': 'print.mau07.title',
};

const AFTER_VERIFICATION: readonly CaseState[] = ['detailedAssessment', 'planning', 'awaitingApproval', 'implementation', 'review', 'closureRequested'];

/** The states in which a form's step has been reached, whatever its records say. */
const REACHED_IN: Record<PrintForm, readonly CaseState[]> = {
  'mau-01': [],
  'mau-02': ['verification', 'emergency', ...AFTER_VERIFICATION],
  'mau-03': AFTER_VERIFICATION,
  'mau-04': AFTER_VERIFICATION.slice(1),
  'mau-05': AFTER_VERIFICATION.slice(2),
  'mau-06': ['review', 'closureRequested'],
  'mau-07': ['emergency'],
};

type FormRecords = Record<PrintForm, boolean>;

function recordsOf(db: DbOrTx, row: Pick<CaseRow, 'id' | 'emergency'>): FormRecords {
  const found = db.get<Record<'intake' | 'initial' | 'detailed' | 'meeting' | 'plan' | 'approved' | 'review' | 'measures', number>>(sql`
    SELECT
      EXISTS (SELECT 1 FROM intakes WHERE case_id = ${row.id}) AS intake,
      EXISTS (SELECT 1 FROM assessments WHERE case_id = ${row.id} AND kind = 'initial') AS initial,
      EXISTS (SELECT 1 FROM assessments WHERE case_id = ${row.id} AND kind = 'detailed') AS detailed,
      EXISTS (SELECT 1 FROM needs_meetings WHERE case_id = ${row.id}) AS meeting,
      EXISTS (SELECT 1 FROM plans WHERE case_id = ${row.id}) AS plan,
      EXISTS (SELECT 1 FROM plans WHERE case_id = ${row.id} AND status = 'approved') AS approved,
      EXISTS (SELECT 1 FROM assessments WHERE case_id = ${row.id} AND kind = 'review') AS review,
      EXISTS (SELECT 1 FROM emergency_measures WHERE case_id = ${row.id}) AS measures`);
  return {
    'mau-01': found.intake === 1,
    'mau-02': found.initial === 1,
    'mau-03': found.detailed === 1 || found.meeting === 1,
    'mau-04': found.plan === 1,
    'mau-05': found.approved === 1,
    'mau-06': found.review === 1,
    'mau-07': found.measures === 1 || row.emergency,
  };
}

/** The forms worth printing for this case now, in order. */
export function availableForms(db: DbOrTx, row: Pick<CaseRow, 'id' | 'state' | 'emergency'>): PrintForm[] {
  const records = recordsOf(db, row);
  return PRINT_FORMS.filter((form) => records[form] || REACHED_IN[form].includes(row.state as CaseState));
}
