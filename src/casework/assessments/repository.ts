import { and, asc, desc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { assessments, needsMeetings } from '../schema.js';
import type { AssessmentKind } from './risk.js';

export type Assessment = typeof assessments.$inferSelect;
export type NeedsMeeting = typeof needsMeetings.$inferSelect;

/** The case's most recent assessment of this kind (Mẫu 02 initial, Mẫu 03 detailed, Mẫu 06 review), or null. */
export function latestAssessment(db: DbOrTx, caseId: number, kind: AssessmentKind): Assessment | null {
  return (
    db
      .select()
      .from(assessments)
      .where(and(eq(assessments.caseId, caseId), eq(assessments.kind, kind)))
      .orderBy(desc(assessments.createdAt), desc(assessments.id))
      .limit(1)
      .get() ?? null
  );
}

/** The needs meetings of the detailed assessment (Art. 27), oldest first. */
export function needsMeetingsOf(db: DbOrTx, caseId: number): NeedsMeeting[] {
  return db.select().from(needsMeetings).where(eq(needsMeetings.caseId, caseId)).orderBy(asc(needsMeetings.heldAt), asc(needsMeetings.id)).all();
}
