/**
 * Folding for search and matching, never for display: names are stored and shown as typed.
 */

const COMBINING_MARKS = /\p{M}/gu;
// đ is a letter of its own, not d plus a mark, so NFD leaves it intact.
const D_WITH_STROKE = /đ/g;
const WHITESPACE_RUNS = /\s+/gu;
// Hyphens, dots and brackets turn up in typed names ("Nguyễn V. An", "Lê (Bé) Na"); they separate
// words rather than belong to them.
const TOKEN_SEPARATORS = /[^\p{L}\p{N}]+/u;

/**
 * Lowercase, without tones or other diacritics, đ as d, whitespace collapsed:
 * "NGUYỄN  Văn Đạt" → "nguyen van dat". Works the same on precomposed (NFC) and decomposed input.
 */
export function foldVietnamese(s: string): string {
  // Lowercase first: a few capitals lowercase to a letter plus a combining mark (İ → i̇), which
  // the next step then removes.
  return s
    .toLowerCase()
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(D_WITH_STROKE, 'd')
    .replace(WHITESPACE_RUNS, ' ')
    .trim();
}

/** The folded words of a name, in their original order; compare as a multiset to ignore order. */
export function nameTokens(s: string): string[] {
  return foldedWords(foldVietnamese(s));
}

/** The words of text that is already folded, split where the full-text index splits it. */
export function foldedWords(folded: string): string[] {
  return folded.split(TOKEN_SEPARATORS).filter((token) => token !== '');
}
