import { sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Actor } from './actor.js';

/** The attributes of a record that rules may look at. Each subject fills in what it has. */
export interface SubjectRecord {
  id?: number;
  orgId?: number;
  assignedUserId?: number | null;
  createdBy?: number | null;
  sensitive?: boolean;
  /** The user a record belongs to, e.g. the recipient of a notification. */
  ownerUserId?: number;
  /** Organisations that accepted a referral of this case (their social workers may work on it). */
  acceptedReferralOrgIds?: readonly number[];
}

/** The same attributes as SQL expressions, for compiling rules into a WHERE clause. */
export type SubjectColumns = { [K in keyof SubjectRecord]?: SQLiteColumn | SQL };

/** Organisation ancestry for checking one record; SQL uses the org_closure table for the same question. */
export interface OrgRelations {
  isWithin(orgId: number, ancestorId: number): boolean;
}

export interface ConditionDefinition {
  test(record: SubjectRecord, actor: Actor, orgs: OrgRelations): boolean;
  sql(columns: SubjectColumns, actor: Actor): SQL;
  /**
   * For a condition that only lets through records of certain organisations: a SELECT of those
   * organisations' ids, as "id". A search reads only their words (readableOrganisations in check.ts).
   */
  orgs?(actor: Actor): SQL;
}

function column<K extends keyof SubjectRecord>(columns: SubjectColumns, key: K): SQLiteColumn | SQL {
  const found = columns[key];
  if (!found) throw new Error(`Permission rule needs the "${key}" column, which this subject does not map`);
  return found;
}

/**
 * Each condition is defined once for both uses, side by side, so the record check and the
 * list filter cannot drift apart (test/integration/permissions-agreement.test.ts proves it).
 */
export const CONDITIONS = {
  /** The record belongs to the actor's organisation or one below it. */
  org_within: {
    test: (record, actor, orgs) => record.orgId !== undefined && orgs.isWithin(record.orgId, actor.orgId),
    sql: (columns, actor) =>
      sql`${column(columns, 'orgId')} IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ${actor.orgId})`,
    orgs: (actor) => sql`SELECT descendant_id AS id FROM org_closure WHERE ancestor_id = ${actor.orgId}`,
  },
  org_same: {
    test: (record, actor) => record.orgId === actor.orgId,
    sql: (columns, actor) => sql`${column(columns, 'orgId')} = ${actor.orgId}`,
    orgs: (actor) => sql`SELECT ${actor.orgId} AS id`,
  },
  assigned_to_actor: {
    test: (record, actor) => record.assignedUserId === actor.userId,
    sql: (columns, actor) => sql`${column(columns, 'assignedUserId')} = ${actor.userId}`,
  },
  created_by_actor: {
    test: (record, actor) => record.createdBy === actor.userId,
    sql: (columns, actor) => sql`${column(columns, 'createdBy')} = ${actor.userId}`,
  },
  not_sensitive: {
    test: (record) => record.sensitive === false,
    sql: (columns) => sql`${column(columns, 'sensitive')} = 0`,
  },
  /** A receiving organisation that accepted a referral works on that case only (issue 4). */
  referral_accepted_by_actor_org: {
    test: (record, actor) => record.acceptedReferralOrgIds?.includes(actor.orgId) ?? false,
    // IN, not EXISTS: SQLite then starts from the centre's few referrals instead of testing every open
    // case in the country (the centre's worklist on the national file: 105 ms, now well under 1 ms).
    sql: (columns, actor) =>
      sql`${column(columns, 'id')} IN (SELECT r.case_id FROM referrals r WHERE r.to_org_id = ${actor.orgId} AND r.status = 'accepted')`,
    // The cases are filed at their communes, wherever the centre is.
    orgs: (actor) =>
      sql`SELECT c.org_id AS id FROM referrals r JOIN cases c ON c.id = r.case_id WHERE r.to_org_id = ${actor.orgId} AND r.status = 'accepted'`,
  },
  is_owner: {
    test: (record, actor) => record.ownerUserId === actor.userId,
    sql: (columns, actor) => sql`${column(columns, 'ownerUserId')} = ${actor.userId}`,
  },
  is_actor: {
    test: (record, actor) => record.id === actor.userId,
    sql: (columns, actor) => sql`${column(columns, 'id')} = ${actor.userId}`,
  },
  /** Someone other than the actor: nobody grants rights to themselves. */
  not_actor: {
    test: (record, actor) => record.id !== undefined && record.id !== actor.userId,
    sql: (columns, actor) => sql`${column(columns, 'id')} <> ${actor.userId}`,
  },
} satisfies Record<string, ConditionDefinition>;

export type ConditionName = keyof typeof CONDITIONS;
