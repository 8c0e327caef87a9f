import { eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { appendAudit, type AuditContext } from '../audit/log.js';
import { writeTransaction, type Db } from '../db/client.js';
import { parseDateInput } from '../intake/form.js';
import { parseForm, type FieldErrors, type FormValues } from '../web/forms.js';
import { notFound } from '../web/http-error.js';
import { forgetNonWorkingDays, listNonWorkingDays, type NonWorkingDay } from './repository.js';
import { nonWorkingDays } from './schema.js';
import { dateKeyInVietnam, type DateKey } from './working-days.js';

const MIN_YEAR = 2000;
const MAX_YEAR = 2100;
const DATE_KEY = /^\d{4}-\d{2}-\d{2}$/;

/** A day typed as dd/mm/yyyy (or yyyy-mm-dd, as date pickers send it) in the years the calendar covers. */
function calendarDate(raw: string): DateKey | null {
  const key = parseDateInput(raw);
  const year = key ? Number(key.slice(0, 4)) : NaN;
  return year >= MIN_YEAR && year <= MAX_YEAR ? key : null;
}

/** The year asked for, or this year in Viet Nam. */
function yearOrCurrent(raw: unknown): number {
  const year = typeof raw === 'string' && /^\d{4}$/.test(raw) ? Number(raw) : NaN;
  return year >= MIN_YEAR && year <= MAX_YEAR ? year : Number(dateKeyInVietnam(new Date()).slice(0, 4));
}

const nameField = z.string().trim().min(1, 'form.required').max(200, 'form.too_long');
const addSchema = z.object({
  date: z
    .string()
    .trim()
    .min(1, 'form.required')
    .transform((value, context) => {
      const key = calendarDate(value);
      if (!key) context.addIssue({ code: 'custom', message: 'calendar.date_invalid' });
      return key ?? '';
    }),
  name_vi: nameField,
  name_en: nameField,
});

/** Adds a day off; false when the date is already in the calendar. */
function addNonWorkingDay(db: Db, context: AuditContext, day: NonWorkingDay): boolean {
  const added = writeTransaction(db, (tx) => {
    if (tx.select().from(nonWorkingDays).where(eq(nonWorkingDays.date, day.date)).get()) return false;
    tx.insert(nonWorkingDays).values(day).run();
    appendAudit(tx, context, { action: 'calendar.add', entityType: 'non_working_day', entityId: day.date });
    return true;
  });
  if (added) forgetNonWorkingDays(db);
  return added;
}

/** The calendar is configuration, not case data, so a mistaken day is deleted (and the deletion audited). */
function removeNonWorkingDay(db: Db, context: AuditContext, date: DateKey): boolean {
  const removed = writeTransaction(db, (tx) => {
    const row = tx.delete(nonWorkingDays).where(eq(nonWorkingDays.date, date)).returning().get();
    if (!row) return false;
    appendAudit(tx, context, { action: 'calendar.remove', entityType: 'non_working_day', entityId: date });
    return true;
  });
  if (removed) forgetNonWorkingDays(db);
  return removed;
}

interface CalendarRow extends NonWorkingDay {
  /** dd/mm/yyyy, as every date is shown. */
  display: string;
  /** 0 = Sunday. */
  weekday: number;
}

function calendarRows(db: Db, year: number): CalendarRow[] {
  return listNonWorkingDays(db)
    .filter((day) => day.date.startsWith(`${year}-`))
    .map((day) => {
      const [y, m, d] = day.date.split('-');
      return { ...day, display: `${d}/${m}/${y}`, weekday: new Date(`${day.date}T00:00:00Z`).getUTCDay() };
    });
}

export default async function calendarRoutes(app: FastifyInstance): Promise<void> {
  const config = { permission: 'settings.manage' } as const;

  function calendarPage(request: FastifyRequest, reply: FastifyReply, year: number, status = 200, forms: { values?: FormValues; errors?: FieldErrors } = {}) {
    return reply.code(status).page('pages/admin/calendar', {
      title: request.t('calendar.title'),
      year,
      previousYear: year > MIN_YEAR ? year - 1 : null,
      nextYear: year < MAX_YEAR ? year + 1 : null,
      rows: calendarRows(app.db, year),
      ...forms,
    });
  }

  app.get('/admin/calendar', { config }, async (request, reply) =>
    calendarPage(request, reply, yearOrCurrent((request.query as Record<string, unknown>).year)),
  );

  app.post('/admin/calendar', { config }, async (request, reply) => {
    const form = parseForm(addSchema, request.body);
    // The year the form was shown with stays in view while the input is fixed.
    const fail = (errors: FieldErrors) => calendarPage(request, reply, yearOrCurrent(form.values.year), 400, { values: form.values, errors });
    if (!form.ok) return fail(form.errors);
    const { date, name_vi: nameVi, name_en: nameEn } = form.data;
    if (!addNonWorkingDay(app.db, request.auditContext, { date, nameVi, nameEn })) return fail({ date: 'calendar.duplicate' });
    return reply.redirect(`/admin/calendar?year=${date.slice(0, 4)}`, 303);
  });

  app.post('/admin/calendar/:date/remove', { config }, async (request, reply) => {
    const raw = (request.params as { date?: string }).date ?? '';
    const date = DATE_KEY.test(raw) ? calendarDate(raw) : null;
    if (!date || !removeNonWorkingDay(app.db, request.auditContext, date)) throw notFound();
    return reply.redirect(`/admin/calendar?year=${date.slice(0, 4)}`, 303);
  });
}
