/**
 * Bulk audit entries that form the same hash chain appendAudit builds (src/audit/log.ts): the
 * content from auditEntryContent, the hash from chainHash, ids without gaps. The main thread queues
 * entries per month and releases them in time order (AuditQueue), so the seeded log reads like one
 * written as things happened; the seed's worker thread chains and writes them (AuditChain), and
 * verifyAuditChain (`bvte audit verify`) passes over the result.
 */
import type Database from 'better-sqlite3';
import { chainHash } from '../../src/audit/chain.js';
import { AUDIT_COLUMNS, auditEntryContent, auditRow, type AuditContext } from '../../src/audit/log.js';
import { RowBatch } from '../../src/db/row-batch.js';

/**
 * Entries travel to the worker as numbers, this many to an entry: ms, then the context, the action
 * and the entity type as positions in the lists sent along (−1: none), then the entity id (−1: none).
 * A Float64Array is handed over, not copied: ten million entries as arrays of values took a tenth of
 * the main thread's time to queue, sort and clone.
 */
const FIELDS = 5;

/** Entries in time order, with the contexts and names first used since the previous batch. */
export interface AuditBatch {
  entries: Float64Array<ArrayBuffer>;
  contexts: AuditContext[];
  names: string[];
}

/** Values numbered in order of first use; the ones numbered since the last take travel with the next batch. */
class Numbering<T> {
  private readonly ids = new Map<T, number>();
  private fresh: T[] = [];

  idOf(value: T): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      this.ids.set(value, (id = this.ids.size));
      this.fresh.push(value);
    }
    return id;
  }

  takeFresh(): T[] {
    const fresh = this.fresh;
    this.fresh = [];
    return fresh;
  }
}

export class AuditQueue {
  private readonly buckets = new Map<number, number[]>();
  // Contexts are the staff's own objects, one per account, so they are told apart by identity.
  private readonly contexts = new Numbering<AuditContext>();
  private readonly names = new Numbering<string>();
  queued = 0;

  /** Entries are bucketed by `bucketMs`; takeBefore releases whole buckets. */
  constructor(private readonly bucketMs: number) {}

  add(ms: number, context: AuditContext, action: string, entityType: string | null = null, entityId: number | null = null): void {
    const bucket = Math.floor(ms / this.bucketMs);
    let list = this.buckets.get(bucket);
    if (!list) this.buckets.set(bucket, (list = []));
    list.push(ms, this.contexts.idOf(context), this.names.idOf(action), entityType === null ? -1 : this.names.idOf(entityType), entityId ?? -1);
    this.queued += 1;
  }

  /** The queued entries of the periods that end before `ms`, in time order (entries at the same ms as queued). */
  takeBefore(ms: number): AuditBatch {
    const limit = Math.floor(ms / this.bucketMs);
    const ready = [...this.buckets.keys()].filter((bucket) => bucket < limit).sort((a, b) => a - b);
    const lists = ready.map((bucket) => this.buckets.get(bucket) ?? []);
    for (const bucket of ready) this.buckets.delete(bucket);
    const entries = new Float64Array(lists.reduce((sum, list) => sum + list.length, 0));
    let at = 0;
    for (const list of lists) {
      const order = Array.from({ length: list.length / FIELDS }, (_, i) => i * FIELDS);
      order.sort((a, b) => (list[a] as number) - (list[b] as number));
      for (const from of order) {
        for (let field = 0; field < FIELDS; field += 1) entries[at + field] = list[from + field] as number;
        at += FIELDS;
      }
    }
    return { entries, contexts: this.contexts.takeFresh(), names: this.names.takeFresh() };
  }

  takeAll(): AuditBatch {
    return this.takeBefore(Number.MAX_SAFE_INTEGER);
  }
}

export class AuditChain {
  private readonly rows: RowBatch;
  private readonly contexts: AuditContext[] = [];
  private readonly names: string[] = [];
  written = 0;

  constructor(
    client: Database.Database,
    private lastId: number,
    private lastHash: string,
  ) {
    this.rows = new RowBatch(client, 'audit_log', AUDIT_COLUMNS);
  }

  /** Appends a batch from AuditQueue.takeBefore. */
  append(batch: AuditBatch): void {
    this.contexts.push(...batch.contexts);
    this.names.push(...batch.names);
    const { entries } = batch;
    for (let i = 0; i < entries.length; i += FIELDS) {
      const entityType = entries[i + 3] as number;
      const entityId = entries[i + 4] as number;
      const entry = auditEntryContent(this.lastId + 1, new Date(entries[i] as number).toISOString(), this.contexts[entries[i + 1] as number] as AuditContext, {
        action: this.names[entries[i + 2] as number] as string,
        ...(entityType === -1 ? {} : { entityType: this.names[entityType] as string }),
        ...(entityId === -1 ? {} : { entityId }),
      });
      const hash = chainHash(this.lastHash, entry);
      this.rows.add(...auditRow(entry, this.lastHash, hash));
      this.lastId = entry.id;
      this.lastHash = hash;
      this.written += 1;
    }
    this.rows.flush();
  }
}
