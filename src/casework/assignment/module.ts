/**
 * Assignment: who is responsible for the case now and before, and the supervisor's form to give it
 * to a commune worker. Supervisors also get the links to the case's access log and change history.
 */
import { z } from 'zod';
import { caseSubject, findCase } from '../../cases/repository.js';
import { isOpenState, type CaseState } from '../../cases/workflow/machine.js';
import { isAllowed } from '../../permissions/check.js';
import { userDisplayName } from '../../triage/case-facts.js';
import { parseForm } from '../../web/forms.js';
import type { CasePageState, CaseworkModule } from '../module.js';
import { assignCase } from './assign.js';
import { assignableWorkers, assignmentHistory } from './history.js';

/** The form's id on the page, so a refused submission reopens it with the choice kept. */
const FORM_ID = 'assignment';

const assignSchema = z.object({
  user_id: z.coerce.number('assignment.choose').int('assignment.choose').positive('assignment.choose'),
  row_version: z.coerce.number().int().positive(),
});

export const assignmentModule: CaseworkModule = {
  id: 'assignment',
  template: '/pages/cases/sections/assignment',
  timelineKinds: { assignment: 'caseTimeline.kind_assignment' },

  load({ db, row, subject, actor, orgs, state }) {
    const mayAssign = isAllowed('case.assign', actor, subject, orgs) && isOpenState(row.state as CaseState);
    const open = state.openAction === FORM_ID;
    return {
      assignment: {
        currentName: userDisplayName(db, row.assignedUserId),
        history: assignmentHistory(db, row.id),
        workers: mayAssign
          ? assignableWorkers(db, row.orgId)
              .filter((worker) => worker.id !== row.assignedUserId)
              .map((worker) => ({ value: worker.id, label: worker.name }))
          : null,
        open,
        values: open ? (state.values ?? {}) : {},
        errors: open ? (state.errors ?? {}) : {},
        accountability: isAllowed('case.accountability', actor, subject, orgs),
      },
    };
  },

  routes(app, tools) {
    app.post('/cases/:id/assignment', { config: { permission: 'case.assign' } }, async (request, reply) => {
      const row = tools.loadReadable(request);
      request.authorize('case.assign', caseSubject(app.db, row), { type: 'case', id: row.id });
      const form = parseForm(assignSchema, request.body);
      const again = (status: number, extra: CasePageState) =>
        tools.renderCase(request, reply, findCase(app.db, row.id) ?? row, { status, openAction: FORM_ID, values: form.values, ...extra });
      if (!form.ok) return again(400, { errors: form.errors });
      if (!isOpenState(row.state as CaseState)) return again(409, { message: 'case.not_allowed_now' });
      const { user_id: userId, row_version: expectedVersion } = form.data;
      // Only a worker the select offered: an id typed into a hand-made request gets the same answer.
      if (!assignableWorkers(app.db, row.orgId).some((worker) => worker.id === userId)) {
        return again(400, { errors: { user_id: 'assignment.not_eligible' } });
      }
      const result = assignCase(app.db, { actor: request.requireActor(), audit: request.auditContext }, row.id, userId, expectedVersion);
      if (!result.ok) {
        return result.reason === 'conflict' ? again(409, { message: 'case.conflict' }) : again(400, { errors: { user_id: 'assignment.unchanged' } });
      }
      return tools.afterChange(request, reply, row.id, 'assignment.done', FORM_ID);
    });
  },
};
