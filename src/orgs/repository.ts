import { and, asc, eq, sql } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import { appendAudit, type AuditContext } from '../audit/log.js';
import { preparedQueries, writeTransaction, type Db, type DbOrTx } from '../db/client.js';
import type { OrgRelations } from '../permissions/conditions.js';
import { forgetOrgDirectory } from './org-picker.js';
import { forgetProvinceChoices } from './provinces.js';
import { organisations, type OrgKind } from './schema.js';

export type Organisation = typeof organisations.$inferSelect;

/** What is kept per connection about the tree is read again after a change through this one. */
function treeChanged(db: DbOrTx): void {
  forgetProvinceChoices(db);
  forgetOrgDirectory(db);
}

const organisationQueries = preparedQueries((db) => ({
  byId: db
    .select()
    .from(organisations)
    .where(eq(organisations.id, sql.placeholder('id')))
    .prepare(),
}));

export function findOrganisation(db: DbOrTx, id: number): Organisation | null {
  return organisationQueries(db).byId.get({ id }) ?? null;
}

export function listOrganisations(db: DbOrTx): Organisation[] {
  return db.select().from(organisations).orderBy(asc(organisations.name)).all();
}

/** The chain from the root down to the organisation, for breadcrumbs and statistics levels. */
export function ancestorsOf(db: DbOrTx, id: number): Organisation[] {
  return db.all<Organisation>(sql`
    SELECT o.id, o.parent_id AS parentId, o.kind, o.name, o.active, o.created_at AS createdAt
    FROM org_closure c JOIN organisations o ON o.id = c.ancestor_id
    WHERE c.descendant_id = ${id} ORDER BY c.depth DESC`).map((row) => ({ ...row, active: Boolean(row.active) }));
}

export interface NewOrganisation {
  name: string;
  kind: OrgKind;
  parentId: number | null;
}

/** Inserts the node and its closure rows; runs inside the caller's transaction. */
export function insertOrganisation(tx: DbOrTx, input: NewOrganisation): number {
  const { id } = tx
    .insert(organisations)
    .values({ name: input.name, kind: input.kind, parentId: input.parentId })
    .returning({ id: organisations.id })
    .get();
  tx.run(sql`
    INSERT INTO org_closure (ancestor_id, descendant_id, depth)
    SELECT ancestor_id, ${id}, depth + 1 FROM org_closure WHERE descendant_id = ${input.parentId}
    UNION ALL SELECT ${id}, ${id}, 0`);
  treeChanged(tx);
  return id;
}

export function createOrganisation(db: Db, context: AuditContext, input: NewOrganisation): number {
  return writeTransaction(db, (tx) => {
    const id = insertOrganisation(tx, input);
    appendAudit(tx, context, { action: 'org.create', entityType: 'organisation', entityId: id });
    return id;
  });
}

export function renameOrganisation(db: Db, context: AuditContext, id: number, name: string): void {
  writeTransaction(db, (tx) => {
    tx.update(organisations).set({ name }).where(eq(organisations.id, id)).run();
    treeChanged(tx);
    appendAudit(tx, context, { action: 'org.rename', entityType: 'organisation', entityId: id });
  });
}

export function setOrganisationActive(db: Db, context: AuditContext, id: number, active: boolean): void {
  writeTransaction(db, (tx) => {
    tx.update(organisations).set({ active }).where(eq(organisations.id, id)).run();
    treeChanged(tx);
    appendAudit(tx, context, { action: active ? 'org.reactivate' : 'org.deactivate', entityType: 'organisation', entityId: id });
  });
}

export type MoveRefusal = 'into_own_subtree';

/** Re-parents a subtree, rewriting the closure rows that cross its boundary. */
export function moveOrganisation(db: Db, context: AuditContext, id: number, newParentId: number): MoveRefusal | null {
  return writeTransaction(db, (tx) => {
    const cycle = tx.get(sql`SELECT 1 AS x FROM org_closure WHERE ancestor_id = ${id} AND descendant_id = ${newParentId}`);
    if (cycle) return 'into_own_subtree';
    tx.run(sql`
      DELETE FROM org_closure
      WHERE descendant_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ${id})
        AND ancestor_id NOT IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ${id})`);
    tx.run(sql`
      INSERT INTO org_closure (ancestor_id, descendant_id, depth)
      SELECT above.ancestor_id, below.descendant_id, above.depth + below.depth + 1
      FROM org_closure above CROSS JOIN org_closure below
      WHERE above.descendant_id = ${newParentId} AND below.ancestor_id = ${id}`);
    tx.update(organisations).set({ parentId: newParentId }).where(eq(organisations.id, id)).run();
    treeChanged(tx);
    appendAudit(tx, context, { action: 'org.move', entityType: 'organisation', entityId: id });
    return null;
  });
}

export function isOrgActive(db: DbOrTx, id: number): boolean {
  return Boolean(
    db.select({ id: organisations.id }).from(organisations).where(and(eq(organisations.id, id), eq(organisations.active, true))).get(),
  );
}

export function createOrgRelations(db: Db): OrgRelations {
  const within: Database.Statement<[number, number]> = db.$client.prepare(
    'SELECT 1 FROM org_closure WHERE ancestor_id = ? AND descendant_id = ?',
  );
  return { isWithin: (orgId, ancestorId) => within.get(ancestorId, orgId) !== undefined };
}

/**
 * The same answers, each looked up once: for one page, which asks the same question of every action
 * and section it checks (the case page asked 17 times, for one or two pairs of organisations).
 */
export function rememberingOrgRelations(relations: OrgRelations): OrgRelations {
  const answers = new Map<string, boolean>();
  return {
    isWithin(orgId, ancestorId) {
      const key = `${orgId}:${ancestorId}`;
      let answer = answers.get(key);
      if (answer === undefined) answers.set(key, (answer = relations.isWithin(orgId, ancestorId)));
      return answer;
    },
  };
}
