import { asc, eq, sql } from 'drizzle-orm';
import { appendAudit, type AuditContext } from '../audit/log.js';
import { writeTransaction, type Db, type DbOrTx } from '../db/client.js';
import type { Locale } from '../i18n/i18n.js';
import { taxonomyCodes } from './schema.js';
import type { TaxonomyGroupKind } from './seed-data.js';

export type { TaxonomyGroupKind };

/** One row of the concern taxonomy: a group (parentCode null) or one of its sub-codes. */
export type TaxonomyCode = typeof taxonomyCodes.$inferSelect;

/** A first-level code with its sub-codes, in display order. */
export interface TaxonomyGroup extends TaxonomyCode {
  children: TaxonomyCode[];
}

/** Lowercase snake_case, as the seeded codes are; codes are never renamed, so they stay stable in URLs and exports. */
export const TAXONOMY_CODE_PATTERN = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
export const TAXONOMY_CODE_MAX_LENGTH = 64;

export function localisedName(code: Pick<TaxonomyCode, 'nameVi' | 'nameEn'>, locale: Locale): string {
  return locale === 'en' ? code.nameEn : code.nameVi;
}

function allCodes(db: DbOrTx): TaxonomyCode[] {
  return db.select().from(taxonomyCodes).orderBy(asc(taxonomyCodes.sortOrder), asc(taxonomyCodes.code)).all();
}

function grouped(rows: readonly TaxonomyCode[]): TaxonomyGroup[] {
  const groups = rows.filter((row) => row.parentCode === null).map((row): TaxonomyGroup => ({ ...row, children: [] }));
  const byCode = new Map(groups.map((group) => [group.code, group]));
  for (const row of rows) {
    if (row.parentCode !== null) byCode.get(row.parentCode)?.children.push(row);
  }
  return groups;
}

/** Every code, active or not, for the administrator's list. */
export function fullTaxonomy(db: DbOrTx): TaxonomyGroup[] {
  return grouped(allCodes(db));
}

/**
 * What a reporter may choose from: active groups with their active sub-codes, in sort order. A
 * deactivated group hides its sub-codes too.
 */
export function activeTaxonomy(db: DbOrTx): TaxonomyGroup[] {
  return grouped(allCodes(db).filter((row) => row.active)).filter((group) => group.active);
}

export function findTaxonomyCode(db: DbOrTx, code: string): TaxonomyCode | null {
  return db.select().from(taxonomyCodes).where(eq(taxonomyCodes.code, code)).get() ?? null;
}

/** Whether a new concern may carry this code: it exists, is active, and so is its group. */
export function isActiveCode(db: DbOrTx, code: string): boolean {
  const row = db.get<{ ok: number } | undefined>(sql`
    SELECT 1 AS ok FROM taxonomy_codes c LEFT JOIN taxonomy_codes g ON g.code = c.parent_code
    WHERE c.code = ${code} AND c.active = 1 AND (c.parent_code IS NULL OR g.active = 1)`);
  return row !== undefined;
}

export interface TaxonomyNames {
  nameVi: string;
  nameEn: string;
  sensitive: boolean;
}

/**
 * Renames a code or changes its sensitive flag. Cases already opened keep the `sensitive` value
 * computed when they were opened; only new cases see the change.
 */
export function updateTaxonomyCode(db: Db, context: AuditContext, code: string, names: TaxonomyNames): void {
  writeTransaction(db, (tx) => {
    tx.update(taxonomyCodes).set(names).where(eq(taxonomyCodes.code, code)).run();
    appendAudit(tx, context, { action: 'taxonomy.update', entityType: 'taxonomy_code', entityId: code });
  });
}

export interface NewTaxonomyCode extends TaxonomyNames {
  code: string;
  /** A group's code for a sub-code; null for a new group. */
  parentCode: string | null;
  groupKind: TaxonomyGroupKind;
}

export type CreateRefusal = 'code_taken' | 'parent_invalid';

/** Adds a group or a sub-code at the end of its siblings. Only two levels: a parent must be a group. */
export function createTaxonomyCode(db: Db, context: AuditContext, input: NewTaxonomyCode): CreateRefusal | null {
  return writeTransaction(db, (tx) => {
    if (findTaxonomyCode(tx, input.code)) return 'code_taken';
    if (input.parentCode !== null) {
      const parent = findTaxonomyCode(tx, input.parentCode);
      if (!parent || parent.parentCode !== null || parent.groupKind !== input.groupKind) return 'parent_invalid';
    }
    // Sort order only matters among siblings; the end of the whole list is always after them.
    const { last } = tx.get<{ last: number }>(sql`SELECT coalesce(max(sort_order), 0) AS last FROM taxonomy_codes`);
    tx.insert(taxonomyCodes)
      .values({
        code: input.code,
        parentCode: input.parentCode,
        groupKind: input.groupKind,
        nameVi: input.nameVi,
        nameEn: input.nameEn,
        sensitive: input.sensitive,
        active: true,
        sortOrder: last + 10,
      })
      .run();
    appendAudit(tx, context, { action: 'taxonomy.create', entityType: 'taxonomy_code', entityId: input.code });
    return null;
  });
}

/** Codes are deactivated, never deleted: cases keep the codes they were given. */
export function setTaxonomyCodeActive(db: Db, context: AuditContext, code: string, active: boolean): void {
  writeTransaction(db, (tx) => {
    tx.update(taxonomyCodes).set({ active }).where(eq(taxonomyCodes.code, code)).run();
    appendAudit(tx, context, {
      action: active ? 'taxonomy.reactivate' : 'taxonomy.deactivate',
      entityType: 'taxonomy_code',
      entityId: code,
    });
  });
}
