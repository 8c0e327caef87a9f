/**
 * Suggests existing children an intake may be about, so the operator links the concern to the
 * child's record instead of opening a second one. Only a suggestion: the person decides.
 */
import type { DateKey } from '../calendar/working-days.js';
import { nameTokens } from '../text/fold.js';

export type Sex = 'male' | 'female';

export interface IncomingChild {
  name: string;
  birthDate?: DateKey | null;
  estimatedAge?: number | null;
  sex?: Sex | null;
  communeOrgId?: number | null;
  /** The date ages are counted at, normally the intake date. */
  referenceDate: DateKey;
}

export interface CandidateChild {
  id: number;
  name: string;
  birthDate?: DateKey | null;
  /** As of the incoming referenceDate: the repository ages a stored estimate forward before calling. */
  estimatedAge?: number | null;
  sex?: Sex | null;
  communeOrgId?: number | null;
}

export type MatchReason =
  | 'same_name'
  | 'same_name_other_order'
  | 'partial_name'
  | 'same_birth_date'
  | 'age_within_1y'
  | 'same_commune';

export interface MatchResult {
  score: number;
  reasons: MatchReason[];
}

export type RankedCandidate<C extends CandidateChild> = MatchResult & { candidate: C };

// The score is the sum of the reasons' weights, so the reasons shown always explain it fully.
// The name dominates, because a date of birth or a commune is shared by many children.
const WEIGHTS: Readonly<Record<MatchReason, number>> = {
  same_name: 60,
  same_name_other_order: 50,
  partial_name: 35,
  same_birth_date: 25,
  age_within_1y: 10,
  same_commune: 15,
};

type NameReason = Extract<MatchReason, 'same_name' | 'same_name_other_order' | 'partial_name'>;
type AgeReason = Extract<MatchReason, 'same_birth_date' | 'age_within_1y'>;

const DAY_MS = 86_400_000;

/**
 * How plausibly `candidate` is the incoming child, or null when not plausible: names that share
 * too little, both sexes known and different, or ages known on both sides more than a year apart.
 */
export function scoreCandidate(incoming: IncomingChild, candidate: CandidateChild): MatchResult | null {
  const nameReason = compareNames(nameTokens(incoming.name), nameTokens(candidate.name));
  if (nameReason === null) return null;
  if (incoming.sex && candidate.sex && incoming.sex !== candidate.sex) return null;

  const ageReason = compareAges(incoming, candidate);
  if (ageReason === 'too_far_apart') return null;

  const reasons: MatchReason[] = [nameReason];
  if (ageReason !== null) reasons.push(ageReason);
  if (incoming.communeOrgId != null && incoming.communeOrgId === candidate.communeOrgId) {
    reasons.push('same_commune');
  }
  return { score: reasons.reduce((sum, reason) => sum + WEIGHTS[reason], 0), reasons };
}

/** The plausible candidates, best first; equal scores keep the order they were given in. */
export function rankCandidates<C extends CandidateChild>(
  incoming: IncomingChild,
  candidates: readonly C[],
  limit = 5,
): RankedCandidate<C>[] {
  const ranked: RankedCandidate<C>[] = [];
  for (const candidate of candidates) {
    const result = scoreCandidate(incoming, candidate);
    if (result !== null) ranked.push({ ...result, candidate });
  }
  return ranked.sort((a, b) => b.score - a.score).slice(0, limit);
}

/**
 * Folded tokens for the SQL pre-filter that picks candidates to score: rows whose folded name
 * tokens include every key. Vietnamese names run family name, middle name(s), given name, so the
 * keys are the first and last tokens. Middle names are left out because they are what people drop
 * or vary ("Nguyễn An" for "Nguyễn Văn An"), and Văn and Thị alone would select a large share of
 * all rows. A name written given name first ("An Nguyễn Văn") still finds "Nguyễn Văn An", since
 * the stored row holds all of its tokens. A stored name missing its family name is not found:
 * the given name alone would bring back thousands of children in a province.
 */
export function candidateSearchKeys(name: string): string[] {
  const tokens = nameTokens(name);
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  if (first === undefined || last === undefined) return [];
  return first === last ? [first] : [last, first];
}

function compareNames(a: readonly string[], b: readonly string[]): NameReason | null {
  if (a.length === 0 || b.length === 0) return null;
  if (a.join(' ') === b.join(' ')) return 'same_name';
  const [shorter, longer] = a.length <= b.length ? [a, b] : [b, a];
  if (!containsAll(longer, shorter)) return null;
  if (shorter.length === longer.length) return 'same_name_other_order';
  // One shared word is only a given name, which thousands of children share.
  return shorter.length >= 2 ? 'partial_name' : null;
}

/** Whether `whole` holds every token of `part`, counting repeats ("Na Na" needs two "na"). */
function containsAll(whole: readonly string[], part: readonly string[]): boolean {
  const remaining = new Map<string, number>();
  for (const token of whole) remaining.set(token, (remaining.get(token) ?? 0) + 1);
  for (const token of part) {
    const count = remaining.get(token) ?? 0;
    if (count === 0) return false;
    remaining.set(token, count - 1);
  }
  return true;
}

function compareAges(
  incoming: IncomingChild,
  candidate: CandidateChild,
): AgeReason | 'too_far_apart' | null {
  const incomingBirth = dayNumber(incoming.birthDate);
  const candidateBirth = dayNumber(candidate.birthDate);
  if (incomingBirth !== null && candidateBirth !== null) {
    if (incomingBirth === candidateBirth) return 'same_birth_date';
    return Math.abs(incomingBirth - candidateBirth) <= 366 ? 'age_within_1y' : 'too_far_apart';
  }
  const incomingAge = ageAt(incoming.birthDate, incoming.estimatedAge, incoming.referenceDate);
  const candidateAge = ageAt(candidate.birthDate, candidate.estimatedAge, incoming.referenceDate);
  if (incomingAge === null || candidateAge === null) return null;
  return Math.abs(incomingAge - candidateAge) <= 1 ? 'age_within_1y' : 'too_far_apart';
}

/** Completed years at `on`, from the date of birth when it is usable, else the estimate. */
function ageAt(
  birthDate: DateKey | null | undefined,
  estimatedAge: number | null | undefined,
  on: DateKey,
): number | null {
  const birth = parseDateKey(birthDate);
  const today = parseDateKey(on);
  if (birth !== null && today !== null && birth <= today) {
    const birthdayPassed = today.slice(5) >= birth.slice(5);
    return Number(today.slice(0, 4)) - Number(birth.slice(0, 4)) - (birthdayPassed ? 0 : 1);
  }
  return estimatedAge ?? null;
}

function dayNumber(key: DateKey | null | undefined): number | null {
  const date = parseDateKey(key);
  return date === null ? null : Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

// Old records and hotline notes hold partial or impossible dates ("2015-00-00", "2016-02-30");
// those count as unknown rather than failing the whole ranking.
function parseDateKey(key: DateKey | null | undefined): DateKey | null {
  if (!key) return null;
  const ms = Date.parse(`${key}T00:00:00Z`);
  // The round trip also rejects what Date.parse silently repairs, such as '2016-02-30' or '2016-2-3'.
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== key ? null : key;
}
