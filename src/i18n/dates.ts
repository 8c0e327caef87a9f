/** Viet Nam's time zone; every date a user sees is shown in it, as dd/mm/yyyy. */
export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

/**
 * Viet Nam has been UTC+7 all year, without daylight saving, since 1975: a fixed offset gives what
 * Intl gives for TIME_ZONE (test/unit/dates.test.ts compares them) at a fraction of the cost, which
 * counts where every deadline of a case or every date on a page is worked out.
 */
export const VIETNAM_OFFSET_MS = 7 * 3_600_000;

function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The instant as a Date whose UTC fields read Viet Nam's wall clock. */
function vietnamWallClock(value: Date | string | number): Date {
  const ms = (value instanceof Date ? value : new Date(value)).getTime();
  if (Number.isNaN(ms)) throw new RangeError('Invalid time value');
  return new Date(ms + VIETNAM_OFFSET_MS);
}

function dayOf(wall: Date): string {
  return `${twoDigits(wall.getUTCDate())}/${twoDigits(wall.getUTCMonth() + 1)}/${wall.getUTCFullYear()}`;
}

export function formatDate(value: Date | string | number): string {
  return dayOf(vietnamWallClock(value));
}

export function formatDateTime(value: Date | string | number): string {
  const wall = vietnamWallClock(value);
  return `${dayOf(wall)} ${twoDigits(wall.getUTCHours())}:${twoDigits(wall.getUTCMinutes())}`;
}
