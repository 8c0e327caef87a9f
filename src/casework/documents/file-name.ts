/**
 * The name an uploaded file arrived with is kept only as a label, and shown back in the download's
 * Content-Disposition. It never becomes a path: files are stored under random names. Still, the label
 * is cleaned so that it cannot carry a path, invisible characters or a misleading extension.
 */
import { DOCUMENT_EXTENSIONS, type DocumentType } from './file-type.js';

const MAX_NAME_LENGTH = 200;
/** C0/C1 controls, and the bidirectional overrides that make "gpj.exe" read as "exe.jpg". */
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * The label for a stored document: the last segment of whatever path the browser sent (old browsers
 * send "C:\\Users\\…\\x.pdf"), without control characters, with an extension that matches the type
 * sniffed from its content, so a saved download opens as what it really is.
 */
export function documentLabel(uploadedName: string, type: DocumentType): string {
  const lastSegment = uploadedName.split(/[/\\]/).pop() ?? '';
  let name = lastSegment.normalize('NFC').replace(UNSAFE_CHARACTERS, '').trim();
  // Names made only of dots ("..", "...") are path syntax, not names.
  if (/^\.*$/.test(name)) name = '';
  const extensions = DOCUMENT_EXTENSIONS[type];
  const extension = /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase();
  const suffix = extension && extensions.includes(extension) ? '' : `.${extensions[0]}`;
  const base = name === '' ? 'document' : name;
  return [...base].slice(0, MAX_NAME_LENGTH - suffix.length).join('') + suffix;
}

/**
 * `attachment` with the label: a plain-ASCII fallback for old clients and the exact UTF-8 name
 * (RFC 6266 / 8187) for the rest. Quotes and backslashes never reach the quoted form.
 */
export function attachmentDisposition(label: string): string {
  const fallback = label.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  const encoded = encodeURIComponent(label).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
