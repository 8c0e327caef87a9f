/**
 * Read helpers for what the triage queue and the case page show about a case: the intake (Mẫu 01),
 * the concern categories by name, the timeline, and the names of the people and places involved.
 */
import { eq, sql } from 'drizzle-orm';
import { dateKeyInVietnam } from '../calendar/working-days.js';
import { preparedQueries, type DbOrTx } from '../db/client.js';
import type { Locale } from '../i18n/i18n.js';
import { intakes } from '../intake/schema.js';
import { localisedName } from '../taxonomy/repository.js';
import { foldVietnamese } from '../text/fold.js';

export type IntakeRow = typeof intakes.$inferSelect;

const intakeQueries = preparedQueries((db) => ({
  ofCase: db
    .select()
    .from(intakes)
    .where(eq(intakes.caseId, sql.placeholder('caseId')))
    .prepare(),
}));

export function findIntakeForCase(db: DbOrTx, caseId: number): IntakeRow | null {
  return intakeQueries(db).ofCase.get({ caseId }) ?? null;
}

/** Category names in the reader's language, per case, in the taxonomy's order. */
export function categoryNamesByCase(db: DbOrTx, caseIds: readonly number[], locale: Locale): Map<number, string[]> {
  const names = new Map<number, string[]>();
  if (caseIds.length === 0) return names;
  const rows = db.all<{ caseId: number; nameVi: string; nameEn: string }>(sql`
    SELECT cc.case_id AS caseId, t.name_vi AS nameVi, t.name_en AS nameEn
    FROM case_categories cc JOIN taxonomy_codes t ON t.code = cc.code
    WHERE cc.case_id IN (${sql.join(caseIds.map((id) => sql`${id}`), sql`, `)})
    ORDER BY t.sort_order, t.code`);
  for (const row of rows) names.set(row.caseId, [...(names.get(row.caseId) ?? []), localisedName(row, locale)]);
  return names;
}

export interface Birth {
  birthDate: string | null;
  estimatedBirthYear: number | null;
}

/** An intake gives an age at the time of the report; the year of birth it implies keeps it right later. */
export function birthFromIntake(intake: Pick<IntakeRow, 'childBirthDate' | 'childEstimatedAge' | 'receivedAt'>): Birth {
  const receivedYear = Number(dateKeyInVietnam(new Date(intake.receivedAt)).slice(0, 4));
  return {
    birthDate: intake.childBirthDate,
    estimatedBirthYear: intake.childEstimatedAge === null ? null : receivedYear - intake.childEstimatedAge,
  };
}

export interface TimelineRow {
  id: number;
  at: string;
  kind: string;
  eventType: string | null;
  actorName: string | null;
  actorRole: string | null;
  detail: Record<string, unknown> | null;
  confidential: boolean;
}

/** The case's chronology, oldest first, with the names of the people who acted. */
export function timelineOf(db: DbOrTx, caseId: number): TimelineRow[] {
  return db
    .all<Omit<TimelineRow, 'detail' | 'confidential'> & { detail: string | null; confidential: number }>(sql`
      SELECT t.id, t.at, t.kind, t.event_type AS eventType, u.display_name AS actorName, t.actor_role AS actorRole,
             t.detail, t.confidential
      FROM case_timeline t LEFT JOIN users u ON u.id = t.actor_user_id
      WHERE t.case_id = ${caseId}
      ORDER BY t.at, t.id`)
    .map((row) => ({ ...row, detail: parseDetail(row.detail), confidential: Boolean(row.confidential) }));
}

function parseDetail(json: string | null): Record<string, unknown> | null {
  if (!json) return null;
  const value: unknown = JSON.parse(json);
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** Organisation names by id, for the communes and sources a case page mentions. */
export function organisationNames(db: DbOrTx, ids: readonly (number | null | undefined)[]): Map<number, string> {
  const wanted = [...new Set(ids.filter((id): id is number => typeof id === 'number'))];
  if (wanted.length === 0) return new Map();
  const rows = db.all<{ id: number; name: string }>(
    sql`SELECT id, name FROM organisations WHERE id IN (${sql.join(wanted.map((id) => sql`${id}`), sql`, `)})`,
  );
  return new Map(rows.map((row) => [row.id, row.name]));
}

export function caseReferences(db: DbOrTx, ids: readonly number[]): Map<number, string> {
  if (ids.length === 0) return new Map();
  const rows = db.all<{ id: number; reference: string }>(
    sql`SELECT id, reference FROM cases WHERE id IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`,
  );
  return new Map(rows.map((row) => [row.id, row.reference]));
}

export function userDisplayName(db: DbOrTx, userId: number | null): string | null {
  if (userId === null) return null;
  return db.get<{ name: string } | undefined>(sql`SELECT display_name AS name FROM users WHERE id = ${userId}`)?.name ?? null;
}

export interface TransferDestination {
  id: number;
  name: string;
  provinceName: string | null;
}

const SEARCH_RESULTS = 50;

/**
 * Where a case may be transferred. Listing every commune in the country (about ten thousand) would
 * make each case page heavy, so the form offers the communes of the case's own province, where most
 * moves go, and a search by name (diacritics optional) for anywhere else. `keep` is a commune already
 * chosen, kept in the list when the form comes back with an error.
 */
export function transferDestinations(db: DbOrTx, from: number, options: { search?: string; keep?: number | null } = {}): TransferDestination[] {
  const search = options.search ? foldVietnamese(options.search).trim() : '';
  const keep = options.keep ?? -1;
  if (!search) {
    return db.all<TransferDestination>(sql`
      SELECT o.id, o.name, NULL AS provinceName
      FROM org_closure c JOIN organisations o ON o.id = c.descendant_id
      WHERE c.ancestor_id = (SELECT pc.ancestor_id FROM org_closure pc JOIN organisations p ON p.id = pc.ancestor_id
                             WHERE pc.descendant_id = ${from} AND p.kind = 'province')
        AND o.kind = 'commune' AND o.active = 1 AND o.id <> ${from}
      UNION
      SELECT id, name, NULL FROM organisations WHERE id = ${keep} AND kind = 'commune' AND active = 1 AND id <> ${from}
      ORDER BY name`);
  }
  // Only a search reads every commune, and it folds the names in code, as the search index does.
  const everywhere = db.all<TransferDestination>(sql`
    SELECT o.id, o.name, p.name AS provinceName
    FROM organisations o
    LEFT JOIN (org_closure c JOIN organisations p ON p.id = c.ancestor_id AND p.kind = 'province') ON c.descendant_id = o.id
    WHERE o.kind = 'commune' AND o.active = 1 AND o.id <> ${from}
    ORDER BY o.name`);
  return everywhere
    .filter((row) => row.id === keep || foldVietnamese(`${row.name} ${row.provinceName ?? ''}`).includes(search))
    .slice(0, SEARCH_RESULTS);
}

/** Whether a case in this commune has anywhere to be transferred to at all. */
export function hasOtherCommunes(db: DbOrTx, from: number): boolean {
  return db.get(sql`SELECT 1 FROM organisations WHERE kind = 'commune' AND active = 1 AND id <> ${from} LIMIT 1`) !== undefined;
}
