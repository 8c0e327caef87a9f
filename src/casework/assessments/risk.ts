/**
 * The risk items of Mẫu 02 (initial assessment), Mẫu 03 (detailed assessment) and Mẫu 06 (review),
 * each rated Cao / Trung bình / Thấp, and the rule that derives the overall risk from the ratings.
 * Pure: the forms, the case page and the printed forms all read these lists.
 */
import type { MessageKey } from '../../i18n/vi.js';
import { RISK_LEVELS, type RiskLevel } from '../schema.js';

export { RISK_LEVELS, type RiskLevel };

export type AssessmentKind = 'initial' | 'detailed' | 'review';

export interface RiskItem {
  id: string;
  label: MessageKey;
  /** The assessments that rate this item. */
  kinds: readonly AssessmentKind[];
  /** A high rating on this item alone makes the overall risk high. */
  decisive: boolean;
}

const EVERY_KIND: readonly AssessmentKind[] = ['initial', 'detailed', 'review'];
const INITIAL_ONLY: readonly AssessmentKind[] = ['initial'];

/** In the order the forms list them; the Mẫu 06 items first, then those only the initial assessment asks. */
export const RISK_ITEMS = [
  { id: 'harm_severity', label: 'assessment.item.harm_severity', kinds: EVERY_KIND, decisive: true },
  { id: 'abuser_access', label: 'assessment.item.abuser_access', kinds: EVERY_KIND, decisive: true },
  { id: 'home_safety_obstacles', label: 'assessment.item.home_safety_obstacles', kinds: EVERY_KIND, decisive: false },
  { id: 'child_self_protection', label: 'assessment.item.child_self_protection', kinds: EVERY_KIND, decisive: false },
  { id: 'current_condition', label: 'assessment.item.current_condition', kinds: INITIAL_ONLY, decisive: false },
  { id: 'repetition', label: 'assessment.item.repetition', kinds: INITIAL_ONLY, decisive: false },
  { id: 'caregiver_capacity', label: 'assessment.item.caregiver_capacity', kinds: INITIAL_ONLY, decisive: false },
] as const satisfies readonly RiskItem[];

export type RiskItemId = (typeof RISK_ITEMS)[number]['id'];

/** One rated item as stored in assessments.items. */
export interface RiskRating {
  item: string;
  rating: RiskLevel;
  note: string;
}

export function riskItemsFor(kind: AssessmentKind): readonly RiskItem[] {
  return RISK_ITEMS.filter((item) => item.kinds.includes(kind));
}

const DECISIVE_ITEMS: ReadonlySet<string> = new Set(RISK_ITEMS.filter((item) => item.decisive).map((item) => item.id));

/**
 * The overall risk, derived so that two workers rating alike reach the same level:
 * - high when the harm is severe or the abuser can still reach the child (rated high): either alone
 *   puts the child in danger whatever else is true (Art. 31–32 measures are then on the table);
 * - otherwise high when two or more items are high, since separate dangers compound;
 * - medium when one item is high or two or more are medium;
 * - low otherwise.
 * The case page states the same rule as a hint (assessment.rule_hint).
 */
export function deriveOverallRisk(ratings: readonly Pick<RiskRating, 'item' | 'rating'>[]): RiskLevel {
  const highs = ratings.filter((rating) => rating.rating === 'high');
  const mediums = ratings.filter((rating) => rating.rating === 'medium');
  if (highs.some((rating) => DECISIVE_ITEMS.has(rating.item))) return 'high';
  if (highs.length >= 2) return 'high';
  if (highs.length === 1 || mediums.length >= 2) return 'medium';
  return 'low';
}
