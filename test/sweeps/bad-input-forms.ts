/**
 * Just enough HTML reading for the sweep: the forms a page offers (action, method, fields) and the
 * messages it shows. The templates are ours and well-formed, so a few regular expressions do; a form
 * the sweep cannot read is reported as a route without generated inputs, never silently skipped.
 */

export type FieldKind = 'text' | 'textarea' | 'hidden' | 'password' | 'number' | 'date' | 'time' | 'datetime' | 'email' | 'tel' | 'choice' | 'checkbox' | 'file' | 'other';

export interface FormField {
  name: string;
  kind: FieldKind;
  /** What the page put there: a value, the checked option, or the first real option of a select. */
  value: string;
  /** Every value a select, radio group or checkbox offers. */
  options: string[];
  /** The input's maxlength, where it has one. */
  maxLength?: number;
}

export interface PageForm {
  action: string;
  method: 'get' | 'post';
  multipart: boolean;
  fields: FormField[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", nbsp: '\u00a0' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+\d*);/gi, (whole, name: string) => {
    if (ENTITIES[name] !== undefined) return ENTITIES[name];
    if (/^#x/i.test(name)) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return whole;
  });
}

/** Eta's escaping (autoEscape): what a kept value must look like inside the page. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function attributes(tag: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of tag.matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
    const name = match[1]!.toLowerCase();
    if (!found.has(name)) found.set(name, decodeEntities(match[2] ?? match[3] ?? match[4] ?? ''));
  }
  return found;
}

const INPUT_KINDS: Record<string, FieldKind> = {
  text: 'text',
  search: 'text',
  hidden: 'hidden',
  password: 'password',
  number: 'number',
  date: 'date',
  time: 'time',
  'datetime-local': 'datetime',
  email: 'email',
  tel: 'tel',
  radio: 'choice',
  checkbox: 'checkbox',
  file: 'file',
};

function addField(fields: FormField[], field: FormField, checked: boolean): void {
  const existing = fields.find((item) => item.name === field.name && item.kind === field.kind);
  if (!existing) {
    fields.push(field);
    return;
  }
  existing.options.push(...field.options);
  if (checked) existing.value = field.value;
}

function maxLength(attrs: Map<string, string>): { maxLength?: number } {
  const limit = Number(attrs.get('maxlength'));
  return Number.isInteger(limit) && limit > 0 ? { maxLength: limit } : {};
}

function formFields(html: string): FormField[] {
  const fields: FormField[] = [];
  // What a browser with scripting on submits: it never renders <noscript>, so its buttons are never pressed.
  const inner = html.replace(/<noscript\b[^>]*>[\s\S]*?<\/noscript>/gi, '');
  const elements = /<textarea\b([^>]*)>([\s\S]*?)<\/textarea>|<select\b([^>]*)>([\s\S]*?)<\/select>|<button\b([^>]*)>|<input\b([^>]*)>/gi;
  for (const match of inner.matchAll(elements)) {
    const attrs = attributes(match[1] ?? match[3] ?? match[5] ?? match[6] ?? '');
    const name = attrs.get('name');
    if (!name || attrs.has('disabled')) continue;
    if (match[1] !== undefined) {
      addField(fields, { name, kind: 'textarea', value: decodeEntities((match[2] ?? '').replace(/^\n/, '')), options: [], ...maxLength(attrs) }, false);
    } else if (match[3] !== undefined) {
      const options = [...(match[4] ?? '').matchAll(/<option\b([^>]*)>([^<]*)/gi)].map((option) => {
        const optionAttrs = attributes(option[1]!);
        return { value: optionAttrs.get('value') ?? decodeEntities(option[2]!.trim()), selected: optionAttrs.has('selected') };
      });
      const real = options.filter((option) => option.value !== '');
      const value = options.find((option) => option.selected)?.value || real[0]?.value || '';
      addField(fields, { name, kind: 'choice', value, options: options.map((option) => option.value) }, false);
    } else if (match[5] !== undefined) {
      // A submit button's name/value (e.g. intent=submit) travels only when that button is pressed; the primary one first.
      const value = attrs.get('value') ?? '';
      const existing = fields.find((item) => item.name === name && item.kind === 'other');
      const primary = /\bprimary\b/.test(attrs.get('class') ?? '');
      if (!existing) fields.push({ name, kind: 'other', value: '', options: [value] });
      else if (primary) existing.options.unshift(value);
      else existing.options.push(value);
    } else {
      const type = (attrs.get('type') ?? 'text').toLowerCase();
      if (type === 'submit' || type === 'button' || type === 'reset' || type === 'image') continue;
      const kind = INPUT_KINDS[type] ?? 'other';
      const value = attrs.get('value') ?? (kind === 'checkbox' ? 'on' : '');
      const checked = attrs.has('checked');
      const choice = kind === 'choice' || kind === 'checkbox';
      addField(fields, { name, kind, value: choice && !checked ? '' : value, options: choice ? [value] : [], ...maxLength(attrs) }, checked);
    }
  }
  return fields;
}

/** Every form on the page, with the fields inside it (inputs tied to a form by `form=` are ignored). */
export function parseForms(html: string): PageForm[] {
  const forms: PageForm[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attrs = attributes(match[1]!);
    const action = attrs.get('action');
    if (action === undefined) continue;
    forms.push({
      action,
      method: (attrs.get('method') ?? 'get').toLowerCase() === 'post' ? 'post' : 'get',
      multipart: (attrs.get('enctype') ?? '').toLowerCase() === 'multipart/form-data',
      fields: formFields(match[2]!),
    });
  }
  return forms;
}

/** The messages a page shows to say what went wrong: error page, field errors and alerts, as plain text. */
export function shownMessages(html: string): string[] {
  const texts: string[] = [];
  const plain = (fragment: string): string => decodeEntities(fragment.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
  for (const match of html.matchAll(/<section class="error-page"[\s\S]*?<p>([\s\S]*?)<\/p>/g)) texts.push(plain(match[1]!));
  for (const match of html.matchAll(/<p class="field-error"[^>]*>([\s\S]*?)<\/p>/g)) texts.push(plain(match[1]!));
  for (const match of html.matchAll(/<(div|p|section)\b[^>]*role="alert"[^>]*>([\s\S]*?)<\/\1>/g)) texts.push(plain(match[2]!));
  return texts.filter((text) => text !== '');
}

/** Turns a route pattern (/cases/:id/notes) into a test for concrete paths. */
export function routeMatcher(pattern: string): RegExp {
  const source = pattern
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/?#]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?(?:\\?.*)?$`);
}
