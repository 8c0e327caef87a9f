import { describe, expect, it } from 'vitest';
import {
  candidateSearchKeys,
  rankCandidates,
  scoreCandidate,
} from '../../src/intake/duplicate-match.js';
import type { CandidateChild, IncomingChild } from '../../src/intake/duplicate-match.js';
import { nameTokens } from '../../src/text/fold.js';

const COMMUNE = 101;
const OTHER_COMMUNE = 202;

const incoming = (over: Partial<IncomingChild> = {}): IncomingChild => ({
  name: 'Nguyễn Văn An',
  referenceDate: '2026-03-10',
  ...over,
});

const candidate = (over: Partial<CandidateChild> = {}): CandidateChild => ({
  id: 1,
  name: 'Nguyễn Văn An',
  ...over,
});

/** The score of a pair expected to match. */
const scoreOf = (child: IncomingChild, other: CandidateChild): number => {
  const result = scoreCandidate(child, other);
  if (result === null) throw new Error(`expected ${child.name} to match ${other.name}`);
  return result.score;
};

describe('scoreCandidate: names', () => {
  it('ignores diacritics, case and spacing', () => {
    for (const name of ['NGUYỄN VĂN AN', 'nguyen van an', '  Nguyen   Van An ']) {
      expect(scoreCandidate(incoming(), candidate({ name }))?.reasons).toEqual(['same_name']);
    }
  });

  it('reads đ as d, which Unicode decomposition does not', () => {
    const result = scoreCandidate(incoming({ name: 'Đặng Thị Đào' }), candidate({ name: 'Dang Thi Dao' }));
    expect(result?.reasons).toEqual(['same_name']);
  });

  it('accepts the same name in another order, scored below the same order', () => {
    const otherOrder = candidate({ name: 'An Nguyễn Văn' });
    expect(scoreCandidate(incoming(), otherOrder)?.reasons).toEqual(['same_name_other_order']);
    expect(scoreOf(incoming(), otherOrder)).toBeLessThan(scoreOf(incoming(), candidate()));
  });

  it('accepts a missing middle name, on either side, scored lower still', () => {
    const withoutMiddle = candidate({ name: 'Nguyễn An' });
    expect(scoreCandidate(incoming(), withoutMiddle)?.reasons).toEqual(['partial_name']);
    expect(scoreCandidate(incoming({ name: 'Nguyen An' }), candidate())?.reasons).toEqual(['partial_name']);
    expect(scoreOf(incoming(), withoutMiddle)).toBeLessThan(
      scoreOf(incoming(), candidate({ name: 'An Nguyễn Văn' })),
    );
  });

  it('accepts a missing middle name together with another order', () => {
    expect(scoreCandidate(incoming(), candidate({ name: 'An Nguyễn' }))?.reasons).toEqual(['partial_name']);
  });

  it('rejects unrelated names and names that share only some words', () => {
    for (const name of ['Trần Thị Bình', 'Nguyễn Văn Bình', 'Lê Văn An', 'An', '']) {
      expect(scoreCandidate(incoming(), candidate({ name }))).toBeNull();
    }
  });

  it('counts a repeated word as many times as it is written', () => {
    const child = incoming({ name: 'Lê Na Na' });
    expect(scoreCandidate(child, candidate({ name: 'Lê Na' }))?.reasons).toEqual(['partial_name']);
    expect(scoreCandidate(child, candidate({ name: 'Lê Na Mai' }))).toBeNull();
  });
});

