import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { preparedStatements } from '../../src/db/client.js';
import { freshDatabase, removeDatabase, type TestDatabase } from '../helpers/db.js';

const QUERY = "SELECT code FROM taxonomy_codes WHERE code = 'abuse_violence'";
const kept = preparedStatements((client) => ({ code: client.prepare<[], string>(QUERY).pluck() }));

describe('the connection statement cache', () => {
  let database: TestDatabase;
  beforeEach(() => {
    database = freshDatabase();
  });
  afterEach(() => removeDatabase(database));

  it('hands a statement out again with its modes reset, so one caller’s pluck() never reaches another', () => {
    const client = database.db.$client;
    expect(client.prepare(QUERY).pluck().get()).toBe('abuse_violence');
    expect(client.prepare(QUERY)).toBe(client.prepare(QUERY));
    expect(client.prepare(QUERY).get()).toEqual({ code: 'abuse_violence' });
  });

  it('leaves statements a module keeps for good out of it, so their modes stay theirs', () => {
    const { code } = kept(database.db);
    expect(database.db.$client.prepare(QUERY).get()).toEqual({ code: 'abuse_violence' });
    expect(code.get()).toBe('abuse_violence');
  });
});
