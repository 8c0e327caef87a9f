/**
 * Which of FTS5's levels the seeded search index sits on (docs/decisions/0012, round 5).
 *
 * FTS5 keeps an index as segments on numbered levels. A merge of one level's segments writes one
 * segment on the next level, and the app's merger merges any level that holds two (decision 27).
 * An index the app wrote a case at a time therefore has its bulk about log2(cases) levels up, and a
 * new segment climbs that high only after about as many writes again. `optimize` puts the one
 * segment it makes just above the highest level in use instead: level 1 after the seed's unmerged
 * load. There the app's first few new segments climbed to it within minutes, and from then on the
 * merger rewrote the whole index, 424 MB at a million cases, 64 pages at a time on the web thread.
 *
 * So the seed moves its merged segment up to the level the app's own writing would have brought it
 * to. Only FTS5's structure record changes: a segment's level decides what FTS5 merges, and nothing
 * else. The record's layout is the one fts5StructureWrite writes (fts5_index.c in SQLite).
 */
import Database from 'better-sqlite3';

/** The structure record's row in the index's data table (FTS5_STRUCTURE_ROWID). */
const STRUCTURE_ROWID = 10;
/** After the 4-byte cookie, marks a record whose segments carry five more fields (FTS5_STRUCTURE_V2). */
const VERSION_2 = Buffer.from([0xff, 0x00, 0x00, 0x01]);
/** FTS5_MAX_LEVEL: optimize and merges never write above it. */
const MAX_LEVEL = 64;

export interface SearchSegment {
  id: number;
  level: number;
  pages: number;
}

interface Structure {
  /** The cookie and, in a version 2 record, its marker: kept as they are. */
  head: Buffer;
  /** The write counter, as its varint: kept as it is. */
  writeCounter: Buffer;
  levels: { merging: number; segments: (SearchSegment & { bytes: Buffer })[] }[];
}

/** SQLite's varints: seven bits a byte, most significant first, the ninth byte whole. */
function varintReader(bytes: Buffer, from: number): { next(): number; readonly at: number } {
  let at = from;
  return {
    next() {
      let value = 0;
      for (let i = 0; i < 9; i++) {
        const byte = bytes[at++];
        if (byte === undefined) throw new Error('the search index structure record ends early');
        if (i === 8) return value * 256 + byte;
        value = value * 128 + (byte & 0x7f);
        if (byte < 0x80) return value;
      }
      return value;
    },
    get at() {
      return at;
    },
  };
}

function parseStructure(record: Buffer): Structure {
  const version2 = record.subarray(4, 8).equals(VERSION_2);
  const reader = varintReader(record, version2 ? 8 : 4);
  const head = record.subarray(0, reader.at);
  const levelCount = reader.next();
  reader.next(); // the number of segments, which the levels list again
  const counterStart = reader.at;
  reader.next();
  const writeCounter = record.subarray(counterStart, reader.at);
  const levels: Structure['levels'] = [];
  for (let level = 0; level < levelCount; level++) {
    const merging = reader.next();
    const count = reader.next();
    const segments = [];
    for (let n = 0; n < count; n++) {
      const start = reader.at;
      const id = reader.next();
      const firstPage = reader.next();
      const lastPage = reader.next();
      // Origins and tombstones: copied with the segment, never read.
      if (version2) for (let field = 0; field < 5; field++) reader.next();
      segments.push({ id, level, pages: lastPage - firstPage + 1, bytes: record.subarray(start, reader.at) });
    }
    levels.push({ merging, segments });
  }
  if (reader.at !== record.length) throw new Error('the search index structure record has more than its levels');
  return { head, writeCounter, levels };
}

function readStructure(client: Database.Database): Structure {
  const record = client.prepare('SELECT block FROM case_search_data WHERE id = ?').pluck().get(STRUCTURE_ROWID);
  if (!Buffer.isBuffer(record)) throw new Error('the search index has no structure record');
  return parseStructure(record);
}

/** The search index's segments, lowest level first. */
export function searchIndexSegments(client: Database.Database): SearchSegment[] {
  return readStructure(client).levels.flatMap((level) => level.segments.map(({ id, level: at, pages }) => ({ id, level: at, pages })));
}

/** The level the app's merger would have brought an index of this many cases to, writing them one at a time. */
export function levelWrittenCaseByCase(cases: number): number {
  return Math.min(MAX_LEVEL - 1, Math.floor(Math.log2(Math.max(cases, 1))));
}

/**
 * Moves the search index of the database in `file`, merged into one segment, up to the level an index
 * of `cases` cases written one at a time would be on. It opens a connection of its own: FTS5 keeps the
 * structure record of its last read per connection, and would write that stale copy back.
 */
export function placeSearchIndexAtItsLevel(file: string, cases: number): void {
  const client = new Database(file);
  // better-sqlite3's defensive mode keeps FTS5's own tables read-only; this connection writes one record.
  client.unsafeMode(true);
  try {
    client.transaction(() => {
      const structure = readStructure(client);
      const [segment, ...others] = structure.levels.flatMap((level) => level.segments);
      if (!segment || others.length > 0 || structure.levels.some((level) => level.merging > 0)) {
        throw new Error('the search index is not one merged segment');
      }
      const level = levelWrittenCaseByCase(cases);
      if (segment.level >= level) return;
      // Levels below it stay, empty, as FTS5 keeps them: two zeros each, for no merge and no segments.
      const record = Buffer.concat([
        structure.head,
        Buffer.from([level + 1, 1]),
        structure.writeCounter,
        Buffer.alloc(2 * level),
        Buffer.from([0, 1]),
        segment.bytes,
      ]);
      client.prepare('UPDATE case_search_data SET block = ? WHERE id = ?').run(record, STRUCTURE_ROWID);
    })();
  } finally {
    client.close();
  }
}
