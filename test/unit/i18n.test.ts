import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { passwordProblem } from '../../src/auth/password.js';
import { en } from '../../src/i18n/en.js';
import { CATALOGUES, LOCALES, translate } from '../../src/i18n/i18n.js';
import { vi } from '../../src/i18n/vi.js';
import { ORG_KINDS } from '../../src/orgs/schema.js';
import { ROLES } from '../../src/permissions/roles.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function filesUnder(dir: string, extension: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Every capture of `pattern` in every file, with where it was found for the failure message. */
function scan(files: string[], pattern: RegExp): { key: string; where: string }[] {
  return files.flatMap((file) =>
    [...fs.readFileSync(file, 'utf8').matchAll(pattern)].map((match) => ({ key: match[1] ?? '', where: path.relative(ROOT, file) })),
  );
}

const KEY = String.raw`([a-zA-Z][a-zA-Z0-9_]*\.[a-zA-Z0-9_.]+)`;
const VIEWS = filesUnder('views', '.eta');
const SOURCES = filesUnder('src', '.ts').filter((file) => !file.includes(`${path.sep}i18n${path.sep}`));
const keys = Object.keys(vi);
const isKey = (key: string): boolean => Object.hasOwn(vi, key);

function placeholders(message: string): string[] {
  return [...message.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '').sort();
}

describe('message catalogues', () => {
  it('have exactly the same keys in Vietnamese and English', () => {
    expect(Object.keys(en).sort()).toEqual([...keys].sort());
    expect(LOCALES.map((locale) => Object.keys(CATALOGUES[locale]).length)).toEqual([keys.length, keys.length]);
  });

  it('have no empty or blank messages', () => {
    for (const locale of LOCALES) {
      const blank = Object.entries(CATALOGUES[locale]).filter(([, message]) => message.trim() === '').map(([key]) => key);
      expect(blank, `${locale} blank messages`).toEqual([]);
    }
  });

  it('use the same {placeholders} in both languages for every key', () => {
    const mismatched = keys.filter((key) => placeholders(vi[key as keyof typeof vi]).join() !== placeholders(en[key as keyof typeof en]).join());
    expect(mismatched).toEqual([]);
  });

  it('write Vietnamese with its diacritics (at least 80% of messages have a non-ASCII letter)', () => {
    const values = Object.values(vi);
    const withDiacritics = values.filter((message) => /(?![\x00-\x7f])\p{L}/u.test(message));
    expect(withDiacritics.length / values.length).toBeGreaterThanOrEqual(0.8);
  });

  it('store Vietnamese in precomposed (NFC) form, so it matches what browsers send', () => {
    const decomposed = Object.entries(vi).filter(([, message]) => message !== message.normalize('NFC')).map(([key]) => key);
    expect(decomposed).toEqual([]);
  });

  it('fill {placeholders} from parameters and leave unknown ones visible', () => {
    expect(translate('en', 'list.page_of', { page: 2, pages: 5 })).toBe(en['list.page_of'].replace('{page}', '2').replace('{pages}', '5'));
    expect(translate('vi', 'list.page_of', { page: 2 })).toContain('{pages}');
  });
});

describe('every key the code uses exists in the catalogue', () => {
  it('t(...) with a literal key in templates', () => {
    const used = scan(VIEWS, new RegExp(String.raw`\bt\(\s*'${KEY}'\s*[,)]`, 'g'));
    expect(used.length).toBeGreaterThan(50);
    expect(used.filter((use) => !isKey(use.key))).toEqual([]);
  });

  it('request.t(...) and t(...) with a literal key in the source', () => {
    const used = scan(SOURCES, new RegExp(String.raw`\bt\(\s*'${KEY}'\s*[,)]`, 'g'));
    expect(used.length).toBeGreaterThan(5);
    expect(used.filter((use) => !isKey(use.key))).toEqual([]);
  });

  it('form validation messages and HttpError messages (an unknown key would silently show a generic message)', () => {
    const zodMessages = scan(
      SOURCES,
      new RegExp(String.raw`\.(?:min|max|length|regex|email|url|int|positive|nonnegative|enum|refine|gte|lte|gt|lt)\([^)\n]*?'${KEY}'\s*\)`, 'g'),
    );
    const issueMessages = scan(SOURCES, new RegExp(String.raw`\bmessage:\s*'${KEY}'`, 'g'));
    const httpErrors = scan(SOURCES, new RegExp(String.raw`new HttpError\(\s*\d{3},\s*'${KEY}'`, 'g'));
    expect(zodMessages.length).toBeGreaterThan(10);
    expect(httpErrors.length).toBeGreaterThan(3);
    expect([...zodMessages, ...issueMessages, ...httpErrors].filter((use) => !isKey(use.key))).toEqual([]);
  });

  it("keys built from a prefix ('role.' + role) exist for every value they can take", () => {
    const prefixes = new Set(
      scan([...VIEWS, ...SOURCES], /\bt\(\s*'([a-zA-Z][a-zA-Z0-9_]*\.)'\s*\+/g).map((use) => use.key),
    );
    expect(prefixes).toContain('role.');
    expect(prefixes).toContain('orgKind.');
    const known: Record<string, readonly string[]> = { 'role.': ROLES, 'role_help.': ROLES, 'orgKind.': ORG_KINDS };
    for (const prefix of prefixes) {
      const values = known[prefix];
      // A prefix this test has no list for must at least name some keys; add its list above.
      if (!values) expect(keys.some((key) => key.startsWith(prefix)), prefix).toBe(true);
      else expect(values.filter((value) => !isKey(prefix + value)), prefix).toEqual([]);
    }
  });

  it('role help exists for every role (shown on the home page)', () => {
    expect(ROLES.filter((role) => !isKey(`role_help.${role}`))).toEqual([]);
  });

  it('error page titles exist for every status the error handler titles', () => {
    expect([400, 401, 403, 404, 500].filter((status) => !isKey(`error.title_${status}`))).toEqual([]);
  });

  it('every password policy problem has its message (password.<problem>)', () => {
    const problems = [
      passwordProblem('short', 'lan'),
      passwordProblem('x'.repeat(300), 'lan'),
      passwordProblem('matkhau123', 'lan'),
      passwordProblem('lan-lan-lan-lan', 'lan'),
    ];
    expect(problems).toEqual(['too_short', 'too_long', 'too_common', 'same_as_username']);
    expect(problems.filter((problem) => !isKey(`password.${problem}`))).toEqual([]);
  });
});
