/**
 * Where a form asks for a commune it asks for the province first. The country has about 10,000
 * communes and wards: as one select that is a megabyte of options on every hotline call, public
 * report and flag review, and a list nobody can scroll (docs/decisions/0020). The province select
 * lists the provinces; the commune select lists the chosen province's communes. Without JavaScript
 * the form's "show communes" button posts the form back, as typed, with the province's communes;
 * with htmx a change of province does the same in place (views/partials/commune-picker.eta).
 */
import { preparedStatements, type DbOrTx } from '../db/client.js';
import { byName } from '../orgs/order.js';
import { chosenId } from '../web/forms.js';
import { NO_PROVINCE, provinceChoices, type Place } from '../orgs/provinces.js';

/** The form field a post carries when it only asks for a province's communes, not to be saved. */
export const SHOW_COMMUNES_FIELD = '_communes';

export interface CommunePicker {
  /** The commune field's name, its province select's, and the field that asks for the province's communes. */
  field: string;
  provinceField: string;
  showField: typeof SHOW_COMMUNES_FIELD;
  /** provinceChoices (src/orgs/provinces.ts). */
  provinces: readonly Place[];
  provinceId: number | null;
  /** The chosen province's active communes, by name; empty until a province is chosen. */
  communes: Place[];
  communeId: number | null;
}

const statements = preparedStatements((client) => ({
  communesIn: client.prepare<[number], Place>(`
    SELECT c.id, c.name FROM org_closure oc JOIN organisations c ON c.id = oc.descendant_id
    WHERE oc.ancestor_id = ? AND c.kind = 'commune' AND c.active = 1`),
  unplacedCommunes: client.prepare<[], Place>(`
    SELECT c.id, c.name FROM organisations c WHERE c.kind = 'commune' AND c.active = 1 AND NOT EXISTS (
      SELECT 1 FROM org_closure oc JOIN organisations p ON p.id = oc.ancestor_id WHERE oc.descendant_id = c.id AND p.kind = 'province')`),
  provinceOf: client.prepare<[number], { id: number }>(`
    SELECT p.id FROM org_closure oc JOIN organisations p ON p.id = oc.ancestor_id
    WHERE oc.descendant_id = ? AND p.kind = 'province' ORDER BY oc.depth LIMIT 1`),
  activeCommune: client.prepare<[number], { id: number }>("SELECT id FROM organisations WHERE id = ? AND kind = 'commune' AND active = 1"),
}));

export function isActiveCommune(db: DbOrTx, id: number | null | undefined): id is number {
  if (!id) return false;
  return statements(db).activeCommune.get(id) !== undefined;
}

/** What a form's validation asks of the commune fields: "is this an active commune?", one lookup each. */
export function activeCommunes(db: DbOrTx): { has(id: number): boolean } {
  return { has: (id) => isActiveCommune(db, id) };
}

/** incident_org_id → incident_province, commune_id → commune_province. */
function provinceFieldOf(field: string): string {
  return `${field.replace(/_(org_)?id$/, '')}_province`;
}

/**
 * The picker for one commune field, from the form as typed: the province as chosen, else the
 * province of the chosen commune (or of `fallback`, a commune the form suggests), else the only
 * province there is; and that province's communes.
 */
export function communePicker(
  db: DbOrTx,
  field: string,
  values: Readonly<Record<string, unknown>>,
  options: { fallback?: number | null } = {},
): CommunePicker {
  const found = statements(db);
  const provinceField = provinceFieldOf(field);
  const provinces = provinceChoices(db);
  const offered = (id: number | null): id is number => id !== null && provinces.some((province) => province.id === id);
  const typed = values[field];
  const commune = typed === undefined ? (options.fallback ?? null) : chosenId(typed);
  const ofCommune = isActiveCommune(db, commune) ? (found.provinceOf.get(commune)?.id ?? NO_PROVINCE) : null;
  const asked = chosenId(values[provinceField]);
  const only = provinces.length === 1 ? (provinces[0]?.id ?? null) : null;
  const provinceId = offered(asked) ? asked : offered(ofCommune) ? ofCommune : only;
  const communes = provinceId === null ? [] : provinceId === NO_PROVINCE ? found.unplacedCommunes.all() : found.communesIn.all(provinceId);
  return { field, provinceField, showField: SHOW_COMMUNES_FIELD, provinces, provinceId, communes: communes.sort(byName), communeId: commune };
}

/** The pickers of the two commune fields of a Mẫu 01 form (views/partials/intake-fields.eta). */
export function intakePlaces(db: DbOrTx, values: Readonly<Record<string, unknown>>): Record<'incident_org_id' | 'residence_org_id', CommunePicker> {
  return { incident_org_id: communePicker(db, 'incident_org_id', values), residence_org_id: communePicker(db, 'residence_org_id', values) };
}

/** Whether a post only asks for a province's communes (the picker's button, or htmx when the province changes). */
export function asksForCommunes(body: unknown): boolean {
  return typeof body === 'object' && body !== null && SHOW_COMMUNES_FIELD in body;
}
