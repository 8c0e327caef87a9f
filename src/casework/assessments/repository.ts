import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { preparedQueries, type DbOrTx } from '../../db/client.js';
import { rowLimit } from '../../db/paging.js';
import { assessments, needsMeetings } from '../schema.js';
import type { AssessmentKind } from './risk.js';

export type Assessment = typeof assessments.$inferSelect;
export type NeedsMeeting = typeof needsMeetings.$inferSelect;

const queries = preparedQueries((db) => ({
  latest: db
    .select()
    .from(assessments)
    .where(and(eq(assessments.caseId, sql.placeholder('caseId')), eq(assessments.kind, sql.placeholder('kind'))))
    .orderBy(desc(assessments.createdAt), desc(assessments.id))
    .limit(rowLimit(1))
    .prepare(),
  meetings: db
    .select()
    .from(needsMeetings)
    .where(eq(needsMeetings.caseId, sql.placeholder('caseId')))
    .orderBy(asc(needsMeetings.heldAt), asc(needsMeetings.id))
    .prepare(),
}));

/** The case's most recent assessment of this kind (Mẫu 02 initial, Mẫu 03 detailed, Mẫu 06 review), or null. */
export function latestAssessment(db: DbOrTx, caseId: number, kind: AssessmentKind): Assessment | null {
  return queries(db).latest.get({ caseId, kind }) ?? null;
}

/** The needs meetings of the detailed assessment (Art. 27), oldest first. */
export function needsMeetingsOf(db: DbOrTx, caseId: number): NeedsMeeting[] {
  return queries(db).meetings.all({ caseId });
}
