import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import { cases } from '../cases/schema.js';
import { children } from '../children/schema.js';
import type { DbOrTx } from '../db/client.js';
import { rowLimit } from '../db/paging.js';
import type { SubjectColumns, SubjectRecord } from '../permissions/conditions.js';
import { taxonomyCodes } from '../taxonomy/schema.js';
import { users } from '../users/schema.js';
import { flagCategories, flagReads, flags } from './schema.js';
import { coarseStatus, type CoarseStatus, type FlagStatus } from './status.js';

export type Flag = typeof flags.$inferSelect;

/** How the permission rules see a flag: it belongs to its school and to the person who raised it. */
export const FLAG_COLUMNS: SubjectColumns = { id: flags.id, orgId: flags.schoolOrgId, createdBy: flags.createdBy };

export function flagSubject(flag: Pick<Flag, 'id' | 'schoolOrgId' | 'createdBy'>): SubjectRecord {
  return { id: flag.id, orgId: flag.schoolOrgId, createdBy: flag.createdBy };
}

export function findFlag(db: DbOrTx, id: number): Flag | null {
  return db.select().from(flags).where(eq(flags.id, id)).get() ?? null;
}

export interface FlagCategory {
  code: string;
  nameVi: string;
  nameEn: string;
}

export function categoriesOfFlag(db: DbOrTx, flagId: number): FlagCategory[] {
  return db
    .select({ code: taxonomyCodes.code, nameVi: taxonomyCodes.nameVi, nameEn: taxonomyCodes.nameEn })
    .from(flagCategories)
    .innerJoin(taxonomyCodes, eq(taxonomyCodes.code, flagCategories.code))
    .where(eq(flagCategories.flagId, flagId))
    .orderBy(asc(taxonomyCodes.sortOrder), asc(taxonomyCodes.code))
    .all();
}

/** A teacher's own flag as they may see it: the pupil's given name and a coarse status, nothing of the case. */
export interface OwnFlagRow {
  id: number;
  createdAt: string;
  pupilName: string;
  className: string | null;
  status: CoarseStatus;
}

/** Vietnamese names end with the given name ("Nguyễn Văn An" → "An"), which is how a class knows a pupil. */
export function givenName(fullName: string): string {
  const words = fullName.trim().split(/\s+/);
  return words[words.length - 1] ?? fullName;
}

export function listOwnFlags(db: DbOrTx, scope: SQL, limit: number, offset: number): { rows: OwnFlagRow[]; total: number } {
  const rows = db
    .select({
      id: flags.id,
      createdAt: flags.createdAt,
      fullName: children.fullName,
      className: children.className,
      flagStatus: flags.status,
      caseState: cases.state,
    })
    .from(flags)
    .innerJoin(children, eq(children.id, flags.childId))
    .leftJoin(cases, eq(cases.id, flags.caseId))
    .where(scope)
    .orderBy(desc(flags.createdAt), desc(flags.id))
    .limit(rowLimit(limit))
    .offset(offset)
    .all();
  const total = db.select({ n: sql<number>`count(*)` }).from(flags).where(scope).get()?.n ?? 0;
  return {
    rows: rows.map((row) => ({
      id: row.id,
      createdAt: row.createdAt,
      pupilName: givenName(row.fullName),
      className: row.className,
      status: coarseStatus(row.flagStatus, row.caseState),
    })),
    total,
  };
}

export interface QueueRow {
  id: number;
  createdAt: string;
  pupilName: string;
  className: string | null;
  createdByName: string;
  immediateDanger: boolean;
  status: FlagStatus;
  unread: boolean;
}

const unreadBy = (userId: number): SQL =>
  sql`NOT EXISTS (SELECT 1 FROM flag_reads r WHERE r.flag_id = ${flags.id} AND r.user_id = ${userId})`;

/** The safeguarding lead's queue, newest first, with whether this lead has opened each flag yet. */
export function listQueue(
  db: DbOrTx,
  scope: SQL,
  userId: number,
  status: FlagStatus | null,
  limit: number,
  offset: number,
): { rows: QueueRow[]; total: number; unread: number } {
  const where = status ? and(scope, eq(flags.status, status)) : scope;
  const rows = db
    .select({
      id: flags.id,
      createdAt: flags.createdAt,
      pupilName: children.fullName,
      className: children.className,
      createdByName: users.displayName,
      immediateDanger: flags.immediateDanger,
      status: flags.status,
      unread: sql<number>`${unreadBy(userId)}`,
    })
    .from(flags)
    .innerJoin(children, eq(children.id, flags.childId))
    .innerJoin(users, eq(users.id, flags.createdBy))
    .where(where)
    .orderBy(desc(flags.createdAt), desc(flags.id))
    .limit(rowLimit(limit))
    .offset(offset)
    .all();
  const total = db.select({ n: sql<number>`count(*)` }).from(flags).where(where).get()?.n ?? 0;
  const unread = db.select({ n: sql<number>`count(*)` }).from(flags).where(and(scope, unreadBy(userId))).get()?.n ?? 0;
  return { rows: rows.map((row) => ({ ...row, unread: Boolean(row.unread) })), total, unread };
}

/** The read receipt keeps the first opening: that is the moment the lead knew. */
export function markFlagRead(tx: DbOrTx, flagId: number, userId: number, at: string): void {
  tx.insert(flagReads).values({ flagId, userId, readAt: at }).onConflictDoNothing().run();
}
