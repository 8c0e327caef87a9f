/**
 * The provinces a form offers before its communes (src/intake/commune-picker.ts): those with an
 * active commune, in Vietnamese name order, and NO_PROVINCE last when an active commune has no
 * province above it. Finding those reads every organisation (tens of milliseconds nationally), and
 * the tree rarely changes, so the list is kept per connection like the calendar: the organisation
 * writes in ./repository.ts forget it, and a commit by any other connection makes it read again.
 */
import type Database from 'better-sqlite3';
import { preparedStatements, sqliteOf, type DbOrTx } from '../db/client.js';

export interface Place {
  id: number;
  name: string;
}

/** The province select's value for communes outside any province (a test tree, or one not yet placed). */
export const NO_PROVINCE = 0;

const statements = preparedStatements((client) => ({
  provinces: client.prepare<[], Place>(`
    SELECT p.id, p.name FROM organisations p
    WHERE p.kind = 'province' AND EXISTS (
      SELECT 1 FROM org_closure oc JOIN organisations c ON c.id = oc.descendant_id
      WHERE oc.ancestor_id = p.id AND c.kind = 'commune' AND c.active = 1)`),
  anyUnplaced: client.prepare<[], { found: number }>(`
    SELECT 1 AS found FROM organisations c WHERE c.kind = 'commune' AND c.active = 1 AND NOT EXISTS (
      SELECT 1 FROM org_closure oc JOIN organisations p ON p.id = oc.ancestor_id WHERE oc.descendant_id = c.id AND p.kind = 'province')
    LIMIT 1`),
  // Changes whenever another connection (another process, the CLI) has committed anything.
  dataVersion: client.prepare<[], number>('PRAGMA data_version').pluck(),
}));

const cached = new WeakMap<Database.Database, { provinces: readonly Place[]; dataVersion: number }>();
const collator = new Intl.Collator('vi');

/** Places in Vietnamese alphabetical order (Đ after D, tones after the bare letter). */
export function byName(a: Place, b: Place): number {
  return collator.compare(a.name, b.name);
}

export function provinceChoices(db: DbOrTx): readonly Place[] {
  const found = statements(db);
  const dataVersion = found.dataVersion.get()!;
  const kept = cached.get(sqliteOf(db));
  if (kept && kept.dataVersion === dataVersion) return kept.provinces;
  const provinces = found.provinces.all().sort(byName);
  if (found.anyUnplaced.get()) provinces.push({ id: NO_PROVINCE, name: '' });
  cached.set(sqliteOf(db), { provinces, dataVersion });
  return provinces;
}

/** After a change to the organisation tree through this connection: the next call reads it again. */
export function forgetProvinceChoices(db: DbOrTx): void {
  cached.delete(sqliteOf(db));
}
