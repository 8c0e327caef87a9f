import type { Tx } from '../db/client.js';
import { emergencyMeasures } from './schema.js';

/** The record behind the emergency-measures decision (Mẫu 07), from the form's timeline detail. */
export function insertEmergencyMeasures(tx: Tx, caseId: number, userId: number, detail: Record<string, unknown>): void {
  const text = (key: string): string | null => (typeof detail[key] === 'string' && detail[key] !== '' ? (detail[key] as string) : null);
  tx.insert(emergencyMeasures)
    .values({
      caseId,
      takenAt: text('measuresTakenAt') ?? new Date().toISOString(),
      measures: text('measures') ?? '',
      temporarySeparation: detail.separation === true,
      placeOfCare: text('placeOfCare'),
      createdBy: userId,
    })
    .run();
}
