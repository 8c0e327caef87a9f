/** The kinds of measure a support or intervention plan (Mẫu 04) may list, from Decree 56/2017 Art. 28 and the Law on Children Art. 49–50. */
import type { MessageKey } from '../../i18n/vi.js';

export interface PlanMeasureKindEntry {
  id: string;
  label: MessageKey;
}

export const PLAN_MEASURE_KINDS = [
  { id: 'medical_care', label: 'plan.measure.medical_care' },
  { id: 'psychological_support', label: 'plan.measure.psychological_support' },
  { id: 'safe_shelter', label: 'plan.measure.safe_shelter' },
  { id: 'temporary_separation', label: 'plan.measure.temporary_separation' },
  { id: 'alternative_care', label: 'plan.measure.alternative_care' },
  { id: 'legal_aid', label: 'plan.measure.legal_aid' },
  { id: 'education_support', label: 'plan.measure.education_support' },
  { id: 'other', label: 'plan.measure.other' },
] as const satisfies readonly PlanMeasureKindEntry[];

export type PlanMeasureKind = (typeof PLAN_MEASURE_KINDS)[number]['id'];

export const PLAN_MEASURE_IDS = PLAN_MEASURE_KINDS.map((kind) => kind.id) as [PlanMeasureKind, ...PlanMeasureKind[]];
