import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { caseSubject, findCase, type CaseRow } from '../../cases/repository.js';
import type { MessageKey } from '../../i18n/vi.js';
import { formValues } from '../../web/forms.js';
import type { CasePageState, CasePageTools } from '../module.js';

export type ShowAgain = (status: number, state: CasePageState) => Promise<FastifyReply>;

/**
 * For the routes of services and follow-ups: the case, if the actor may serve it (404, or 403 audited),
 * and how to show the page again with the submitted form open and what was typed kept.
 */
export function servableCase(
  app: FastifyInstance,
  tools: CasePageTools,
  request: FastifyRequest,
  reply: FastifyReply,
  formId: string,
): { row: CaseRow; again: ShowAgain } {
  const row = tools.loadReadable(request);
  request.authorize('case.serve', caseSubject(app.db, row), { type: 'case', id: row.id });
  const values = formValues(request.body);
  const again: ShowAgain = (status, state) => tools.renderCase(request, reply, findCase(app.db, row.id) ?? row, { status, openAction: formId, values, ...state });
  return { row, again };
}

export interface KeptText {
  label: MessageKey;
  text: string;
}

/**
 * When a form was refused because the case moved on and the form is no longer offered, the texts the
 * user wrote are shown back to copy, so nothing they typed is lost.
 */
export function keptTexts(state: CasePageState, formMatches: (formId: string) => boolean, offered: boolean, fields: readonly { name: string; label: MessageKey }[]): KeptText[] {
  if (offered || !state.openAction || !formMatches(state.openAction)) return [];
  return fields.flatMap(({ name, label }) => {
    const text = state.values?.[name];
    return typeof text === 'string' && text.trim() !== '' ? [{ label, text }] : [];
  });
}
