import { appendAudit, type AuditContext } from '../audit/log.js';
import { writeTransaction, type Db } from '../db/client.js';
import { createIntake, type IntakeInput } from '../intake/service.js';
import type { Actor } from '../permissions/actor.js';
import type { CallDetails } from './call-form.js';
import { insertCall } from './repository.js';

export type RecordedCall = { callId: number; reference: string | null };

/**
 * Records a call in one transaction: for a case call, the intake and its case first, then the call
 * row pointing at it; for any other call, only the row that statistics count. Null when a case call
 * has no responsible commune, and then nothing is written.
 */
export function recordCall(
  db: Db,
  writer: { actor: Actor; audit: AuditContext },
  call: CallDetails,
  intake: IntakeInput | null,
): RecordedCall | null {
  return writeTransaction(db, (tx) => {
    const opened = intake ? createIntake(tx, { actor: writer.actor, audit: writer.audit, recordedBy: writer.actor.userId }, intake) : null;
    if (intake && !opened) return null;
    const callId = insertCall(tx, {
      hotlineOrgId: writer.actor.orgId,
      operatorUserId: writer.actor.userId,
      receivedAt: call.receivedAt,
      callType: call.callType,
      callerRelation: call.callerRelation,
      caseId: opened?.caseId ?? null,
    });
    appendAudit(tx, writer.audit, { action: 'hotline.call', entityType: 'hotline_call', entityId: callId });
    return { callId, reference: opened?.reference ?? null };
  });
}
