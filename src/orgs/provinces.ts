/**
 * The provinces a form offers before its communes (src/intake/commune-picker.ts): those with an
 * active commune, in Vietnamese name order, and NO_PROVINCE last when an active commune has no
 * province above it. Finding those reads every organisation (tens of milliseconds nationally), and
 * the tree rarely changes, so the list is kept per connection (src/db/kept.ts): the organisation
 * writes in ./repository.ts forget it.
 */
import { preparedStatements, type DbOrTx } from '../db/client.js';
import { keptPerConnection } from '../db/kept.js';
import { byName } from './order.js';

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
}));

const provinces = keptPerConnection((db): readonly Place[] => {
  const found = statements(db);
  const sorted = found.provinces.all().sort(byName);
  if (found.anyUnplaced.get()) sorted.push({ id: NO_PROVINCE, name: '' });
  return sorted;
});

export function provinceChoices(db: DbOrTx): readonly Place[] {
  return provinces.get(db);
}

/** After a change to the organisation tree through this connection: the next call reads it again. */
export function forgetProvinceChoices(db: DbOrTx): void {
  provinces.forget(db);
}
