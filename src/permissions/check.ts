import { sql, type SQL } from 'drizzle-orm';
import type { Actor } from './actor.js';
import { CONDITIONS, type ConditionDefinition, type OrgRelations, type SubjectColumns, type SubjectRecord } from './conditions.js';
import { PERMISSIONS, type Action, type RuleGroup } from './rules.js';
import type { Role } from './roles.js';

function groupsFor(action: Action, role: Role): readonly RuleGroup[] {
  const groups: readonly RuleGroup[] = PERMISSIONS[action].allow;
  return groups.filter((group) => group.roles.includes(role));
}

/** Whether the role could be allowed this action on some record: the route-level gate. */
export function roleMayEver(action: Action, role: Role): boolean {
  return groupsFor(action, role).length > 0;
}

/** Checks one loaded record (or, for subject-less permissions, the role alone). */
export function isAllowed(action: Action, actor: Actor, record: SubjectRecord, orgs: OrgRelations): boolean {
  return groupsFor(action, actor.role).some((group) =>
    (group.when ?? []).every((name) => CONDITIONS[name].test(record, actor, orgs)),
  );
}

/**
 * The same rules as a SQL condition, for lists and searches. When every group confines the record
 * to the actor's subtree, that is said once outside the OR: only a condition outside the OR lets
 * SQLite reach the rows through an organisation index instead of scanning, say, every new intake in
 * the country. Groups that all ask for the subtree itself leave it out of the OR, since
 * (A AND B) OR (A AND C) is A AND (B OR C): each repeat was a subquery SQLite built again per
 * statement, and a worklist statement held nine.
 */
export function scopeCondition(action: Action, actor: Actor, columns: SubjectColumns): SQL {
  const groups = groupsFor(action, actor.role);
  if (groups.length === 0) return sql`0`;
  const factored = groups.every((group) => group.when?.includes('org_within'));
  const remaining = groups.map((group) => (group.when ?? []).filter((name) => !(factored && name === 'org_within')));
  if (factored && remaining.some((names) => names.length === 0)) return CONDITIONS.org_within.sql(columns, actor);
  const clauses = remaining.map((names) =>
    names.length === 0 ? sql`1` : sql`(${sql.join(names.map((name) => CONDITIONS[name].sql(columns, actor)), sql` AND `)})`,
  );
  const any = sql`(${sql.join(clauses, sql` OR `)})`;
  // Factored groups all confine to the subtree, so this holds for them too.
  return confinedToActorSubtree(action, actor) ? sql`(${CONDITIONS.org_within.sql(columns, actor)} AND ${any})` : any;
}

/**
 * Whether every rule that could allow the actor the action asks for the record's organisation to be
 * within the actor's own: then the scope says so once outside its OR (scopeCondition).
 */
export function confinedToActorSubtree(action: Action, actor: Actor): boolean {
  const groups = groupsFor(action, actor.role);
  return groups.length > 0 && groups.every((group) => (group.when ?? []).some((name) => name === 'org_within' || name === 'org_same'));
}

/**
 * The organisations of every record the rules could let the actor through for the action, as a
 * SELECT of ids ("id"), when each of the actor's rule groups confines its records to some
 * organisations (their subtree, their own, the cases referred to them); null when one does not. A
 * search reads only these organisations' words, then applies the rules to what it found.
 */
export function readableOrganisations(action: Action, actor: Actor): SQL | null {
  const groups = groupsFor(action, actor.role);
  if (groups.length === 0) return null;
  const selects: SQL[] = [];
  for (const group of groups) {
    const confining = (group.when ?? []).map((name): ConditionDefinition => CONDITIONS[name]).find((condition) => condition.orgs);
    if (!confining?.orgs) return null;
    selects.push(confining.orgs(actor));
  }
  return sql.join(selects, sql` UNION `);
}
