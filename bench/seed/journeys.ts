/**
 * What happens to a case after it is reported, as a dated list of workflow events (Decree 56
 * Art. 25–30): taken into verification, then closed as unfounded, merged into an earlier report, or
 * assessed, planned, approved, carried out, reviewed and closed, with an emergency, a rejected plan
 * or a second planning round now and then. A case's state is where its journey has got to today, so
 * old cases are closed and this month's are spread over the early states, as in a live system.
 *
 * The persisted statechart snapshot comes from the real machine: each distinct sequence of event
 * types is replayed once on caseMachine with placeholder times and ids, and the resulting snapshot
 * is reused for every case that took the same steps, its placeholders replaced by the case's own.
 */
import { createActor } from 'xstate';
import { caseMachine, stateKeyOf, type CaseContext, type CaseEvent, type CaseEventType, type CaseState } from '../../src/cases/workflow/machine.js';
import { between, pick, type Random } from './random.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface JourneyEvent {
  type: CaseEventType;
  ms: number;
  /** What the user wrote with the event (the machine judges it, the timeline keeps it). */
  reason?: string;
  comment?: string;
  intoCaseId?: number;
}

const UNFOUNDED_REASONS = [
  'Đã xác minh tại gia đình và nhà trường, không có dấu hiệu xâm hại.',
  'Thông tin phản ánh không chính xác; trẻ được chăm sóc bình thường.',
  'Gia đình đã tự giải quyết mâu thuẫn, trẻ an toàn.',
] as const;
const PLAN_COMMENTS = ['Bổ sung biện pháp hỗ trợ tâm lý và phân công người theo dõi.', 'Cần ghi rõ thời hạn thực hiện từng biện pháp.'] as const;
const CLOSURE_COMMENTS = ['Cần thêm một lần thăm gia đình trước khi kết thúc.'] as const;

/** Hours, log-normally spread around `median`. */
function hours(rnd: Random, median: number): number {
  const u = Math.max(rnd(), 1e-9);
  return median * Math.exp(0.8 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd())) * HOUR;
}

/**
 * The whole journey a report would take if nobody stopped it; the caller keeps the events up to
 * today. `earlierCaseId` is a case of the same commune a duplicate can be merged into.
 */
export function planJourney(rnd: Random, receivedMs: number, earlierCaseId: number | null): JourneyEvent[] {
  const events: JourneyEvent[] = [];
  const emergency = rnd() < 0.1;
  // Most reports are taken within hours; some wait out a weekend or a backlog.
  let t = receivedMs + (emergency ? hours(rnd, 1) : rnd() < 0.75 ? hours(rnd, 3) : between(rnd, 24, 24 * 7) * HOUR);
  const push = (type: CaseEventType, extra: Partial<JourneyEvent> = {}): void => {
    events.push({ type, ms: Math.round(t), ...extra });
  };
  push('TAKE');
  const fate = rnd();
  if (fate < 0.03 && earlierCaseId !== null) {
    t += between(rnd, 1, 3) * DAY;
    push('MARK_DUPLICATE', { intoCaseId: earlierCaseId });
    return events;
  }
  if (fate < 0.45) {
    t += between(rnd, 1, 10) * DAY + hours(rnd, 4);
    push('CLOSE_UNFOUNDED', { reason: pick(rnd, UNFOUNDED_REASONS) });
    return events;
  }
  if (emergency) {
    t += 0.5 * HOUR;
    push('DECLARE_EMERGENCY');
    // Measures are due 12 hours after the report; most are in time.
    t = Math.max(t + HOUR, receivedMs + (rnd() < 0.85 ? between(rnd, 6, 11) : between(rnd, 13, 30)) * HOUR);
    push('RECORD_EMERGENCY_MEASURES');
  }
  t += between(rnd, 1, 6) * DAY + hours(rnd, 3);
  push(rnd() < 0.6 ? 'DECIDE_SUPPORT' : 'DECIDE_INTERVENTION');
  t += between(rnd, 1, 5) * DAY;
  push('RECORD_NEEDS_MEETING');
  t += hours(rnd, 20);
  push('COMPLETE_ASSESSMENT');
  const planRound = (): void => {
    t += between(rnd, 2, 8) * DAY;
    push('SUBMIT_PLAN');
    if (rnd() < 0.1) {
      t += between(rnd, 1, 4) * DAY;
      push('REJECT_PLAN', { comment: pick(rnd, PLAN_COMMENTS) });
      t += between(rnd, 1, 4) * DAY;
      push('SUBMIT_PLAN');
    }
    t += between(rnd, 1, 5) * DAY;
    push('APPROVE_PLAN');
    // Services, referrals and visits run for weeks to many months before the review.
    t += between(rnd, 30, 330) * DAY;
    push('START_REVIEW');
  };
  planRound();
  if (rnd() < 0.08) {
    t += between(rnd, 1, 5) * DAY;
    push('REPLAN');
    planRound();
  }
  t += between(rnd, 1, 10) * DAY;
  push('REQUEST_CLOSURE');
  if (rnd() < 0.05) {
    t += between(rnd, 1, 5) * DAY;
    push('REJECT_CLOSURE', { comment: pick(rnd, CLOSURE_COMMENTS) });
    t += between(rnd, 5, 20) * DAY;
    push('REQUEST_CLOSURE');
  }
  t += between(rnd, 1, 7) * DAY;
  push('APPROVE_CLOSURE');
  return events;
}

