import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { caseSubject, type CaseRow } from '../../cases/repository.js';
import { writeTransaction, type DbOrTx } from '../../db/client.js';
import type { Actor } from '../../permissions/actor.js';
import { isAllowed } from '../../permissions/check.js';
import type { OrgRelations, SubjectRecord } from '../../permissions/conditions.js';
import { isRole } from '../../permissions/roles.js';
import { parseForm } from '../../web/forms.js';
import { notFound } from '../../web/http-error.js';
import { idParam } from '../../web/params.js';
import type { CaseworkModule } from '../module.js';
import { recordCasework, recordFieldChanges } from '../record.js';
import { followUps } from '../schema.js';
import { dueDateField, dueStatus, isServing, pastDateField, requiredText, todayInVietnam } from '../services/due.js';
import { keptTexts, servableCase } from '../services/serve-route.js';
import { assigneeCandidates, findFollowUp, followUpsOf, type FollowUpRow } from './repository.js';

const scheduleSchema = z.object({
  due_on: dueDateField,
  assigned_user_id: z.coerce.number('form.required').int('form.required').positive('form.required'),
});
/** Built per request: "not after today" is judged at the time of the request. */
const visitSchema = () => z.object({ visited_on: pastDateField(), notes: requiredText });
const dueSchema = z.object({ due_on: dueDateField });

/** Form ids on the case page (openAction). */
const SCHEDULE_FORM = 'follow-up';
const visitForm = (id: number): string => `follow-up-${id}-visit`;
const dueForm = (id: number): string => `follow-up-${id}-due`;

const entityOf = (followUp: Pick<FollowUpRow, 'id'>): string => `follow_up:${followUp.id}`;

/** Who a visit can be given to: people the rules allow to serve this case, the actor first by default. */
function assignees(db: DbOrTx, row: CaseRow, subject: SubjectRecord, actor: Actor, orgs: OrgRelations): { value: number; label: string }[] {
  const people = new Map<number, string>();
  for (const candidate of assigneeCandidates(db, row.id, row.orgId, actor.assignmentId)) {
    if (people.has(candidate.userId) || !isRole(candidate.role)) continue;
    const asActor: Actor = { userId: candidate.userId, assignmentId: candidate.assignmentId, role: candidate.role, orgId: candidate.orgId };
    if (isAllowed('case.serve', asActor, subject, orgs)) people.set(candidate.userId, candidate.name);
  }
  return [...people].map(([value, label]) => ({ value, label }));
}

