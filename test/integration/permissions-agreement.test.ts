import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_AUDIT_CONTEXT } from '../../src/audit/log.js';
import { seededRandom } from '../../src/demo/random.js';
import { createOrganisation, createOrgRelations } from '../../src/orgs/repository.js';
import { ORG_KINDS } from '../../src/orgs/schema.js';
import type { Actor } from '../../src/permissions/actor.js';
import { confinedToActorSubtree, isAllowed, readableOrganisations, scopeCondition } from '../../src/permissions/check.js';
import type { SubjectColumns, SubjectRecord } from '../../src/permissions/conditions.js';
import { ROLES } from '../../src/permissions/roles.js';
import { PERMISSIONS, type Action } from '../../src/permissions/rules.js';
import { createTestApp, login, seedOrgs, seedUser, send, type TestApp } from '../helpers/app.js';

const SEED = 20_260_302;
const ORG_COUNT = 40;
const RECORD_COUNT = 250;
const ACTORS_PER_ROLE = 30;
/** A few user ids shared by actors and records, so "assigned to me" and "created by me" often hold. */
const USER_IDS = [1, 2, 3, 4, 5];

const SCRATCH_COLUMNS: SubjectColumns = {
  id: sql`id`,
  orgId: sql`org_id`,
  assignedUserId: sql`assigned_user_id`,
  createdBy: sql`created_by`,
  sensitive: sql`sensitive`,
  ownerUserId: sql`owner_user_id`,
};

const SUBJECT_ACTIONS = (Object.keys(PERMISSIONS) as Action[]).filter((action) => PERMISSIONS[action].subject !== null);

