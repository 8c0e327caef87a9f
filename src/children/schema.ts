import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { organisations } from '../orgs/schema.js';
import { users } from '../users/schema.js';

export const SEXES = ['male', 'female'] as const;

/** A child known to the system: a pupil on a school roster, or the subject of a case. */
export const children = sqliteTable(
  'children',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    fullName: text('full_name').notNull(),
    /** Diacritics folded (đ→d), lower case: for duplicate detection and search. */
    nameFolded: text('name_folded').notNull(),
    birthDate: text('birth_date'),
    /** When only an age is known, the year of birth it implies, so the age stays right as time passes. */
    estimatedBirthYear: integer('estimated_birth_year'),
    sex: text('sex', { enum: SEXES }),
    residenceOrgId: integer('residence_org_id').references(() => organisations.id),
    schoolOrgId: integer('school_org_id').references(() => organisations.id),
    className: text('class_name'),
    createdBy: integer('created_by').references(() => users.id),
    createdAt: text('created_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
  },
  (t) => [index('children_school_idx').on(t.schoolOrgId, t.nameFolded), index('children_residence_idx').on(t.residenceOrgId)],
);
