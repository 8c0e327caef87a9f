/**
 * What each fact adds to the monthly counters: one entry per table cell and per indicator it falls
 * in, for the 'all' filter and for each category group it belongs to. The refresher adds a fact's
 * contributions and takes away those of its previous version; views over small subtrees add up the
 * facts themselves. Both use this one function, so they always agree.
 */
import type { Level, Metric } from './dimensions.js';
import type { Fact } from './facts.js';
import type { MonthKey } from './periods.js';

export interface Contribution {
  level: Level;
  month: MonthKey;
  metric: Metric;
  key: string;
}

/** Median inputs are kept as histograms: hours (then days) to triage, days (then weeks, months) to closure. */
export function triageBucket(hours: number): string {
  if (hours < 48) return `h${Math.floor(hours)}`;
  return `d${Math.min(60, Math.floor(hours / 24))}`;
}

export function closureBucket(days: number): string {
  if (days < 31) return `d${days}`;
  if (days < 182) return `w${Math.floor(days / 7)}`;
  if (days < 731) return `m${Math.floor(days / 30)}`;
  return 'y2';
}

/** The groups whose filtered views count the fact (the calls table is not filtered by category). */
export function groupsOf(fact: Fact): string[] {
  return fact.kind === 'call' ? ['all'] : ['all', ...fact.groups];
}

export function contributionsOf(fact: Fact): Contribution[] {
  const { level, month } = fact;
  if (fact.kind === 'flag') return [{ level, month, metric: 'flag', key: fact.status }];
  if (fact.kind === 'call') return [{ level, month, metric: 'call', key: fact.callType }];
  const found: Contribution[] = [
    { level, month, metric: 'channel', key: fact.channel },
    { level, month, metric: 'stage', key: fact.stage },
    { level, month, metric: 'risk', key: fact.risk },
    { level, month, metric: 'age', key: fact.ageBand },
    { level, month, metric: 'sex', key: fact.sex },
    ...fact.categories.map((code): Contribution => ({ level, month, metric: 'category', key: code })),
  ];
  if (fact.closure) found.push({ level, month: fact.closure.month, metric: 'outcome', key: fact.closure.outcome });
  if (fact.triage) found.push({ level, month: fact.triage.month, metric: 'triage', key: triageBucket(fact.triage.hours) });
  for (const item of fact.emergencies) found.push({ level, month: item.month, metric: 'emergency', key: item.inTime ? 'yes' : 'no' });
  for (const item of fact.plans) found.push({ level, month: item.month, metric: 'plan', key: item.inTime ? 'yes' : 'no' });
  for (const item of fact.approvals) found.push({ level, month: item.month, metric: 'approval', key: item.firstTime ? 'yes' : 'no' });
  for (const item of fact.closures) {
    found.push({ level, month: item.month, metric: 'closure_days', key: closureBucket(item.days) });
    found.push({ level, month: item.month, metric: 'reopen', key: item.reopened ? 'yes' : 'no' });
  }
  return found;
}

/**
 * The case's entry in the "by organisation" table of an organisation above it: the child unit it
 * falls under, or 'direct' when it counts at that organisation itself.
 */
export function unitContribution(fact: Fact, childKey: string): Contribution | null {
  return fact.kind === 'case' ? { level: fact.level, month: fact.month, metric: 'unit', key: childKey } : null;
}

/**
 * Where tallyFact adds a fact's contributions: each contribution is turned into the counters' own
 * key once, then added for every organisation and group it counts in.
 */
export interface Counters<K> {
  keyOf(contribution: Contribution): K;
  add(orgId: number, group: string, keys: readonly K[], n: number): void;
}

/** A contribution with its tallyKey, worked out once when it is added to several groups and organisations. */
export interface KeyedContribution {
  key: string;
  contribution: Contribution;
}

/** Counters in memory for one organisation, per group, keyed by tallyKey(contribution). */
export class Tally {
  readonly counts = new Map<string, Map<string, { contribution: Contribution; n: number }>>();

  /** Adds n to each contribution's counter in the group. */
  addKeyed(group: string, contributions: readonly KeyedContribution[], n = 1): void {
    let byGroup = this.counts.get(group);
    if (!byGroup) this.counts.set(group, (byGroup = new Map()));
    for (const { key, contribution } of contributions) {
      const entry = byGroup.get(key);
      if (entry) entry.n += n;
      else byGroup.set(key, { contribution, n });
    }
  }
}

/** The refresher's counters: a Tally per organisation, written by writeTallies. */
export class Tallies implements Counters<KeyedContribution> {
  readonly byOrg = new Map<number, Tally>();

  keyOf(contribution: Contribution): KeyedContribution {
    return { key: tallyKey(contribution), contribution };
  }

  add(orgId: number, group: string, keys: readonly KeyedContribution[], n: number): void {
    let tally = this.byOrg.get(orgId);
    if (!tally) this.byOrg.set(orgId, (tally = new Tally()));
    tally.addKeyed(group, keys, n);
  }
}

export function tallyKey(c: Contribution): string {
  return `${c.level}|${c.month}|${c.metric}|${c.key}`;
}
