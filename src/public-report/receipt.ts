import { createHash, randomInt } from 'node:crypto';

/**
 * Crockford's base-32 alphabet: no I, L, O or U, so a code read aloud or copied by hand survives,
 * and 12 symbols carry exactly 60 bits of randomness.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const LENGTH = 12;

function sha256(canonical: string): string {
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * A new receipt: the code shown once to the reporter, grouped like `K7QM-4XPA-9TRE`, and the hash
 * that intakes.receiptHash keeps. The code itself is never stored.
 */
export function newReceipt(): { code: string; hash: string } {
  let canonical = '';
  for (let i = 0; i < LENGTH; i += 1) canonical += ALPHABET[randomInt(ALPHABET.length)];
  const code = [canonical.slice(0, 4), canonical.slice(4, 8), canonical.slice(8)].join('-');
  return { code, hash: sha256(canonical) };
}

/**
 * The hash of what a reporter typed, read forgivingly: case, spaces and hyphens are ignored, and
 * the letters people confuse with digits count as those digits. Null when it cannot be a code.
 */
export function hashOfTypedReceipt(typed: string): string | null {
  const canonical = typed
    .toUpperCase()
    .replace(/[\s-]+/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (canonical.length !== LENGTH || ![...canonical].every((symbol) => ALPHABET.includes(symbol))) return null;
  return sha256(canonical);
}
