import { describe, expect, it } from 'vitest';
import { foldVietnamese, nameTokens } from '../../src/text/fold.js';

// Each Vietnamese vowel with its six tones (ngang, huyền, sắc, hỏi, ngã, nặng), typed out rather
// than composed by code, so the test does not rely on the normalisation it is testing.
const VOWELS: ReadonlyArray<readonly [base: string, lower: string, upper: string]> = [
  ['a', 'aàáảãạ', 'AÀÁẢÃẠ'],
  ['a', 'ăằắẳẵặ', 'ĂẰẮẲẴẶ'],
  ['a', 'âầấẩẫậ', 'ÂẦẤẨẪẬ'],
  ['e', 'eèéẻẽẹ', 'EÈÉẺẼẸ'],
  ['e', 'êềếểễệ', 'ÊỀẾỂỄỆ'],
  ['i', 'iìíỉĩị', 'IÌÍỈĨỊ'],
  ['o', 'oòóỏõọ', 'OÒÓỎÕỌ'],
  ['o', 'ôồốổỗộ', 'ÔỒỐỔỖỘ'],
  ['o', 'ơờớởỡợ', 'ƠỜỚỞỠỢ'],
  ['u', 'uùúủũụ', 'UÙÚỦŨỤ'],
  ['u', 'ưừứửữự', 'ƯỪỨỬỮỰ'],
  ['y', 'yỳýỷỹỵ', 'YỲÝỶỸỴ'],
];

describe('foldVietnamese', () => {
  it('has a well-formed vowel table: 12 vowels × 6 tones, distinct precomposed letters', () => {
    const letters = VOWELS.flatMap(([, lower, upper]) => [...lower, ...upper]);
    expect(letters).toHaveLength(12 * 6 * 2);
    expect(new Set(letters).size).toBe(letters.length);
    for (const letter of letters) expect(letter.normalize('NFC')).toBe(letter);
  });

  it.each(VOWELS)('folds every tone of %s (%s, %s) to its base letter', (base, lower, upper) => {
    for (const letter of [...lower, ...upper]) {
      expect(foldVietnamese(letter)).toBe(base);
      expect(foldVietnamese(letter.normalize('NFD'))).toBe(base);
    }
  });

  it('folds đ and Đ to d, which NFD alone does not', () => {
    expect('đ'.normalize('NFD')).toBe('đ');
    expect(foldVietnamese('đ')).toBe('d');
    expect(foldVietnamese('Đ')).toBe('d');
    expect(foldVietnamese('Đặng')).toBe('dang');
    expect(foldVietnamese('ĐOÀN ĐỨC ĐẠT')).toBe('doan duc dat');
  });

  it('gives one form for a name however it was typed', () => {
    const forms = [
      'Nguyễn Văn An',
      'NGUYỄN VĂN AN',
      'nguyen van an',
      '  Nguyễn\tVăn\u00a0 An\n',
      'Nguyễn Văn An'.normalize('NFD'),
    ];
    for (const form of forms) expect(foldVietnamese(form)).toBe('nguyen van an');
  });

  it('folds whole Vietnamese phrases', () => {
    expect(foldVietnamese('Trẻ em bị xâm hại tình dục')).toBe('tre em bi xam hai tinh duc');
    expect(foldVietnamese('Ủy ban nhân dân phường Đông Hưng Thuận')).toBe(
      'uy ban nhan dan phuong dong hung thuan',
    );
  });

  it('returns the empty string for blank input', () => {
    expect(foldVietnamese('')).toBe('');
    expect(foldVietnamese(' \t\n ')).toBe('');
  });
});

describe('nameTokens', () => {
  it('splits a folded name into words, in order', () => {
    expect(nameTokens('Nguyễn Văn An')).toEqual(['nguyen', 'van', 'an']);
    expect(nameTokens('  ĐẶNG   thị  Thu ')).toEqual(['dang', 'thi', 'thu']);
  });

  it('treats punctuation as a separator', () => {
    expect(nameTokens('Nguyễn V. An')).toEqual(['nguyen', 'v', 'an']);
    expect(nameTokens('Lê (Bé) Na-Na')).toEqual(['le', 'be', 'na', 'na']);
  });

  it('lets names in another order be compared as multisets', () => {
    const sorted = (s: string): string[] => nameTokens(s).sort();
    expect(sorted('An Nguyễn Văn')).toEqual(sorted('NGUYỄN VĂN AN'));
  });

  it('returns no tokens for blank or punctuation-only input', () => {
    expect(nameTokens('')).toEqual([]);
    expect(nameTokens(' - . ')).toEqual([]);
  });
});