describe('scoreCandidate: age and date of birth', () => {
  it('gives most weight to the same date of birth', () => {
    const result = scoreCandidate(incoming({ birthDate: '2015-06-01' }), candidate({ birthDate: '2015-06-01' }));
    expect(result?.reasons).toEqual(['same_name', 'same_birth_date']);
  });

  it('allows dates of birth up to a year apart, and rules out more', () => {
    const child = incoming({ birthDate: '2015-06-01' });
    for (const birthDate of ['2014-06-01', '2016-06-01', '2015-12-31', '2015-01-07']) {
      expect(scoreCandidate(child, candidate({ birthDate }))?.reasons).toEqual(['same_name', 'age_within_1y']);
    }
    for (const birthDate of ['2014-05-30', '2016-06-03', '2012-06-01']) {
      expect(scoreCandidate(child, candidate({ birthDate }))).toBeNull();
    }
  });

  it('allows estimated ages one year apart, and rules out more', () => {
    const child = incoming({ estimatedAge: 10 });
    for (const estimatedAge of [9, 10, 11]) {
      expect(scoreCandidate(child, candidate({ estimatedAge }))?.reasons).toEqual(['same_name', 'age_within_1y']);
    }
    for (const estimatedAge of [8, 12]) {
      expect(scoreCandidate(child, candidate({ estimatedAge }))).toBeNull();
    }
  });

  it('compares a date of birth with an estimated age at the reference date', () => {
    // On 2026-03-10 a child born 2015-06-01 is 10, one born 2015-03-10 is 11.
    const child = incoming({ estimatedAge: 9 });
    expect(scoreCandidate(child, candidate({ birthDate: '2015-06-01' }))?.reasons).toContain('age_within_1y');
    expect(scoreCandidate(child, candidate({ birthDate: '2015-03-10' }))).toBeNull();
    const born = incoming({ birthDate: '2015-06-01' });
    expect(scoreCandidate(born, candidate({ estimatedAge: 11 }))?.reasons).toContain('age_within_1y');
    expect(scoreCandidate(born, candidate({ estimatedAge: 12 }))).toBeNull();
  });

  it('prefers the date of birth to an estimate on the same record', () => {
    const child = incoming({ birthDate: '2015-06-01', estimatedAge: 4 });
    expect(scoreCandidate(child, candidate({ estimatedAge: 10 }))?.reasons).toContain('age_within_1y');
  });

  it('still matches on the name when an age is unknown on either side', () => {
    expect(scoreCandidate(incoming({ estimatedAge: 10 }), candidate())?.reasons).toEqual(['same_name']);
    expect(scoreCandidate(incoming(), candidate({ birthDate: '2015-06-01' }))?.reasons).toEqual(['same_name']);
  });

  it('treats an impossible date of birth as unknown', () => {
    const child = incoming({ birthDate: '2015-06-01' });
    for (const birthDate of ['2001-02-30', '2001-00-00', '01/06/2015']) {
      expect(scoreCandidate(child, candidate({ birthDate }))?.reasons).toEqual(['same_name']);
    }
  });
});

describe('scoreCandidate: sex and commune', () => {
  it('rules out a different sex when both are known', () => {
    expect(scoreCandidate(incoming({ sex: 'male' }), candidate({ sex: 'female' }))).toBeNull();
  });

  it('does not rule out on sex when either side does not know it', () => {
    expect(scoreCandidate(incoming({ sex: 'male' }), candidate({ sex: null }))).not.toBeNull();
    expect(scoreCandidate(incoming(), candidate({ sex: 'female' }))).not.toBeNull();
    expect(scoreCandidate(incoming({ sex: 'female' }), candidate({ sex: 'female' }))).not.toBeNull();
  });

  it('raises the score for the same commune', () => {
    const child = incoming({ communeOrgId: COMMUNE });
    const same = candidate({ communeOrgId: COMMUNE });
    const other = candidate({ communeOrgId: OTHER_COMMUNE });
    expect(scoreCandidate(child, same)?.reasons).toEqual(['same_name', 'same_commune']);
    expect(scoreCandidate(child, other)?.reasons).toEqual(['same_name']);
    expect(scoreOf(child, same)).toBeGreaterThan(scoreOf(child, other));
  });

  it('never counts two unknown communes as the same', () => {
    expect(scoreCandidate(incoming({ communeOrgId: null }), candidate({ communeOrgId: null }))?.reasons).toEqual([
      'same_name',
    ]);
  });
});

