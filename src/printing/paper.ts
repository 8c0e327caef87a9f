/** The conventions of a Vietnamese administrative paper form, for the print templates. */
import { dateKeyInVietnam } from '../calendar/working-days.js';

/** What a paper form shows where nothing was filled in: a dotted line to write on. */
export const PRINT_BLANK = '…………………………';
const SHORT_BLANK = '……';

export interface DateParts {
  day: string;
  month: string;
  year: string;
}

/** "ngày 05 tháng 03 năm 2026" in Viet Nam's calendar; dotted blanks when there is no date yet. */
export function dateParts(iso: string | null | undefined): DateParts {
  if (!iso) return { day: SHORT_BLANK, month: SHORT_BLANK, year: SHORT_BLANK };
  const [year = SHORT_BLANK, month = SHORT_BLANK, day = SHORT_BLANK] = dateKeyInVietnam(new Date(iso)).split('-');
  return { day, month, year };
}

/** The issuing body's name as headed on an official document: in capitals ("PHƯỜNG KINH BẮC"). */
export function issuerName(communeName: string): string {
  return communeName.toLocaleUpperCase('vi');
}
