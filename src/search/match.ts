/**
 * What case_search holds besides the folded text, and what a search asks it for: the words of the
 * query as FTS5 syntax, narrowed to the reader's organisations (docs/decisions/0019, 0022 and 0023).
 */
import { foldedWords, nameTokens } from '../text/fold.js';

/** Longer queries are cut: nobody types a child's name and a reference in more than this. */
const MAX_QUERY_LENGTH = 200;
const MAX_QUERY_TOKENS = 8;

/** A word as one organisation's own: "o7x" before it. The "x" ends the number, so 7's "2024" and 72's "024" stay apart. */
function localWord(orgId: number, word: string): string {
  return `o${orgId}x${word}`;
}

/**
 * Folded text as its case's organisation's own words, for the local_names and local_body columns
 * (migration 0009, docs/decisions/0022): their doclists hold one organisation's cases, so a search
 * within a few organisations never reads a common word's national doclist.
 */
export function localWords(orgId: number, foldedText: string | null): string {
  return foldedText ? foldedWords(foldedText).map((word) => localWord(orgId, word)).join(' ') : '';
}

/** A case's local_names and local_body: its reference and names, and its text, as its organisation's own words. */
export function localColumns(orgId: number, reference: string, names: string, body: string): [localNames: string, localBody: string] {
  return [localWords(orgId, `${reference}\n${names}`), localWords(orgId, body)];
}

/** The folded words of what a user typed, at most eight; null when nothing searchable is left. */
export function queryWords(text: string): string[] | null {
  const words = nameTokens(text.slice(0, MAX_QUERY_LENGTH)).slice(0, MAX_QUERY_TOKENS);
  return words.length === 0 ? null : words;
}

/**
 * The words as FTS5 syntax that cannot be anything but a word search: each quoted (so AND, OR, NEAR,
 * column filters and stray quotes are plain words), the last one a prefix, so results come while the
 * name is still being typed.
 */
function phrases(words: readonly string[]): string {
  return words.map((word, index) => `${quoted(word)}${index === words.length - 1 ? '*' : ''}`).join(' ');
}

function quoted(word: string): string {
  return `"${word.replaceAll('"', '""')}"`;
}

/**
 * The cases of one organisation whose reference or names hold every word, each whole: where
 * duplicate detection looks for earlier reports of a child (src/children/duplicates.ts).
 */
export function localNamesMatch(orgId: number, words: readonly string[]): string {
  return `{local_names} : (${words.map((word) => quoted(localWord(orgId, word))).join(' ')})`;
}

/**
 * Up to this many organisations, a search asks for each one's own words (localWords); beyond, the
 * national words cost less (docs/decisions/0023).
 */
const MAX_LOCAL_ORGS = 1_000;

/**
 * What to MATCH for the words in the case's reference and names, or in its text as well: one
 * expression per organisation, when the reader's organisations are known and few enough, each for
 * the cases filed there; otherwise one for the whole country. The search runs each expression on its
 * own (json_each), not as one OR: FTS5 steps an OR by looking at every branch for every row it
 * returns, so a province's 578 branches cost 50 to 240 ms as one OR and 45 to 90 ms as 578 queries
 * (docs/decisions/0025).
 */
export function matchQueries(where: 'names' | 'anywhere', words: readonly string[], orgIds: readonly number[] | null): string[] {
  if (orgIds !== null && orgIds.length <= MAX_LOCAL_ORGS) {
    const columns = where === 'names' ? 'local_names' : 'local_names local_body';
    return [...new Set(orgIds)].map((id) => `{${columns}} : (${phrases(words.map((word) => localWord(id, word)))})`);
  }
  return [`{${where === 'names' ? 'reference names' : 'reference names body'}} : (${phrases(words)})`];
}