describe('rankCandidates', () => {
  const child = incoming({ birthDate: '2015-06-01', sex: 'male', communeOrgId: COMMUNE });

  it('puts the same commune first when all else is equal', () => {
    const ranked = rankCandidates(child, [
      candidate({ id: 1, birthDate: '2015-06-01', communeOrgId: OTHER_COMMUNE }),
      candidate({ id: 2, birthDate: '2015-06-01', communeOrgId: COMMUNE }),
    ]);
    expect(ranked.map((r) => r.candidate.id)).toEqual([2, 1]);
  });

  it('sorts by score, drops implausible candidates and keeps the caller’s fields', () => {
    const ranked = rankCandidates(child, [
      { ...candidate({ id: 1, name: 'Nguyễn An' }), caseCount: 3 },
      { ...candidate({ id: 2, name: 'Trần Văn Bình' }), caseCount: 0 },
      { ...candidate({ id: 3, sex: 'female' }), caseCount: 1 },
      { ...candidate({ id: 4, birthDate: '2015-06-01', communeOrgId: COMMUNE }), caseCount: 2 },
      { ...candidate({ id: 5, name: 'An Nguyễn Văn', estimatedAge: 11 }), caseCount: 5 },
    ]);
    expect(ranked.map((r) => r.candidate.id)).toEqual([4, 5, 1]);
    expect(ranked.map((r) => r.score)).toEqual([...ranked.map((r) => r.score)].sort((a, b) => b - a));
    expect(ranked[0]?.candidate.caseCount).toBe(2);
    expect(ranked[0]?.reasons).toEqual(['same_name', 'same_birth_date', 'same_commune']);
  });

  it('returns at most `limit` candidates, five by default', () => {
    const many = Array.from({ length: 8 }, (_, i) => candidate({ id: i + 1 }));
    expect(rankCandidates(child, many)).toHaveLength(5);
    expect(rankCandidates(child, many, 2).map((r) => r.candidate.id)).toEqual([1, 2]);
    expect(rankCandidates(child, [])).toEqual([]);
  });
});

describe('candidateSearchKeys', () => {
  it('uses the given name (last word) and the family name (first word), folded', () => {
    expect(candidateSearchKeys('Nguyễn Văn An')).toEqual(['an', 'nguyen']);
    expect(candidateSearchKeys('ĐẶNG THỊ THU HÀ')).toEqual(['ha', 'dang']);
  });

  it('gives keys that a stored match contains, whatever the order or missing middle name', () => {
    const pairs: ReadonlyArray<readonly [typed: string, stored: string]> = [
      ['Nguyễn Văn An', 'NGUYEN VAN AN'],
      ['An Nguyễn Văn', 'Nguyễn Văn An'],
      ['Nguyễn Văn An', 'An Nguyễn Văn'],
      ['Nguyễn An', 'Nguyễn Văn An'],
      ['Nguyễn Văn An', 'Nguyễn An'],
      ['An Nguyễn', 'Nguyễn Văn An'],
    ];
    for (const [typed, stored] of pairs) {
      expect(scoreCandidate(incoming({ name: typed }), candidate({ name: stored }))).not.toBeNull();
      expect(nameTokens(stored)).toEqual(expect.arrayContaining(candidateSearchKeys(typed)));
    }
  });

  it('does not find a stored name that lacks the family name (the documented trade-off)', () => {
    expect(scoreCandidate(incoming(), candidate({ name: 'Văn An' }))).not.toBeNull();
    expect(nameTokens('Văn An')).not.toEqual(expect.arrayContaining(candidateSearchKeys('Nguyễn Văn An')));
  });

  it('handles one-word and empty names', () => {
    expect(candidateSearchKeys('Bé')).toEqual(['be']);
    expect(candidateSearchKeys('  ')).toEqual([]);
  });
});
