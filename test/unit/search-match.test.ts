// What a search asks the full-text index for: quoted words with the last one a prefix, narrowed to
// the reader's organisations through their own words (up to a thousand) or not at all (more).
import { describe, expect, it } from 'vitest';
import { localNamesMatch, localWords, matchQueries, queryWords } from '../../src/search/match.js';

describe('search match queries', () => {
  it('folds, splits and caps what was typed', () => {
    expect(queryWords('  Nguyễn  Văn-An ')).toEqual(['nguyen', 'van', 'an']);
    expect(queryWords(' -- ')).toBeNull();
    expect(queryWords('a b c d e f g h i j')).toHaveLength(8);
  });

  it('writes each word as its organisation\'s own, with a letter closing the number', () => {
    expect(localWords(7, 'bvte 2024 000123\nnguyen van an')).toBe('o7xbvte o7x2024 o7x000123 o7xnguyen o7xvan o7xan');
    expect(localWords(72, 'tinh, trang.')).toBe('o72xtinh o72xtrang');
    // Organisation 7's "2024" and organisation 72's "024" are different words.
    expect(localWords(7, '2024')).not.toBe(localWords(72, '024'));
    expect(localWords(7, '')).toBe('');
    expect(localWords(7, null)).toBe('');
  });

  it('asks up to a thousand organisations, one expression each, for their own words, and more through the national words', () => {
    expect(matchQueries('anywhere', ['tran', 'h'], [7, 12])).toEqual(['{local_names local_body} : ("o7xtran" "o7xh"*)', '{local_names local_body} : ("o12xtran" "o12xh"*)']);
    expect(matchQueries('names', ['tran'], [7, 7])).toEqual(['{local_names} : ("o7xtran"*)']);
    const ids = (count: number): number[] => Array.from({ length: count }, (_, i) => i + 1);
    const thousand = matchQueries('names', ['tran'], ids(1000));
    expect(thousand).toHaveLength(1000);
    expect(thousand.at(-1)).toBe('{local_names} : ("o1000xtran"*)');
    expect(matchQueries('names', ['tran'], ids(1001))).toEqual(['{reference names} : ("tran"*)']);
    expect(matchQueries('anywhere', ['say "hi"'], null)).toEqual(['{reference names body} : ("say ""hi"""*)']);
  });

  it('asks one organisation for the cases whose names hold every word, whole, for duplicate detection', () => {
    expect(localNamesMatch(7, ['an', 'nguyen'])).toBe('{local_names} : ("o7xan" "o7xnguyen")');
    expect(localNamesMatch(7, ['say "hi"'])).toBe('{local_names} : ("o7xsay ""hi""")');
  });
});
