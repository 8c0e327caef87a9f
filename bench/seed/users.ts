/**
 * The people behind the seeded work: a caseworker and a People's Committee chairperson in every
 * commune and ward, and the 111 hotline's operators, all sharing one password hash (hashing is
 * deliberately slow: once for the whole seed). Rows as the users repository's insertUser writes
 * them (normalised username, one role assignment), on statements prepared once.
 */
import type { AuditContext } from '../../src/audit/log.js';
import { writeTransaction, type Db } from '../../src/db/client.js';
import type { Role } from '../../src/permissions/roles.js';
import { normaliseUsername } from '../../src/users/repository.js';
import { vietnameseName } from './names.js';
import { pick, type Random } from './random.js';
import type { NationalTree } from './tree.js';

export interface StaffMember {
  userId: number;
  context: AuditContext;
}

export interface SeededStaff {
  workerOf(communeId: number): StaffMember;
  chairOf(communeId: number): StaffMember;
  /** One of the hotline's operators, for a call-in report. */
  operator(rnd: Random): StaffMember;
  /** Reports filed by the hotline's telephony system through the API. */
  apiKey: { userId: null; context: AuditContext };
  system: { userId: null; context: AuditContext };
  /** Every account in creation order (the audit entries of their creation). */
  created: number[];
}

/** The benchmark's accounts in the benchmark's commune have fixed usernames, so the runner can sign in. */
export const BENCH_WORKER = 'canboxa';
export const BENCH_CHAIR = 'chutichxa';
export const BENCH_OPERATOR = 'tongdai111';
const OPERATORS = 24;

function member(userId: number, role: Role, orgId: number): StaffMember {
  return { userId, context: { actorUserId: userId, actorRole: role, actorOrgId: orgId, ip: null, requestId: null } };
}

export function seedStaff(db: Db, tree: NationalTree, passwordHash: string, rnd: Random, createdAt = new Date().toISOString()): SeededStaff {
  const workers = new Map<number, StaffMember>();
  const chairs = new Map<number, StaffMember>();
  const operators: StaffMember[] = [];
  const created: number[] = [];
  const user = db.$client.prepare('INSERT INTO users (username, display_name, password_hash, home_org_id, created_at) VALUES (?, ?, ?, ?, ?)');
  const assignment = db.$client.prepare('INSERT INTO role_assignments (user_id, role, org_id, created_at) VALUES (?, ?, ?, ?)');
  writeTransaction(db, () => {
    const add = (username: string, role: Role, orgId: number): StaffMember => {
      const sex = rnd() < 0.5 ? 'female' : 'male';
      const userId = Number(user.run(normaliseUsername(username), vietnameseName(rnd, sex), passwordHash, orgId, createdAt).lastInsertRowid);
      assignment.run(userId, role, orgId, createdAt);
      created.push(userId);
      return member(userId, role, orgId);
    };
    for (const commune of tree.communes) {
      const bench = commune.id === tree.benchCommune.id;
      workers.set(commune.id, add(bench ? BENCH_WORKER : `canbo.${commune.id}`, 'commune_worker', commune.id));
      chairs.set(commune.id, add(bench ? BENCH_CHAIR : `chutich.${commune.id}`, 'commune_chair', commune.id));
    }
    for (let i = 0; i < OPERATORS; i += 1) operators.push(add(i === 0 ? BENCH_OPERATOR : `tongdai.${i + 1}`, 'hotline_operator', tree.hotline));
  });
  const found = (map: Map<number, StaffMember>, communeId: number): StaffMember => {
    const staff = map.get(communeId);
    if (!staff) throw new Error(`no staff in commune ${communeId}`);
    return staff;
  };
  return {
    workerOf: (communeId) => found(workers, communeId),
    chairOf: (communeId) => found(chairs, communeId),
    operator: (rnd) => pick(rnd, operators),
    apiKey: { userId: null, context: { actorUserId: null, actorRole: 'api_key', actorOrgId: tree.hotline, ip: null, requestId: null } },
    system: { userId: null, context: { actorUserId: null, actorRole: null, actorOrgId: null, ip: null, requestId: null } },
    created,
  };
}
