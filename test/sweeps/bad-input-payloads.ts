/**
 * What the bad-input sweep sends: hostile and awkward values for one field, and whole-body mutations
 * (missing, duplicated, wrongly typed, wrongly encoded, oversized, wrong content type, no CSRF token).
 * Names are stable so a failure report says which input broke which route, without echoing data.
 */

const PARAGRAPH =
  'Chị Nguyễn Thị Phượng cho biết cháu Đặng Quốc Bảo (9 tuổi) thường xuyên bị bố đánh bằng roi mây; hôm qua cháu đến trường ' +
  'với vết bầm ở cánh tay trái, không dám về nhà. Mẹ cháu làm công nhân ở khu công nghiệp Quế Võ, tối muộn mới về; ông bà nội ở Lạng Sơn. ';

/** A long Vietnamese text of about `length` characters, with every diacritic the language uses. */
export function vietnameseText(length: number): string {
  return PARAGRAPH.repeat(Math.ceil(length / PARAGRAPH.length)).slice(0, length);
}

/** Script and markup that, if any page ever shows it unescaped, sets window.__pwned (or opens a dialog). */
export const XSS_PAYLOADS = {
  script: '<script>window.__pwned=1</script>',
  img: '"><img src=x onerror="window.__pwned=1">',
  attribute: '" autofocus onfocus="window.__pwned=1" x="',
  singleQuoted: "' autofocus onfocus='window.__pwned=1' x='",
  svg: '<svg onload="window.__pwned=1"></svg>',
  javascriptUrl: 'javascript:window.__pwned=1',
  textareaBreakout: '</textarea><script>window.__pwned=1</script>',
  titleBreakout: '</title><script>window.__pwned=1</script>',
  eta: '<%= it.csrfToken %><%~ "<b>eta</b>" %>',
  mustache: '{{constructor.constructor("window.__pwned=1")()}}',
} as const;

/**
 * Raw fragments that only appear in a response if a payload was reflected without escaping; a page
 * containing one of them is an injection, whatever else it says.
 */
export const UNESCAPED_MARKERS = ['<script>window.__pwned', '<img src=x onerror', '<svg onload', '" autofocus onfocus=', "' autofocus onfocus=", '<b>eta</b>'];

/** Values for a single field, by name. */
export const FIELD_PAYLOADS: Record<string, () => string> = {
  ...Object.fromEntries(Object.entries(XSS_PAYLOADS).map(([name, value]) => [`xss.${name}`, () => value])),
  'vi.long': () => vietnameseText(12_000),
  'vi.nfd': () => vietnameseText(600).normalize('NFD'),
  'vi.short': () => 'Lê Thị Thu Hà – Phường Kinh Bắc',
  'size.100k': () => 'a'.repeat(100_000),
  'size.limit+1': () => 'b'.repeat(10_001),
  'control.nul': () => 'trước\u0000sau',
  'control.rtl': () => 'hoso\u202Efdp.exe',
  'control.c0': () => 'dòng\r\nmới\tvà\u0007chuông\u001b[31m',
  'control.bom-zw': () => '\uFEFFtên\u200B\u200Dẩn',
  'unicode.lone-surrogate': () => 'a\uD800b',
  'unicode.emoji': () => '👩‍👧 trẻ em 🇻🇳',
  'blank.empty': () => '',
  'blank.spaces': () => '   \u3000 ',
  'number.zero': () => '0',
  'number.negative': () => '-1',
  'number.huge': () => '9007199254740993',
  'number.exponent': () => '1e3',
  'number.nan': () => 'NaN',
  'number.float': () => '1.5',
  'date.impossible': () => '2026-02-30',
  'date.far': () => '9999-12-31',
  'date.zero': () => '0000-00-00',
  'date.vietnamese': () => '31/12/2025',
  'path.traversal': () => '../../etc/passwd',
  'path.windows': () => '..\\..\\windows\\win.ini',
  'url.offsite': () => '//evil.example/',
  'sql.quote': () => "' OR 1=1 --",
  'fts.syntax': () => '"NEAR( * OR) AND -',
  'proto.key': () => '__proto__',
};

export const FIELD_PAYLOAD_NAMES = Object.keys(FIELD_PAYLOADS);

/** Whole-request mutations of a form submission. */
export const FORM_MUTATIONS = [
  'valid',
  'field',
  'field',
  'field',
  'all-fields-xss',
  'missing-field',
  'missing-all',
  'duplicate-field',
  'json-wrong-type',
  'utf8-invalid',
  'utf8-overlong',
  'raw-bytes',
  'content-type',
  'oversized-body',
  'csrf-missing',
  'csrf-wrong',
  'forged-id',
  'prototype',
] as const;
export type FormMutation = (typeof FORM_MUTATIONS)[number];

/** Values a JSON body may carry where a form field is expected. */
export const WRONG_TYPES: readonly unknown[] = [{ nested: { deeper: ['x'] } }, ['a', 'b'], 12345, true, null, 1.5e308, { toString: 'x' }];

/** Ids a path parameter may be forged with. */
export const FORGED_IDS = ['0', '-1', '9007199254740992', '99999999', 'abc', '1e3', '1.0', '0x10', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '..%2F..%2Fetc%2Fpasswd', '%FF%FE', '%00', '%E2%80%AE', ' 1', '%20'];

/** Content types a form route might be sent instead of application/x-www-form-urlencoded. */
export const WRONG_CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=----sweep',
  'application/x-www-form-urlencoded; charset=iso-8859-1',
  'application/json',
  'application/octet-stream',
  '',
];

/** Invalid UTF-8 as it arrives percent-encoded: truncated and overlong sequences, a lone surrogate. */
export const INVALID_UTF8_ENCODED = ['%FF%FE', '%C0%AF', '%E0%80%AF', '%ED%A0%80', '%C3', '%F8%88%80%80%80', 'a%', '%zz'];

/** Percent-encodes the UTF-8 bytes, as a browser does; an unpaired surrogate becomes U+FFFD as it would there. */
export function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

export function formEncode(pairs: readonly (readonly [string, string])[]): string {
  return pairs.map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`).join('&');
}

/** A minimal file of each kind the upload accepts or refuses, by its first bytes. */
export const UPLOAD_BODIES = {
  pdf: Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'),
  png: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]),
  html: Buffer.from('<html><script>window.__pwned=1</script></html>'),
  svg: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=1"/>'),
  empty: Buffer.alloc(0),
  oversized: Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(80 * 1024, 0x20)]),
} as const;

export const UPLOAD_FILENAMES = [
  'bien-ban.pdf',
  '../../etc/passwd',
  '..\\..\\..\\Windows\\system32\\x.pdf',
  '/etc/cron.d/evil',
  '....//....//x.pdf',
  'a\u0000b.pdf',
  'hoso\u202Efdp.exe',
  '<img src=x onerror="window.__pwned=1">.pdf',
  'Biên bản xác minh – Đặng Quốc Bảo.pdf'.normalize('NFD'),
  '..',
  '',
  'x'.repeat(1000) + '.pdf',
  'CON.pdf',
  '"; filename*=UTF-8\'\'evil.html',
];
