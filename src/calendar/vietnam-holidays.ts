import type { DateKey } from './working-days.js';

/*
 * Seed for the editable holiday calendar. An administrator must confirm each year's calendar in the
 * UI: the government fixes the exact Tết and National Day days every year (Labour Code 2019,
 * Art. 112(3)) and often swaps working days to lengthen a break.
 *
 * Every day of each break is listed, weekends included, because the break is what is announced.
 * The schedule is the civil servants' one (công chức, viên chức), since the Decree 56 deadlines
 * run at the commune People's Committee.
 * - 2026: as announced (Prime Minister, Oct 2025, for Tết and National Day; Official Letter
 *   12729/VPCP-KGVX of 25 Dec 2025 for New Year's Day). Giỗ Tổ and 30/4–1/5 follow the Labour Code.
 * - 2027: not yet announced when written; derived from Labour Code Art. 111(3) (a holiday on a
 *   weekend gives a day off on the next working day) and Art. 112, Tết after the 2024 pattern
 *   (same weekdays: the last two days of the lunar year, the first three of the new year, two
 *   compensatory days).
 * Make-up working Saturdays (10/01/2026 and 22/08/2026, traded for 02/01 and 31/08) cannot be
 * expressed as non-working dates, so deadline arithmetic treats them as days off.
 * Vietnamese Culture Day (24/11) awaits an amendment of Labour Code Art. 112 and is not listed.
 */

export interface PublicHoliday {
  readonly date: DateKey;
  readonly name_vi: string;
  readonly name_en: string;
}

const OCCASIONS = {
  newYear: ['Tết Dương lịch', "New Year's Day"],
  tet: ['Tết Nguyên đán', 'Lunar New Year (Tết)'],
  hungKings: ['Giỗ Tổ Hùng Vương', "Hung Kings' Commemoration Day"],
  victory: ['Ngày Chiến thắng 30/4', 'Reunification Day (30 April)'],
  labour: ['Ngày Quốc tế Lao động 1/5', "International Workers' Day (1 May)"],
  nationalDay: ['Quốc khánh 2/9', 'National Day (2 September)'],
} as const;

// Why a date in a break is a day off; the holiday itself has no suffix.
const REASONS = {
  holiday: ['', ''],
  adjacent: [' (ngày liền kề)', ' (adjacent day)'],
  compensatory: [' (nghỉ bù)', ' (compensatory day off)'],
  swapped: [' (nghỉ hoán đổi)', ' (swapped working day)'],
  weekend: [' (nghỉ cuối tuần)', ' (weekend)'],
} as const;

function day(
  date: DateKey,
  occasion: keyof typeof OCCASIONS,
  reason: keyof typeof REASONS = 'holiday',
): PublicHoliday {
  const [vi, en] = OCCASIONS[occasion];
  const [viSuffix, enSuffix] = REASONS[reason];
  return { date, name_vi: vi + viSuffix, name_en: en + enSuffix };
}

export const VIETNAM_PUBLIC_HOLIDAYS: readonly PublicHoliday[] = [
  // 2026
  day('2026-01-01', 'newYear'), // Thu
  day('2026-01-02', 'newYear', 'swapped'), // Fri, made up on Sat 10/01
  day('2026-01-03', 'newYear', 'weekend'),
  day('2026-01-04', 'newYear', 'weekend'),
  day('2026-02-14', 'tet', 'weekend'), // Sat, 27 tháng Chạp
  day('2026-02-15', 'tet', 'weekend'),
  day('2026-02-16', 'tet'), // Mon, 29 tháng Chạp (last day of the lunar year)
  day('2026-02-17', 'tet'), // Tue, mùng 1 Tết
  day('2026-02-18', 'tet'),
  day('2026-02-19', 'tet'),
  day('2026-02-20', 'tet'), // Fri, mùng 4
  day('2026-02-21', 'tet', 'weekend'),
  day('2026-02-22', 'tet', 'weekend'), // Sun, mùng 6
  day('2026-04-25', 'hungKings', 'weekend'),
  day('2026-04-26', 'hungKings'), // Sun
  day('2026-04-27', 'hungKings', 'compensatory'), // Mon
  day('2026-04-30', 'victory'), // Thu
  day('2026-05-01', 'labour'), // Fri
  day('2026-05-02', 'labour', 'weekend'),
  day('2026-05-03', 'labour', 'weekend'),
  day('2026-08-29', 'nationalDay', 'weekend'),
  day('2026-08-30', 'nationalDay', 'weekend'),
  day('2026-08-31', 'nationalDay', 'swapped'), // Mon, made up on Sat 22/08
  day('2026-09-01', 'nationalDay', 'adjacent'), // Tue
  day('2026-09-02', 'nationalDay'), // Wed

  // 2027 (derived, to be confirmed)
  day('2027-01-01', 'newYear'), // Fri
  day('2027-01-02', 'newYear', 'weekend'),
  day('2027-01-03', 'newYear', 'weekend'),
  day('2027-02-04', 'tet'), // Thu
  day('2027-02-05', 'tet'), // Fri, last day of the lunar year
  day('2027-02-06', 'tet'), // Sat, mùng 1 Tết
  day('2027-02-07', 'tet'), // Sun
  day('2027-02-08', 'tet'), // Mon, mùng 3
  day('2027-02-09', 'tet', 'compensatory'), // Tue, for Sat 06/02
  day('2027-02-10', 'tet', 'compensatory'), // Wed, for Sun 07/02
  day('2027-04-16', 'hungKings'), // Fri
  day('2027-04-17', 'hungKings', 'weekend'),
  day('2027-04-18', 'hungKings', 'weekend'),
  day('2027-04-30', 'victory'), // Fri
  day('2027-05-01', 'labour'), // Sat
  day('2027-05-02', 'labour', 'weekend'),
  day('2027-05-03', 'labour', 'compensatory'), // Mon, for Sat 01/05
  day('2027-09-02', 'nationalDay'), // Thu
  day('2027-09-03', 'nationalDay', 'adjacent'), // Fri, the usual choice as it joins the weekend
  day('2027-09-04', 'nationalDay', 'weekend'),
  day('2027-09-05', 'nationalDay', 'weekend'),
];
