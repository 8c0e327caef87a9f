/**
 * What the assessment and plan steps share: reading a form's row version, answering a refused step
 * the way the case page answers its own workflow forms, date fields, and claiming a case for a change
 * of case data that is not a workflow transition (an initial assessment, a plan draft).
 */
import { eq } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { dateKeyInVietnam, type DateKey } from '../../calendar/working-days.js';
import type { CaseRow } from '../../cases/repository.js';
import { cases } from '../../cases/schema.js';
import type { ApplyRefusal } from '../../cases/service.js';
import type { CaseState } from '../../cases/workflow/machine.js';
import type { Tx } from '../../db/client.js';
import { parseDateInput } from '../../intake/form.js';
import { HttpError, notFound } from '../../web/http-error.js';
import type { CasePageState } from '../module.js';

export function bodyOf(request: FastifyRequest): Record<string, unknown> {
  return (request.body ?? {}) as Record<string, unknown>;
}

const rowVersionSchema = z.coerce.number().int().positive();

/** The case version the form was shown with; a form without one was not made by the case page. */
export function rowVersionOf(body: Record<string, unknown>): number {
  const parsed = rowVersionSchema.safeParse(body.row_version);
  if (!parsed.success) throw new HttpError(400, 'error.bad_request');
  return parsed.data;
}

/**
 * A refused step: 404/403 as errors (the service has audited the refusal); a step the case is no
 * longer at, or a stale version, re-renders the page as it is now with the user's input kept (409).
 */
export function answerRefusal(
  reason: ApplyRefusal,
  again: (status: number, state: CasePageState) => Promise<FastifyReply>,
): Promise<FastifyReply> {
  switch (reason) {
    case 'not_found':
      throw notFound();
    case 'forbidden':
      throw new HttpError(403, 'error.forbidden');
    case 'not_allowed_now':
      return again(409, { message: 'case.not_allowed_now' });
    case 'conflict':
      return again(409, { message: 'case.conflict' });
    case 'invalid_target':
      return again(400, { message: 'caseAction.target_invalid' });
  }
}

/** A required calendar date (<input type="date">, or dd/mm/yyyy typed), as YYYY-MM-DD. */
export function dateField(options: { notAfter?: Date } = {}): z.ZodType<DateKey, unknown> {
  return z
    .string('form.required')
    .trim()
    .min(1, 'form.required')
    .transform((value, context) => {
      const date = parseDateInput(value);
      if (date === null) context.addIssue({ code: 'custom', message: 'form.invalid' });
      else if (options.notAfter && date > dateKeyInVietnam(options.notAfter)) context.addIssue({ code: 'custom', message: 'plan.date_in_future' });
      return date ?? '';
    });
}

export type ClaimResult = { ok: true; before: CaseRow; after: CaseRow } | { ok: false; reason: 'not_found' | 'conflict' | 'not_allowed_now' };

/**
 * Inside the write lock: takes the case for a change of its data if it is still the version the form
 * was shown with and at a state where the step belongs, and bumps its version, so two people cannot
 * overwrite each other's assessment or draft without seeing it.
 */
export function claimCase(
  tx: Tx,
  caseId: number,
  expectedVersion: number,
  states: readonly CaseState[],
  at: string,
): ClaimResult {
  const before = tx.select().from(cases).where(eq(cases.id, caseId)).get();
  if (!before) return { ok: false, reason: 'not_found' };
  if (before.rowVersion !== expectedVersion) return { ok: false, reason: 'conflict' };
  if (!states.includes(before.state as CaseState)) return { ok: false, reason: 'not_allowed_now' };
  const after = tx
    .update(cases)
    .set({ rowVersion: before.rowVersion + 1, updatedAt: at })
    .where(eq(cases.id, caseId))
    .returning()
    .get();
  if (!after) return { ok: false, reason: 'not_found' };
  return { ok: true, before, after };
}
