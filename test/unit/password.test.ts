import { describe, expect, it } from 'vitest';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, passwordProblem, verifyPassword } from '../../src/auth/password.js';

describe('password policy', () => {
  it('refuses a password shorter than 10 characters', () => {
    expect(MIN_PASSWORD_LENGTH).toBe(10);
    expect(passwordProblem('mây trắng', 'lan')).toBe('too_short');
    expect(passwordProblem('mây trắng!', 'lan')).toBeNull();
  });

  it('counts characters, not UTF-16 code units', () => {
    // Five emoji are ten code units but five characters.
    expect(passwordProblem('🌾🌾🌾🌾🌾', 'lan')).toBe('too_short');
  });

  it('refuses a password longer than the maximum', () => {
    expect(passwordProblem('a'.repeat(MAX_PASSWORD_LENGTH + 1), 'lan')).toBe('too_long');
    expect(passwordProblem('ab'.repeat(MAX_PASSWORD_LENGTH / 2), 'lan')).toBeNull();
  });

  it('refuses common passwords whatever their case, Vietnamese favourites included', () => {
    expect(passwordProblem('Password123', 'lan')).toBe('too_common');
    expect(passwordProblem('MATKHAU123', 'lan')).toBe('too_common');
    expect(passwordProblem('baovetreem123', 'lan')).toBe('too_common');
  });

  it('refuses a password that contains the username, whatever the case', () => {
    expect(passwordProblem('xin-chao-NguyenVanA', 'nguyenvana')).toBe('same_as_username');
    expect(passwordProblem('xin-chao-nguyenvana', 'NguyenVanA')).toBe('same_as_username');
  });

  it('accepts a long, uncommon passphrase', () => {
    expect(passwordProblem('cánh cò bay lả bay la', 'nguyenvana')).toBeNull();
  });
});

describe('password hashing', () => {
  it('stores argon2id with the OWASP baseline (m=19456 KiB, t=2, p=1) and a random salt', async () => {
    const first = await hashPassword('cánh cò bay lả bay la');
    const second = await hashPassword('cánh cò bay lả bay la');
    const phc = /^\$(?<algorithm>[a-z0-9]+)\$v=(?<version>\d+)\$m=(?<m>\d+),t=(?<t>\d+),p=(?<p>\d+)\$(?<salt>[A-Za-z0-9+/]+)\$(?<hash>[A-Za-z0-9+/]+)$/;
    const parsed = phc.exec(first)?.groups;
    expect(parsed).toMatchObject({ algorithm: 'argon2id', version: '19', m: '19456', t: '2', p: '1' });
    expect(second).not.toBe(first);
    expect(phc.exec(second)?.groups?.salt).not.toBe(parsed?.salt);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('cánh cò bay lả bay la');
    expect(await verifyPassword(stored, 'cánh cò bay lả bay la')).toBe(true);
    expect(await verifyPassword(stored, 'canh co bay la bay la')).toBe(false);
  });

  it('treats a malformed stored hash as a wrong password instead of failing', async () => {
    expect(await verifyPassword('not-a-hash', 'anything at all')).toBe(false);
  });
});
