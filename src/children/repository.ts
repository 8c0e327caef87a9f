import { eq, sql, type SQL } from 'drizzle-orm';
import { dateKeyInVietnam } from '../calendar/working-days.js';
import { preparedQueries, type DbOrTx } from '../db/client.js';
import { limitRows } from '../db/paging.js';
import { foldVietnamese, nameTokens } from '../text/fold.js';
import { children, type SEXES } from './schema.js';

export type Child = typeof children.$inferSelect;
export type Sex = (typeof SEXES)[number];

/** What a roster list shows of a pupil. */
export interface RosterPupil {
  id: number;
  fullName: string;
  className: string | null;
  birthDate: string | null;
  estimatedBirthYear: number | null;
}

const childQueries = preparedQueries((db) => ({
  byId: db
    .select()
    .from(children)
    .where(eq(children.id, sql.placeholder('id')))
    .prepare(),
}));

export function findChild(db: DbOrTx, id: number): Child | null {
  return childQueries(db).byId.get({ id }) ?? null;
}

/**
 * Every folded word of the search must appear in the pupil's name or class, so "an 2b" finds
 * "Nguyễn Văn An" in 2B. Tokens hold only letters and digits, so they are safe inside LIKE.
 */
function searchCondition(q: string): SQL {
  const tokens = nameTokens(q).slice(0, 5);
  if (tokens.length === 0) return sql`1`;
  return sql.join(
    tokens.map((token) => sql`(name_folded LIKE ${`%${token}%`} OR lower(coalesce(class_name, '')) LIKE ${`%${token}%`})`),
    sql` AND `,
  );
}

/** A school's pupils matching a search, by class then name, with how many matched in all. */
export function searchRoster(db: DbOrTx, schoolOrgId: number, q: string, limit: number): { rows: RosterPupil[]; total: number } {
  const where = sql`school_org_id = ${schoolOrgId} AND ${searchCondition(q)}`;
  const rows = db.all<RosterPupil>(sql`
    SELECT id, full_name AS fullName, class_name AS className, birth_date AS birthDate, estimated_birth_year AS estimatedBirthYear
    FROM children WHERE ${where}
    ORDER BY class_name, name_folded, id ${limitRows(limit)}`);
  const { n } = db.get<{ n: number }>(sql`SELECT count(*) AS n FROM children WHERE ${where}`);
  return { rows, total: n };
}

/** The year of birth an age implies today in Viet Nam, so the age stays right as the years pass. */
export function birthYearFromAge(age: number, now: Date = new Date()): number {
  return Number(dateKeyInVietnam(now).slice(0, 4)) - age;
}

/** Age in whole years today, from the date of birth or else the estimated year; null when unknown. */
export function ageOf(child: Pick<Child, 'birthDate' | 'estimatedBirthYear'>, now: Date = new Date()): number | null {
  const today = dateKeyInVietnam(now);
  if (child.birthDate) {
    const years = Number(today.slice(0, 4)) - Number(child.birthDate.slice(0, 4));
    return today.slice(5) < child.birthDate.slice(5, 10) ? years - 1 : years;
  }
  return child.estimatedBirthYear === null ? null : Number(today.slice(0, 4)) - child.estimatedBirthYear;
}

export interface NewPupil {
  fullName: string;
  birthDate: string | null;
  estimatedAge: number | null;
  sex: Sex | null;
  className: string | null;
  schoolOrgId: number;
  createdBy: number;
}

/** Adds a pupil to a school's roster; runs inside the caller's transaction. */
export function insertPupil(tx: DbOrTx, pupil: NewPupil, now: Date = new Date()): number {
  const { id } = tx
    .insert(children)
    .values({
      fullName: pupil.fullName,
      nameFolded: foldVietnamese(pupil.fullName),
      birthDate: pupil.birthDate,
      estimatedBirthYear: pupil.birthDate === null && pupil.estimatedAge !== null ? birthYearFromAge(pupil.estimatedAge, now) : null,
      sex: pupil.sex,
      className: pupil.className,
      schoolOrgId: pupil.schoolOrgId,
      createdBy: pupil.createdBy,
    })
    .returning({ id: children.id })
    .get();
  return id;
}
