import type { ChainVerdict } from '../audit/verify.js';
import type { DocumentsSummary } from './backup-documents.js';
import type { DatabaseCheck } from './backup.js';

const CHAIN_REASONS: Record<Extract<ChainVerdict, { ok: false }>['reason'], string> = {
  hash_mismatch: 'the entry was changed after it was written',
  broken_link: 'the entry does not link to the one before: entries were removed or reordered',
  gap: 'entry ids skip: entries were removed',
};

export function isIntact(check: DatabaseCheck): boolean {
  return check.integrity.length === 1 && check.integrity[0] === 'ok';
}

export function describeChain(chain: ChainVerdict): string {
  if (chain.ok) return `Audit chain intact: ${chain.entries} entries`;
  const reason = `${chain.reason} (${CHAIN_REASONS[chain.reason]})`;
  return `Audit chain BROKEN at entry ${chain.brokenId}: ${reason}; the ${chain.entries} entries before it verify`;
}

export function describeProblems(check: DatabaseCheck): string[] {
  const problems: string[] = [];
  if (!isIntact(check)) problems.push(`integrity_check: ${check.integrity.slice(0, 5).join(', ')}`);
  if (!check.chain.ok) problems.push(describeChain(check.chain));
  return problems;
}

/** The lines every backup and restore prints, so an operator can compare the two at a glance. */
export function describeCheck(check: DatabaseCheck): string[] {
  const width = Math.max(0, ...check.counts.map((count) => count.table.length));
  return [
    `Integrity check: ${check.integrity.slice(0, 5).join(', ')}`,
    describeChain(check.chain),
    'Rows per table (số dòng):',
    ...check.counts.map((count) => `  ${count.table.padEnd(width)}  ${count.rows}`),
  ];
}

function mebibytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MiB`;
}

/** How many documents were copied, and each one that was not, by id and case (never by name: names can be personal data). */
export function describeDocuments(documents: DocumentsSummary, done: string): string[] {
  return [
    `Documents ${done}: ${documents.copied} (${mebibytes(documents.bytes)}), each matching its SHA-256`,
    ...documents.problems.map((problem) => `  NOT ${done}: document ${problem.documentId} of case ${problem.caseId}: ${problem.problem}`),
  ];
}
