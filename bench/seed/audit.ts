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
import { RowBatch } from './row-batch.js';

/** Entries travel to the worker flat, this many values each: ms, the context's five fields, action, entity type, entity id. */
const FIELDS = 9;

export class AuditQueue {
  private readonly buckets = new Map<number, unknown[][]>();
  queued = 0;

  /** Entries are bucketed by `bucketMs`; takeBefore releases whole buckets. */
  constructor(private readonly bucketMs: number) {}

  add(ms: number, context: AuditContext, action: string, entityType: string | null = null, entityId: number | null = null): void {
    const bucket = Math.floor(ms / this.bucketMs);
    let list = this.buckets.get(bucket);
    if (!list) this.buckets.set(bucket, (list = []));
    list.push([ms, context.actorUserId, context.actorRole, context.actorOrgId, context.ip, context.requestId, action, entityType, entityId]);
    this.queued += 1;
  }

  /** The queued entries of the periods that end before `ms`, in time order, flat. */
  takeBefore(ms: number): unknown[] {
    const limit = Math.floor(ms / this.bucketMs);
    const ready = [...this.buckets.keys()].filter((bucket) => bucket < limit).sort((a, b) => a - b);
    const flat: unknown[] = [];
    for (const bucket of ready) {
      const list = this.buckets.get(bucket) ?? [];
      this.buckets.delete(bucket);
      list.sort((a, b) => (a[0] as number) - (b[0] as number));
      for (const entry of list) flat.push(...entry);
    }
    return flat;
  }

  takeAll(): unknown[] {
    return this.takeBefore(Number.MAX_SAFE_INTEGER);
  }
}

export class AuditChain {
  private readonly rows: RowBatch;
  written = 0;

  constructor(
    client: Database.Database,
    private lastId: number,
    private lastHash: string,
  ) {
    this.rows = new RowBatch(client, 'audit_log', AUDIT_COLUMNS);
  }

  /** Appends entries as AuditQueue.takeBefore gives them. */
  append(flat: readonly unknown[]): void {
    for (let i = 0; i < flat.length; i += FIELDS) {
      const context = {
        actorUserId: flat[i + 1] as number | null,
        actorRole: flat[i + 2] as string | null,
        actorOrgId: flat[i + 3] as number | null,
        ip: flat[i + 4] as string | null,
        requestId: flat[i + 5] as string | null,
      };
      const entityType = flat[i + 7] as string | null;
      const entityId = flat[i + 8] as number | null;
      const entry = auditEntryContent(this.lastId + 1, new Date(flat[i] as number).toISOString(), context, {
        action: flat[i + 6] as string,
        ...(entityType === null ? {} : { entityType }),
        ...(entityId === null ? {} : { entityId }),
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
