// The rule that derives the overall risk of an assessment from its rated items (Mẫu 02/03/06).
import { describe, expect, it } from 'vitest';
import { deriveOverallRisk, RISK_ITEMS, riskItemsFor, type RiskLevel } from '../../src/casework/assessments/risk.js';

/** Every item of the initial list rated `base`, then the given items overridden. */
function rated(base: RiskLevel, overrides: Record<string, RiskLevel> = {}): { item: string; rating: RiskLevel }[] {
  return riskItemsFor('initial').map((item) => ({ item: item.id, rating: overrides[item.id] ?? base }));
}

describe('overall risk', () => {
  it('is high when the harm is severe or the abuser can still reach the child, whatever else is rated', () => {
    expect(deriveOverallRisk(rated('low', { harm_severity: 'high' }))).toBe('high');
    expect(deriveOverallRisk(rated('low', { abuser_access: 'high' }))).toBe('high');
  });

  it('is high when two or more other items are high', () => {
    expect(deriveOverallRisk(rated('low', { home_safety_obstacles: 'high', repetition: 'high' }))).toBe('high');
  });

  it('is medium with one high item that is not decisive, or with two or more medium items', () => {
    expect(deriveOverallRisk(rated('low', { caregiver_capacity: 'high' }))).toBe('medium');
    expect(deriveOverallRisk(rated('low', { harm_severity: 'medium', child_self_protection: 'medium' }))).toBe('medium');
  });

  it('is low with at most one medium item and no high one', () => {
    expect(deriveOverallRisk(rated('low'))).toBe('low');
    expect(deriveOverallRisk(rated('low', { harm_severity: 'medium' }))).toBe('low');
    expect(deriveOverallRisk([])).toBe('low');
  });

  it('ignores the order of the items', () => {
    const ratings = rated('low', { repetition: 'high', current_condition: 'high' });
    expect(deriveOverallRisk([...ratings].reverse())).toBe(deriveOverallRisk(ratings));
  });
});

describe('risk items', () => {
  it('give the initial assessment seven items and the detailed assessment and review the four of Mẫu 06', () => {
    expect(riskItemsFor('initial').map((item) => item.id)).toEqual([
      'harm_severity',
      'abuser_access',
      'home_safety_obstacles',
      'child_self_protection',
      'current_condition',
      'repetition',
      'caregiver_capacity',
    ]);
    const mau06 = ['harm_severity', 'abuser_access', 'home_safety_obstacles', 'child_self_protection'];
    expect(riskItemsFor('detailed').map((item) => item.id)).toEqual(mau06);
    expect(riskItemsFor('review').map((item) => item.id)).toEqual(mau06);
  });

  it('have unique ids, and exactly the two decisive items the rule names', () => {
    expect(new Set(RISK_ITEMS.map((item) => item.id)).size).toBe(RISK_ITEMS.length);
    expect(RISK_ITEMS.filter((item) => item.decisive).map((item) => item.id)).toEqual(['harm_severity', 'abuser_access']);
  });
});
