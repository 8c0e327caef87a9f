import { dateKeyInVietnam } from '../calendar/working-days.js';
import { preparedStatements, type DbOrTx } from '../db/client.js';

/** The year in Viet Nam: a report at 23:30 UTC on 31 December already belongs to the new year there. */
export function vietnamYear(at: string): number {
  return Number(dateKeyInVietnam(new Date(at)).slice(0, 4));
}

export function formatReference(year: number, sequence: number): string {
  return `BV-${year}-${String(sequence).padStart(6, '0')}`;
}

const takeNumber = preparedStatements(
  (client) =>
    client.prepare<[number], { last: number }>(`
      INSERT INTO case_sequences (year, last) VALUES (?, 1)
      ON CONFLICT (year) DO UPDATE SET last = last + 1
      RETURNING last`),
);

/** Takes the next number of the year inside the caller's write transaction, so numbers are never skipped or shared. */
export function nextCaseReference(tx: DbOrTx, at: string): string {
  const year = vietnamYear(at);
  const { last } = takeNumber(tx).get(year)!;
  return formatReference(year, last);
}