export const followUpsModule: CaseworkModule = {
  id: 'follow-ups',
  template: '/pages/cases/sections/follow-ups',
  load({ db, row, subject, actor, orgs, state }) {
    const list = followUpsOf(db, row.id);
    const canServe = isServing(row) && isAllowed('case.serve', actor, subject, orgs);
    const kept = keptTexts(state, (formId) => formId.startsWith('follow-up-'), canServe, [{ name: 'notes', label: 'followUp.notes' }]);
    if (list.length === 0 && !canServe && kept.length === 0) return null;
    const today = todayInVietnam();
    return {
      followUps: list.map((followUp) => ({
        ...followUp,
        due: dueStatus(followUp.dueOn, followUp.visitedOn, today),
        visitForm: visitForm(followUp.id),
        dueForm: dueForm(followUp.id),
      })),
      canServe,
      scheduleForm: SCHEDULE_FORM,
      assignees: canServe ? assignees(db, row, subject, actor, orgs) : [],
      today,
      kept,
    };
  },
  routes(app, tools) {
    const config = { config: { permission: 'case.serve' } } as const;

    app.post('/cases/:id/follow-ups', config, async (request, reply) => {
      const { row, again } = servableCase(app, tools, request, reply, SCHEDULE_FORM);
      if (!isServing(row)) return again(409, { message: 'case.not_allowed_now' });
      const form = parseForm(scheduleSchema, request.body);
      if (!form.ok) return again(400, { errors: form.errors });
      const actor = request.requireActor();
      const assignee = form.data.assigned_user_id;
      if (!assignees(app.db, row, caseSubject(app.db, row), actor, app.orgRelations).some((person) => person.value === assignee)) {
        return again(400, { errors: { assigned_user_id: 'caseAction.target_invalid' } });
      }
      const writer = { actor, audit: request.auditContext };
      writeTransaction(app.db, (tx) => {
        const { id } = tx
          .insert(followUps)
          .values({ caseId: row.id, dueOn: form.data.due_on, assignedUserId: assignee, createdBy: actor.userId })
          .returning({ id: followUps.id })
          .get();
        recordCasework(tx, writer, row.id, { kind: 'follow_up_scheduled', detail: { followUpId: id, dueOn: form.data.due_on, assignedUserId: assignee } }, 'follow_up.schedule');
      });
      return tools.afterChange(request, reply, row.id, 'followUp.scheduled', SCHEDULE_FORM);
    });

    app.post('/cases/:id/follow-ups/:fid/visit', config, async (request, reply) => {
      const followUpId = idParam(request, 'fid');
      const { row, again } = servableCase(app, tools, request, reply, visitForm(followUpId));
      const followUp = findFollowUp(app.db, row.id, followUpId);
      if (!followUp) throw notFound();
      if (!isServing(row)) return again(409, { message: 'case.not_allowed_now' });
      if (followUp.visitedOn !== null) return again(409, { message: 'followUp.already_visited' });
      const form = parseForm(visitSchema(), request.body);
      if (!form.ok) return again(400, { errors: form.errors });
      const { visited_on: visitedOn, notes } = form.data;
      const writer = { actor: request.requireActor(), audit: request.auditContext };
      writeTransaction(app.db, (tx) => {
        tx.update(followUps).set({ visitedOn, notes }).where(eq(followUps.id, followUp.id)).run();
        recordFieldChanges(tx, row.id, writer.actor.userId, entityOf(followUp), { visitedOn: null }, { visitedOn });
        recordCasework(tx, writer, row.id, { kind: 'follow_up_visited', detail: { followUpId: followUp.id, visitedOn, note: notes } }, 'follow_up.visit');
      });
      return tools.afterChange(request, reply, row.id, 'followUp.visited', visitForm(followUp.id));
    });

    app.post('/cases/:id/follow-ups/:fid/due', config, async (request, reply) => {
      const followUpId = idParam(request, 'fid');
      const { row, again } = servableCase(app, tools, request, reply, dueForm(followUpId));
      const followUp = findFollowUp(app.db, row.id, followUpId);
      if (!followUp) throw notFound();
      if (!isServing(row)) return again(409, { message: 'case.not_allowed_now' });
      if (followUp.visitedOn !== null) return again(409, { message: 'followUp.already_visited' });
      const form = parseForm(dueSchema, request.body);
      if (!form.ok) return again(400, { errors: form.errors });
      const dueOn = form.data.due_on;
      if (dueOn !== followUp.dueOn) {
        const writer = { actor: request.requireActor(), audit: request.auditContext };
        writeTransaction(app.db, (tx) => {
          tx.update(followUps).set({ dueOn }).where(eq(followUps.id, followUp.id)).run();
          recordFieldChanges(tx, row.id, writer.actor.userId, entityOf(followUp), { dueOn: followUp.dueOn }, { dueOn });
          recordCasework(tx, writer, row.id, { kind: 'follow_up_rescheduled', detail: { followUpId: followUp.id, from: followUp.dueOn, dueOn } }, 'follow_up.reschedule');
        });
      }
      return tools.afterChange(request, reply, row.id, 'followUp.rescheduled', dueForm(followUp.id));
    });
  },
  timelineKinds: {
    follow_up_scheduled: 'caseTimeline.kind_follow_up_scheduled',
    follow_up_visited: 'caseTimeline.kind_follow_up_visited',
    follow_up_rescheduled: 'caseTimeline.kind_follow_up_rescheduled',
  },
};