describe('list filters agree with record checks', () => {
  let t: TestApp;
  let orgIds: number[];
  let records: (Required<Omit<SubjectRecord, 'assignedUserId' | 'createdBy'>> & Pick<SubjectRecord, 'assignedUserId' | 'createdBy'>)[];

  /** The tree and the records are only read by the tests, so they are built once. */
  beforeAll(async () => {
    t = await createTestApp();
    const random = seededRandom(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    // Two separate trees, each node under a random earlier node of its tree: several levels deep, uneven.
    orgIds = [];
    for (const treeSize of [ORG_COUNT - 8, 8]) {
      const tree = [createOrganisation(t.db, SYSTEM_AUDIT_CONTEXT, { name: `Gốc ${orgIds.length}`, kind: 'province', parentId: null })];
      while (tree.length < treeSize) {
        tree.push(createOrganisation(t.db, SYSTEM_AUDIT_CONTEXT, { name: `Đơn vị ${orgIds.length + tree.length}`, kind: pick(ORG_KINDS), parentId: pick(tree) }));
      }
      orgIds.push(...tree);
    }
    const maxDepth = (t.db.$client.prepare('SELECT max(depth) AS depth FROM org_closure').get() as { depth: number }).depth;
    expect(maxDepth).toBeGreaterThanOrEqual(3);

    records = Array.from({ length: RECORD_COUNT }, (_, index) => ({
      id: index + 1,
      orgId: pick(orgIds),
      assignedUserId: pick([null, ...USER_IDS]),
      createdBy: pick([null, ...USER_IDS]),
      sensitive: random() < 0.4,
      acceptedReferralOrgIds: random() < 0.3 ? [pick(orgIds)] : [],
      ownerUserId: pick(USER_IDS),
    }));
    t.db.$client.exec('CREATE TEMP TABLE scratch (id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL, assigned_user_id INTEGER, created_by INTEGER, sensitive INTEGER NOT NULL, owner_user_id INTEGER NOT NULL)');
    const insert = t.db.$client.prepare('INSERT INTO scratch VALUES (?, ?, ?, ?, ?, ?)');
    // A temp table shadows the real one, so the referral condition's SQL reads these rows; pending ones must not count.
    t.db.$client.exec('CREATE TEMP TABLE referrals (case_id INTEGER NOT NULL, to_org_id INTEGER NOT NULL, status TEXT NOT NULL)');
    // And the cases where a referral's organisations are found (readableOrganisations).
    t.db.$client.exec('CREATE TEMP TABLE cases (id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL)');
    const file = t.db.$client.prepare('INSERT INTO cases VALUES (?, ?)');
    const refer = t.db.$client.prepare('INSERT INTO referrals VALUES (?, ?, ?)');
    t.db.$client.transaction(() => {
      for (const record of records) {
        insert.run(record.id, record.orgId, record.assignedUserId, record.createdBy, record.sensitive ? 1 : 0, record.ownerUserId);
        file.run(record.id, record.orgId);
        for (const orgId of record.acceptedReferralOrgIds) refer.run(record.id, orgId, 'accepted');
        if (random() < 0.2) refer.run(record.id, pick(orgIds), 'pending');
      }
    })();
  });
  afterAll(async () => t.close());

  it('covers every action that concerns a record', () => {
    expect(SUBJECT_ACTIONS).toEqual(expect.arrayContaining(['org.manage', 'user.manage', 'case.read']));
  });

  it.each(SUBJECT_ACTIONS)('%s: for every role, the SQL scope selects exactly the records isAllowed allows', (action) => {
    const orgs = createOrgRelations(t.db);
    // Seeded per action, so each action's cases do not depend on which other tests ran first.
    const random = seededRandom(SEED + [...action].reduce((sum, char) => sum * 31 + char.charCodeAt(0), 0));
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    let allowedSomewhere = 0;
    let refusedSomewhere = 0;
    for (const role of ROLES) {
      for (let n = 0; n < ACTORS_PER_ROLE; n += 1) {
        const actor: Actor = { userId: pick(USER_IDS), assignmentId: n + 1, role, orgId: pick(orgIds) };
        const fromSql = t.db
          .all<{ id: number }>(sql`SELECT id FROM scratch WHERE ${scopeCondition(action, actor, SCRATCH_COLUMNS)} ORDER BY id`)
          .map((row) => row.id);
        const fromCheck = records.filter((record) => isAllowed(action, actor, record, orgs)).map((record) => record.id);
        expect(fromSql, `${action} as ${JSON.stringify(actor)}`).toEqual(fromCheck);
        // What lets a search narrow to some organisations first must never drop a record the rules allow.
        const readable = readableOrganisations(action, actor);
        if (readable) {
          const readableIds = new Set(t.db.all<{ id: number }>(readable).map((row) => row.id));
          const outside = records.filter((record) => fromCheck.includes(record.id) && !readableIds.has(record.orgId));
          expect(outside, `${action} as ${JSON.stringify(actor)}: allowed outside the readable organisations`).toEqual([]);
        }
        // The scope's outer subtree condition must not drop one either.
        if (confinedToActorSubtree(action, actor)) {
          expect(fromCheck.filter((id) => !orgs.isWithin(records[id - 1]?.orgId ?? -1, actor.orgId)), `${action} as ${JSON.stringify(actor)}`).toEqual([]);
        }
        allowedSomewhere += fromCheck.length;
        refusedSomewhere += records.length - fromCheck.length;
      }
    }
    // The comparison means something only if both outcomes occurred.
    expect(allowedSomewhere).toBeGreaterThan(0);
    expect(refusedSomewhere).toBeGreaterThan(0);
  });

  it('narrows case searches to the organisations each role can read, and not for roles without a way in', () => {
    const actor = (role: Actor['role']): Actor => ({ userId: 1, assignmentId: 1, role, orgId: orgIds[0] as number });
    for (const role of ['commune_worker', 'commune_chair', 'supervisor', 'social_worker'] as const) expect(readableOrganisations('case.read', actor(role)), role).not.toBeNull();
    // A centre reads the cases referred to it, wherever they are filed: not its own subtree.
    expect(confinedToActorSubtree('case.read', actor('social_worker'))).toBe(false);
    // A role with no way in is refused before any search.
    expect(readableOrganisations('case.read', actor('teacher'))).toBeNull();
  });

  it('exercises the case rules’ interesting corners: sensitive cases seen only when assigned, or by a chair', () => {
    const orgs = createOrgRelations(t.db);
    const root = orgIds[0] as number;
    const worker: Actor = { userId: 1, assignmentId: 1, role: 'commune_worker', orgId: root };
    const chair: Actor = { ...worker, role: 'commune_chair' };
    const sensitiveInTree = records.filter((record) => record.sensitive && orgs.isWithin(record.orgId, root));
    const assigned = sensitiveInTree.filter((record) => record.assignedUserId === 1);
    expect(assigned.length).toBeGreaterThan(0);
    expect(sensitiveInTree.length).toBeGreaterThan(assigned.length);
    expect(sensitiveInTree.filter((record) => isAllowed('case.read', worker, record, orgs))).toEqual(assigned);
    expect(sensitiveInTree.every((record) => isAllowed('case.read', chair, record, orgs))).toBe(true);
  });
});

describe('the users list shows exactly the users an administrator may manage', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => t.close());

  it('for an administrator at a commune and one at the province', async () => {
    const orgs = seedOrgs(t.db);
    const homes = [orgs.province, orgs.communeA, orgs.communeB, orgs.schoolA, orgs.schoolB, orgs.socialWorkCentre, orgs.hotline];
    for (const [index, home] of homes.entries()) {
      await seedUser(t.db, `nguoi${index}a`, [{ role: 'teacher', orgId: home }]);
      // Assignments elsewhere do not matter: the home organisation decides who manages the account.
      await seedUser(t.db, `nguoi${index}b`, [{ role: 'commune_worker', orgId: orgs.communeA }], home);
    }
    await seedUser(t.db, 'quantrixa', [{ role: 'admin', orgId: orgs.communeA }]);
    await seedUser(t.db, 'quantritinh', [{ role: 'admin', orgId: orgs.province }]);
    const everyone = t.db.$client.prepare('SELECT id, home_org_id AS orgId FROM users').all() as { id: number; orgId: number }[];
    const relations = createOrgRelations(t.db);

    for (const [username, orgId] of [['quantrixa', orgs.communeA], ['quantritinh', orgs.province]] as const) {
      const browser = await login(t.app, t.db, username);
      const page = await send(t.app, browser, { url: '/admin/users' });
      expect(page.statusCode).toBe(200);
      const shown = [...page.body.matchAll(/href="\/admin\/users\/(\d+)"/g)].map((match) => Number(match[1])).sort((a, b) => a - b);
      const actor: Actor = { userId: 0, assignmentId: 0, role: 'admin', orgId };
      const manageable = everyone.filter((user) => isAllowed('user.manage', actor, { id: user.id, orgId: user.orgId }, relations)).map((user) => user.id);
      expect(shown, username).toEqual(manageable.sort((a, b) => a - b));
      expect(shown.length).toBeLessThan(username === 'quantrixa' ? everyone.length / 2 : everyone.length + 1);
    }
  });
});
