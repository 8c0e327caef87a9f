import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { formatReference, nextCaseReference, vietnamYear } from '../../src/cases/references.js';
import { openCase } from '../../src/cases/service.js';
import { writeTransaction } from '../../src/db/client.js';
import { seedOrgs } from '../helpers/app.js';
import { freshDatabase, removeDatabase, type TestDatabase } from '../helpers/db.js';

describe('formatReference', () => {
  it('writes BV-year-six digits', () => {
    expect(formatReference(2026, 123)).toBe('BV-2026-000123');
    expect(formatReference(2026, 1)).toBe('BV-2026-000001');
    expect(formatReference(2027, 999_999)).toBe('BV-2027-999999');
  });
});

describe('vietnamYear', () => {
  it('turns the year over at 17:00 UTC on 31 December, midnight in Viet Nam', () => {
    expect(vietnamYear('2026-12-31T16:59:59.999Z')).toBe(2026);
    expect(vietnamYear('2026-12-31T17:00:00.000Z')).toBe(2027);
    expect(vietnamYear('2026-12-31T23:30:00.000Z')).toBe(2027);
    expect(vietnamYear('2026-01-01T00:00:00.000Z')).toBe(2026);
    expect(vietnamYear('2025-12-31T17:00:00.000Z')).toBe(2026);
  });
});

// Integration-style: the sequence lives in case_sequences, taken inside the write transaction.
describe('nextCaseReference', () => {
  let database: TestDatabase;
  beforeEach(() => {
    database = freshDatabase();
  });
  afterEach(() => removeDatabase(database));

  const next = (at: string): string => writeTransaction(database.db, (tx) => nextCaseReference(tx, at));

  it('numbers each Viet Nam year from 1, in order', () => {
    expect(next('2026-03-02T02:00:00.000Z')).toBe('BV-2026-000001');
    expect(next('2026-03-02T03:00:00.000Z')).toBe('BV-2026-000002');
    // 00:30 on 1 January 2027 in Viet Nam.
    expect(next('2026-12-31T17:30:00.000Z')).toBe('BV-2027-000001');
    // A late report of the old year continues the old year's numbers.
    expect(next('2026-12-31T16:30:00.000Z')).toBe('BV-2026-000003');
    expect(next('2027-01-05T02:00:00.000Z')).toBe('BV-2027-000002');
    expect(database.db.$client.prepare('SELECT year, last FROM case_sequences ORDER BY year').all()).toEqual([
      { year: 2026, last: 3 },
      { year: 2027, last: 2 },
    ]);
  });

  it('skips no number when the transaction that took it rolls back', () => {
    expect(next('2026-03-02T02:00:00.000Z')).toBe('BV-2026-000001');
    expect(() =>
      writeTransaction(database.db, (tx) => {
        nextCaseReference(tx, '2026-03-02T03:00:00.000Z');
        throw new Error('the intake failed to save');
      }),
    ).toThrow('the intake failed to save');
    expect(next('2026-03-02T04:00:00.000Z')).toBe('BV-2026-000002');
  });

  it('gives every opened case its own reference', () => {
    const orgs = seedOrgs(database.db);
    const references = ['2026-05-01T01:00:00.000Z', '2026-05-01T02:00:00.000Z', '2026-05-01T03:00:00.000Z'].map(
      (receivedAt) =>
        writeTransaction(database.db, (tx) =>
          openCase(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT }, { orgId: orgs.communeA, channel: 'public', receivedAt, childId: null, categories: [] }),
        ).reference,
    );
    expect(references).toEqual(['BV-2026-000001', 'BV-2026-000002', 'BV-2026-000003']);
  });
});