// Placeholders the real machine carries into its context, replaced per case. Strings that no real
// value can equal, and ids far beyond any seeded one.
const MARK = '\u0001';
const RECEIVED = `${MARK}R`;
const ORG = 2_000_000_001;
const INTO = 2_000_000_002;

type Slot = 'received' | 'org' | 'into' | number;

export interface StepTemplate {
  /** The state after each event of the sequence, for the timeline's from/to columns. */
  states: CaseState[];
  state: CaseState;
  /** The snapshot's context with placeholders, and which fields hold which placeholder. */
  context: Record<string, unknown>;
  slots: { key: string; slot: Slot }[];
  /** The persisted snapshot as JSON, cut at its placeholders: JSON.stringify once per template, not per case. */
  json: { parts: string[]; slots: Slot[] };
}

function slotOf(value: unknown): Slot | null {
  if (value === RECEIVED) return 'received';
  if (value === ORG) return 'org';
  if (value === INTO) return 'into';
  return typeof value === 'string' && value.startsWith(MARK) ? Number(value.slice(1)) : null;
}

// As JSON writes them: "\u0001R", "\u00013", 2000000001, 2000000002.
const PLACEHOLDERS = new RegExp(`"\\\\u0001(?:R|\\d+)"|${ORG}|${INTO}`, 'g');

function cutAtPlaceholders(json: string): StepTemplate['json'] {
  const parts: string[] = [];
  const slots: Slot[] = [];
  let from = 0;
  for (const match of json.matchAll(PLACEHOLDERS)) {
    parts.push(json.slice(from, match.index));
    slots.push(slotOf(match[0].startsWith('"') ? (JSON.parse(match[0]) as string) : Number(match[0])) as Slot);
    from = match.index + match[0].length;
  }
  parts.push(json.slice(from));
  return { parts, slots };
}

function templateFor(events: readonly JourneyEvent[]): StepTemplate {
  const actor = createActor(caseMachine, { input: { orgId: ORG, receivedAt: RECEIVED } }).start();
  const states: CaseState[] = [];
  events.forEach((event, i) => {
    const at = `${MARK}${i}`;
    const sent = { ...event, ms: undefined, at, ...(event.intoCaseId === undefined ? {} : { intoCaseId: INTO }) } as unknown as CaseEvent;
    delete (sent as { ms?: number }).ms;
    if (!actor.getSnapshot().can(sent)) throw new Error(`the case machine refuses ${event.type} after ${events.slice(0, i).map((e) => e.type).join(',')}`);
    actor.send(sent);
    states.push(stateKeyOf(actor.getSnapshot()));
  });
  const persisted = actor.getPersistedSnapshot() as unknown as Record<string, unknown>;
  actor.stop();
  const context = persisted.context as Record<string, unknown>;
  const slots: StepTemplate['slots'] = [];
  for (const [key, value] of Object.entries(context)) {
    const slot = slotOf(value);
    if (slot !== null) slots.push({ key, slot });
  }
  return { states, state: states.at(-1) ?? 'intake', context, slots, json: cutAtPlaceholders(JSON.stringify(persisted)) };
}

/** One template per distinct sequence of event types (a few dozen in all), built on first use. */
export class SnapshotTemplates {
  private readonly cache = new Map<string, StepTemplate>();

  get(events: readonly JourneyEvent[]): StepTemplate {
    const key = events.map((event) => event.type).join(',');
    let found = this.cache.get(key);
    if (!found) this.cache.set(key, (found = templateFor(events)));
    return found;
  }

  get size(): number {
    return this.cache.size;
  }
}

export interface CaseValues {
  orgId: number;
  receivedAt: string;
  eventsAt: readonly string[];
  intoCaseId: number | null;
}

function valueOf(slot: Slot, values: CaseValues): string | number | null | undefined {
  return slot === 'received' ? values.receivedAt : slot === 'org' ? values.orgId : slot === 'into' ? values.intoCaseId : values.eventsAt[slot];
}

/** The case's own context: the template's, with its placeholders replaced by the case's values. */
export function contextOf(template: StepTemplate, values: CaseValues): CaseContext {
  const context: Record<string, unknown> = { ...template.context };
  for (const { key, slot } of template.slots) context[key] = valueOf(slot, values);
  return context as CaseContext;
}

/** The persisted snapshot JSON, as JSON.stringify would write it with the case's values in place. */
export function persistedSnapshot(template: StepTemplate, values: CaseValues): string {
  const { parts, slots } = template.json;
  let json = parts[0] ?? '';
  for (let i = 0; i < slots.length; i += 1) json += JSON.stringify(valueOf(slots[i] as Slot, values)) + (parts[i + 1] ?? '');
  return json;
}
