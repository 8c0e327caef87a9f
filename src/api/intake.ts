import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { appendAudit, type AuditContext } from '../audit/log.js';
import { dateKeyInVietnam } from '../calendar/working-days.js';
import type { Db } from '../db/client.js';
import { groupCommitFor } from '../db/group-commit.js';
import { createIntake, type IntakeInput } from '../intake/service.js';
import { API_MESSAGES, type ApiFieldError } from './errors.js';
import type { IntakeBody } from './intake-schema.js';
import type { ApiKeyPrincipal } from './types.js';

/** A response as stored for replays: the exact JSON text, so a replay is byte-for-byte the same. */
export interface ApiReply {
  status: number;
  json: string;
  replayed: boolean;
}

export interface Idempotency {
  key: string;
  /** SHA-256 of the body, telling a true retry from a reuse of the key for another report. */
  fingerprint: string;
}

/** Telephony clocks drift; a report stamped a little ahead of ours is still a report of now. */
const CLOCK_SKEW_MS = 5 * 60_000;

export function idempotencyFor(key: string, body: unknown): Idempotency {
  return { key, fingerprint: createHash('sha256').update(JSON.stringify(body)).digest('hex') };
}

function badRequest(errors: ApiFieldError[]): ApiReply {
  return { status: 400, json: JSON.stringify({ errors }), replayed: false };
}

/** Empty optional texts mean "not given". */
function optional(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

function toIntakeInput(body: IntakeBody, key: ApiKeyPrincipal, receivedAt: string): IntakeInput {
  return {
    channel: 'api',
    medium: body.medium,
    receivedAt,
    sourceOrgId: key.orgId,
    child: {
      name: body.child.name.trim(),
      birthDate: body.child.birthDate ?? null,
      estimatedAge: body.child.estimatedAge ?? null,
      sex: body.child.sex ?? null,
    },
    residenceOrgId: body.residenceCommuneId ?? null,
    incidentOrgId: body.incidentCommuneId ?? null,
    incidentPlace: optional(body.incidentPlace),
    description: body.description.trim(),
    currentCondition: optional(body.currentCondition),
    likelyConsequence: optional(body.likelyConsequence),
    actionTaken: optional(body.actionTaken),
    parentsInfo: optional(body.parentsInfo),
    familySituation: optional(body.familySituation),
    caregiver: optional(body.caregiver),
    immediateDanger: body.immediateDanger,
    categories: body.categories,
    reporter: {
      consented: body.reporter.consented,
      relation: optional(body.reporter.relation),
      name: optional(body.reporter.name),
      phone: optional(body.reporter.phone),
      address: optional(body.reporter.address),
    },
  };
}

function isPrimaryKeyConflict(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Files intakes for API keys. Everything a request writes (case, intake, audit entries, stored
 * response) commits together, so a retry finds either all of it or nothing. Concurrent requests share
 * one transaction (group commit, docs/decisions/0013), each in its own savepoint; the reply is
 * resolved only after that transaction has committed.
 */
export function createIntakeSubmitter(
  db: Db,
  publicUrl: string,
): (key: ApiKeyPrincipal, audit: AuditContext, body: IntakeBody, idempotency: Idempotency | null, now?: Date) => Promise<ApiReply> {
  const groupCommit = groupCommitFor(db);
  const client: Database.Database = db.$client;
  const findStored: Database.Statement<[number, string], { fingerprint: string; status: number; json: string }> = client.prepare(
    'SELECT request_hash AS fingerprint, status, body AS json FROM idempotency_keys WHERE api_key_id = ? AND key = ?',
  );
  const store: Database.Statement<[number, string, string, number, string, string]> = client.prepare(
    'INSERT INTO idempotency_keys (api_key_id, key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const activeCategory: Database.Statement<[string], { found: number }> = client.prepare(
    'SELECT 1 AS found FROM taxonomy_codes WHERE code = ? AND active = 1',
  );

  function replayOf(key: ApiKeyPrincipal, idempotency: Idempotency): ApiReply | null {
    const stored = findStored.get(key.id, idempotency.key);
    if (!stored) return null;
    if (stored.fingerprint !== idempotency.fingerprint) {
      return { status: 422, json: JSON.stringify({ error: API_MESSAGES.idempotencyKeyReused }), replayed: false };
    }
    return { status: stored.status, json: stored.json, replayed: true };
  }

  /** What the schema cannot know: the taxonomy as administrators left it, and the clock. */
  function inputErrors(body: IntakeBody, receivedAt: number, now: Date): ApiFieldError[] {
    const errors: ApiFieldError[] = [];
    if (Number.isNaN(receivedAt)) errors.push({ path: '/receivedAt', message: 'must be an ISO 8601 date-time with a time zone' });
    else if (receivedAt > now.getTime() + CLOCK_SKEW_MS) errors.push({ path: '/receivedAt', message: API_MESSAGES.inFuture });
    if (body.child.birthDate && body.child.birthDate > dateKeyInVietnam(now)) {
      errors.push({ path: '/child/birthDate', message: API_MESSAGES.inFuture });
    }
    body.categories.forEach((code, index) => {
      if (!activeCategory.get(code)) errors.push({ path: `/categories/${index}`, message: API_MESSAGES.unknownCategory });
    });
    return errors;
  }

  return async (key, audit, body, idempotency, now = new Date()) => {
    try {
      return await groupCommit.run((tx) => {
        // Checked inside the write transaction, after the writes queued before it in the same batch, so
        // two concurrent retries cannot both pass it.
        const replay = idempotency && replayOf(key, idempotency);
        if (replay) return replay;
        const receivedAt = body.receivedAt === undefined ? now.getTime() : Date.parse(body.receivedAt);
        const errors = inputErrors(body, receivedAt, now);
        if (errors.length > 0) return badRequest(errors);
        const created = createIntake(tx, { actor: null, audit, recordedBy: null }, toIntakeInput(body, key, new Date(receivedAt).toISOString()));
        if (!created) return badRequest([{ path: '/residenceCommuneId', message: API_MESSAGES.noCommune }]);
        appendAudit(tx, audit, { action: 'api.intake', entityType: 'api_key', entityId: key.id });
        const json = JSON.stringify({ reference: created.reference, url: `${publicUrl}/cases/${created.caseId}` });
        if (idempotency) store.run(key.id, idempotency.key, idempotency.fingerprint, 201, json, now.toISOString());
        return { status: 201, json, replayed: false };
      });
    } catch (error) {
      // Unreachable while every writer takes the lock up front (BEGIN IMMEDIATE) and a batch runs its
      // writes one after another; should a duplicate ever slip in between check and insert, the client
      // still gets the first answer (read after the batch committed), not a 500.
      const replay = idempotency && isPrimaryKeyConflict(error) ? replayOf(key, idempotency) : null;
      if (replay) return replay;
      throw error;
    }
  };
}
