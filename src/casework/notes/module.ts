/**
 * Case notes: anyone who works on the case (case.serve: its workers and the social workers of an
 * organisation that accepted a referral) adds them. A confidential note is for the assigned worker
 * and supervisors only (case.read_confidential); everybody else never receives it.
 */
import { z } from 'zod';
import { caseSubject, findCase } from '../../cases/repository.js';
import { writeTransaction } from '../../db/client.js';
import { isAllowed } from '../../permissions/check.js';
import { parseForm } from '../../web/forms.js';
import type { CasePageState, CaseworkModule } from '../module.js';
import { addNote, notesOf } from './repository.js';

const FORM_ID = 'note';
const NOTE_MAX = 4000;

const noteSchema = z.object({
  text: z.string('form.required').trim().min(1, 'form.required').max(NOTE_MAX, 'form.too_long'),
  confidential: z
    .literal('1')
    .optional()
    .transform((value) => value === '1'),
});

export const notesModule: CaseworkModule = {
  id: 'notes',
  template: '/pages/cases/sections/notes',
  timelineKinds: { note: 'caseTimeline.kind_note' },

  load({ db, row, subject, actor, orgs, state }) {
    const open = state.openAction === FORM_ID;
    return {
      notes: {
        maxLength: NOTE_MAX,
        items: notesOf(db, row.id, isAllowed('case.read_confidential', actor, subject, orgs)),
        mayAdd: isAllowed('case.serve', actor, subject, orgs),
        open,
        values: open ? (state.values ?? {}) : {},
        errors: open ? (state.errors ?? {}) : {},
      },
    };
  },

  routes(app, tools) {
    app.post('/cases/:id/notes', { config: { permission: 'case.serve' } }, async (request, reply) => {
      const row = tools.loadReadable(request);
      request.authorize('case.serve', caseSubject(app.db, row), { type: 'case', id: row.id });
      const form = parseForm(noteSchema, request.body);
      if (!form.ok) {
        const state: CasePageState = { status: 400, openAction: FORM_ID, values: form.values, errors: form.errors };
        return tools.renderCase(request, reply, findCase(app.db, row.id) ?? row, state);
      }
      const writer = { actor: request.requireActor(), audit: request.auditContext };
      writeTransaction(app.db, (tx) => addNote(tx, writer, row.id, form.data));
      // A confidential note disappears from the view of an author who may not read confidential notes; say where it went.
      const readable = isAllowed('case.read_confidential', writer.actor, caseSubject(app.db, row), app.orgRelations);
      return tools.afterChange(request, reply, row.id, form.data.confidential && !readable ? 'note.added_confidential' : 'note.added', FORM_ID);
    });
  },
};
