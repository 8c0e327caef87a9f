import { databaseFile, openDatabase } from '../../src/db/client.js';
import type { Acknowledged } from './intake-load.js';
import { runBvte } from './processes.js';

export interface DatabaseFindings {
  /** PRAGMA integrity_check's messages: exactly ['ok'] for a sound file. */
  integrity: string[];
  /** Acknowledged intakes whose case or intake row is not there (or is another case). */
  missing: Acknowledged[];
  /** Rows each API intake writes in one transaction; unequal counts mean a half-written intake. */
  counts: { cases: number; intakes: number; idempotencyKeys: number; intakeAudits: number };
  /** The reference stored for each asked-about idempotency key that committed. */
  committed: Map<string, string>;
}

/**
 * Looks at the database the killed app left behind. Read-only on purpose: a read-only connection never
 * checkpoints, so the write-ahead log stays for the next start of the app to recover, as after a real crash.
 */
export function inspectDatabase(dataDir: string, acknowledged: Acknowledged[], askedKeys: string[]): DatabaseFindings {
  const db = openDatabase(databaseFile(dataDir), { readonly: true });
  try {
    const client = db.$client;
    const integrity = (client.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
    const caseOf = client.prepare<[string], { caseId: number }>(
      'SELECT c.id AS caseId FROM cases c JOIN intakes i ON i.case_id = c.id WHERE c.reference = ?',
    );
    const missing = acknowledged.filter((ack) => caseOf.get(ack.reference)?.caseId !== ack.caseId);
    const count = (sql: string): number => client.prepare(sql).pluck().get() as number;
    const counts = {
      cases: count('SELECT count(*) FROM cases'),
      intakes: count('SELECT count(*) FROM intakes'),
      idempotencyKeys: count('SELECT count(*) FROM idempotency_keys'),
      intakeAudits: count("SELECT count(*) FROM audit_log WHERE action = 'api.intake'"),
    };
    const storedBody = client.prepare<[string], string>('SELECT body FROM idempotency_keys WHERE key = ?').pluck();
    const committed = new Map<string, string>();
    for (const key of askedKeys) {
      const body = storedBody.get(key);
      if (body !== undefined) committed.set(key, (JSON.parse(body) as { reference: string }).reference);
    }
    return { integrity, missing, counts, committed };
  } finally {
    db.$client.close();
  }
}

export interface ChainCheck {
  ok: boolean;
  entries: number | null;
  /** The CLI's own words, to quote when it fails. */
  output: string;
}

const INTACT = /^Audit chain intact: (\d+) entries$/m;

/** `bvte audit verify`, the operator's check, run as a child process: passes on exit code 0 and its "intact" line. */
export async function verifyAuditChainWithCli(dataDir: string, timeoutMs: number): Promise<ChainCheck> {
  const result = await runBvte(['audit', 'verify', '--data-dir', dataDir], timeoutMs);
  const intact = INTACT.exec(result.output);
  return { ok: result.code === 0 && intact !== null, entries: intact ? Number(intact[1]) : null, output: result.output.trim() };
}
