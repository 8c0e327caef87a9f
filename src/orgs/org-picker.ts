/**
 * Where an administrator chooses an organisation (a user's home organisation, a role's, an API key's,
 * a new parent) the form offers a search, not the whole tree: the country has about 40,000
 * organisations, and one select of them was 2.8 MB a field (docs/decisions/0029). The select lists
 * the administrator's own organisation and what sits directly under it, or, once a search is typed,
 * the first matches by name, diacritics optional. Without JavaScript the search's button posts the
 * form back, as typed; with htmx typing does the same in place (views/partials/org-picker.eta).
 */
import { preparedStatements, type DbOrTx } from '../db/client.js';
import { keptPerConnection } from '../db/kept.js';
import { foldVietnamese } from '../text/fold.js';
import { chosenId } from '../web/forms.js';
import { byKindThenName } from './order.js';
import type { OrgKind } from './schema.js';

/** The form field a post carries when it only asks for an organisation search, not to be saved. */
export const FIND_ORGS_FIELD = '_orgs';

/** Enough to find a school among namesakes once the commune is typed too. */
export const ORG_MATCHES = 50;

export interface OrgChoice {
  id: number;
  name: string;
  kind: OrgKind;
  /** The province it is in, to tell apart the many schools of one name; null for a province and above. */
  provinceName: string | null;
}

interface DirectoryEntry extends OrgChoice {
  parentId: number | null;
  /** Name and province, folded: what a search matches. Folded on the first search, not for every page that shows a picker. */
  folded?: string;
}

export interface OrgPicker {
  field: string;
  searchField: string;
  findField: typeof FIND_ORGS_FIELD;
  query: string;
  options: OrgChoice[];
  chosenId: number | null;
  /** How many the search found and lists (null without a search), and whether more match than that. */
  found: number | null;
  more: boolean;
}

const statements = preparedStatements((client) => ({
  organisations: client.prepare<[], { id: number; name: string; kind: OrgKind; parentId: number | null; active: number }>(
    'SELECT id, name, kind, parent_id AS parentId, active FROM organisations',
  ),
}));

/** Every active organisation with its province, kept until the tree changes. */
const directory = keptPerConnection((db): ReadonlyMap<number, DirectoryEntry> => {
  const rows = statements(db).organisations.all();
  const byId = new Map(rows.map((row) => [row.id, row]));
  const provinceOf = (id: number): string | null => {
    for (let row = byId.get(byId.get(id)?.parentId ?? -1); row; row = byId.get(row.parentId ?? -1)) if (row.kind === 'province') return row.name;
    return null;
  };
  const entries = new Map<number, DirectoryEntry>();
  for (const row of rows) {
    if (!row.active) continue;
    const provinceName = provinceOf(row.id);
    entries.set(row.id, {
      id: row.id,
      name: row.name,
      kind: row.kind,
      parentId: row.parentId,
      provinceName,
    });
  }
  return entries;
});

/** After a change to the organisation tree through this connection: the next search reads it again. */
export function forgetOrgDirectory(db: DbOrTx): void {
  directory.forget(db);
}

function choiceOf({ id, name, kind, provinceName }: DirectoryEntry): OrgChoice {
  return { id, name, kind, provinceName };
}

/**
 * The picker for one organisation field, from the form as typed. `top` is where the list starts
 * (the administrator's organisation); `mayChoose` says which organisations the field accepts.
 */
export function orgPicker(
  db: DbOrTx,
  field: string,
  values: Readonly<Record<string, unknown>>,
  options: { top: number; mayChoose: (id: number) => boolean; fallback?: number | null },
): OrgPicker {
  const entries = directory.get(db);
  const searchField = `${field}_q`;
  const typed = values[searchField];
  const query = typeof typed === 'string' ? typed.trim().slice(0, 100) : '';
  const chosen = values[field] === undefined ? (options.fallback ?? null) : chosenId(values[field]);
  const listed: DirectoryEntry[] = [];
  let more = false;
  if (query) {
    const needle = foldVietnamese(query);
    for (const entry of entries.values()) {
      entry.folded ??= foldVietnamese(`${entry.name} ${entry.provinceName ?? ''}`);
      if (!entry.folded.includes(needle) || !options.mayChoose(entry.id)) continue;
      if (listed.length === ORG_MATCHES) {
        more = true;
        break;
      }
      listed.push(entry);
    }
  } else {
    for (const entry of entries.values()) if ((entry.id === options.top || entry.parentId === options.top) && options.mayChoose(entry.id)) listed.push(entry);
  }
  const found = query ? listed.length : null;
  const kept = chosen === null ? undefined : entries.get(chosen);
  // What is chosen stays offered whatever the search shows, so a search never changes the answer.
  if (kept && !listed.includes(kept) && options.mayChoose(kept.id)) listed.push(kept);
  return { field, searchField, findField: FIND_ORGS_FIELD, query, options: listed.map(choiceOf).sort(byKindThenName), chosenId: chosen, found, more };
}

/** Whether a post only asks for an organisation search (the picker's button, or htmx as the search is typed). */
export function asksForOrgs(body: unknown): boolean {
  return typeof body === 'object' && body !== null && FIND_ORGS_FIELD in body;
}
