import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { preparedQueries, preparedStatements, writeTransaction } from '../../src/db/client.js';
import { taxonomyCodes } from '../../src/taxonomy/schema.js';
import { freshDatabase, removeDatabase, type TestDatabase } from '../helpers/db.js';

const QUERY = "SELECT code FROM taxonomy_codes WHERE code = 'abuse_violence'";
const kept = preparedStatements((client) => ({ code: client.prepare<[], string>(QUERY).pluck() }));
let builds = 0;
const codeQuery = preparedQueries((db) => {
  builds += 1;
  return db
    .select({ code: taxonomyCodes.code, parentCode: taxonomyCodes.parentCode })
    .from(taxonomyCodes)
    .where(eq(taxonomyCodes.code, sql.placeholder('code')))
    .prepare();
});

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

  it('builds a drizzle query once per connection, also when a transaction asks first, and maps its rows every time', () => {
    const before = builds;
    const inTransaction = writeTransaction(database.db, (tx) => codeQuery(tx).get({ code: 'abuse_violence_physical' }));
    expect(inTransaction).toEqual({ code: 'abuse_violence_physical', parentCode: 'abuse_violence' });
    // The same statement, raw and back: a plain cached prepare of its text does not change what it returns.
    database.db.$client.prepare(codeQuery(database.db).getQuery().sql).all('abuse_violence_emotional');
    expect(codeQuery(database.db).get({ code: 'abuse_violence' })).toEqual({ code: 'abuse_violence', parentCode: null });
    expect(codeQuery(database.db).get({ code: 'no_such_code' })).toBeUndefined();
    expect(builds - before).toBe(1);
  });
});
