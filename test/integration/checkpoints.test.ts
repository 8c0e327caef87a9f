import fs from 'node:fs';
import type { FastifyBaseLogger } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startBackgroundCheckpoints } from '../../src/db/checkpoints.js';
import { openDatabase } from '../../src/db/client.js';
import { freshDatabase, removeDatabase, type TestDatabase } from '../helpers/db.js';

describe('WAL checkpoints in a worker thread', () => {
  let database: TestDatabase;
  const log = { error: vi.fn() } as unknown as FastifyBaseLogger;
  beforeEach(() => {
    database = freshDatabase();
  });
  afterEach(() => removeDatabase(database));

  it('copies committed pages into the database file while the connection does no checkpoints itself', async () => {
    const client = database.db.$client;
    client.exec('CREATE TABLE filler (text TEXT NOT NULL)');
    client.pragma('wal_checkpoint(TRUNCATE)');
    const before = fs.statSync(database.file).size;
    const checkpoints = startBackgroundCheckpoints(database.db, log, 50);
    expect(checkpoints).not.toBeNull();
    expect(client.pragma('wal_autocheckpoint', { simple: true })).toBe(4000);

    // 8 MiB: twice the WAL at which a connection checkpoints by default, half the one at which it now does.
    const insert = client.prepare('INSERT INTO filler (text) VALUES (?)');
    client.transaction(() => {
      for (let i = 0; i < 2048; i += 1) insert.run('x'.repeat(4096));
    })();
    await vi.waitFor(() => expect(fs.statSync(database.file).size).toBeGreaterThan(before + 8 * 1024 * 1024), { timeout: 10_000, interval: 50 });

    await checkpoints?.stop();
    expect(client.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect(client.prepare('SELECT count(*) FROM filler').pluck().get()).toBe(2048);
    expect(log.error).not.toHaveBeenCalled();
  });

  it('leaves a database in memory to its own checkpoints', () => {
    const inMemory = openDatabase(':memory:');
    try {
      expect(startBackgroundCheckpoints(inMemory, log)).toBeNull();
    } finally {
      inMemory.$client.close();
    }
  });
});
