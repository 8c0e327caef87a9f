import type { DbOrTx } from '../db/client.js';
import { ancestorsOf, type Organisation } from '../orgs/repository.js';

/**
 * The commune a lead's forward form proposes: the child's commune of residence when known, else the
 * commune the school belongs to (pupils mostly live near their school); null when neither is an active commune.
 */
export function defaultCommune(db: DbOrTx, school: Organisation, residenceOrgId: number | null, offered: { has(id: number): boolean }): number | null {
  if (residenceOrgId !== null && offered.has(residenceOrgId)) return residenceOrgId;
  const schoolCommune = [...ancestorsOf(db, school.id)].reverse().find((org) => org.kind === 'commune');
  return schoolCommune && offered.has(schoolCommune.id) ? schoolCommune.id : null;
}
