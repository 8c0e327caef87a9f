import type { Translate } from '../i18n/i18n.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export interface Countdown {
  /** The deadline as stored (ISO UTC), for the `<time datetime>` that static/app.js keeps current. */
  dueAt: string;
  overdue: boolean;
  /** "còn 7 giờ 12 phút" / "quá hạn 2 giờ 5 phút", as it stood when the page was rendered. */
  text: string;
}

// static/app.js repeats these rules to update the text between refreshes, reading the same messages
// from the page (views/pages/cases/_countdown-strings.eta): change both together.
function describeDuration(t: Translate, ms: number): string {
  if (ms >= DAY_MS) return t('countdown.days_hours', { days: Math.floor(ms / DAY_MS), hours: Math.floor((ms % DAY_MS) / HOUR_MS) });
  const minutes = Math.floor(ms / MINUTE_MS);
  if (ms >= HOUR_MS) return t('countdown.hours_minutes', { hours: Math.floor(ms / HOUR_MS), minutes: minutes % 60 });
  return t('countdown.minutes', { minutes });
}

/** Time left to a legal deadline, or by how much it was missed; null when no clock runs. */
export function countdownTo(t: Translate, dueAt: string | null, now: Date): Countdown | null {
  if (!dueAt) return null;
  const left = Date.parse(dueAt) - now.getTime();
  if (Number.isNaN(left)) return null;
  const overdue = left < 0;
  const duration = describeDuration(t, Math.abs(left));
  return { dueAt, overdue, text: overdue ? t('countdown.overdue', { duration }) : t('countdown.remaining', { duration }) };
}
