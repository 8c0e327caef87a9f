/**
 * Eighteen months of made-up history for the demo, so that the school board (hoidong) and the
 * provincial supervisor (giamsat) see statistics with something in them. Every case goes through
 * the real services — teachers' flags forwarded by the school lead, hotline calls, public and API
 * intakes, then the workflow events — with past timestamps, exactly as if it had happened.
 */
import { sql } from 'drizzle-orm';
import { SYSTEM_AUDIT_CONTEXT, type AuditContext } from '../audit/log.js';
import { addWorkingDays } from '../calendar/working-days.js';
import { loadNonWorkingDays } from '../calendar/repository.js';
import { findCase } from '../cases/repository.js';
import { applyCaseEvent, type CaseCommand } from '../cases/service.js';
import { recordInitialAssessment } from '../casework/assessments/service.js';
import type { RiskLevel } from '../casework/schema.js';
import { writeTransaction, type Db } from '../db/client.js';
import { seededRandom } from '../demo/random.js';
import type { DemoOrgs } from '../demo/seed.js';
import { createFlag, forwardFlag, recordNoFurtherAction } from '../flags/service.js';
import type { CallType } from '../hotline/schema.js';
import { recordCall } from '../hotline/service.js';
import { createIntake, type IntakeInput } from '../intake/service.js';
import { createOrgRelations } from '../orgs/repository.js';
import type { OrgRelations } from '../permissions/conditions.js';
import type { Actor } from '../permissions/actor.js';
import type { Role } from '../permissions/roles.js';
import { refreshStatistics } from './refresh.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MONTHS = 18;

interface People {
  teacher: number;
  lead: number;
  operator: number;
  supervisor: number;
  chair: number;
}

function userId(db: Db, username: string): number {
  const row = db.get<{ id: number } | undefined>(sql`SELECT id FROM users WHERE username = ${username}`);
  if (!row) throw new Error(`demo history needs the demo account ${username}`);
  return row.id;
}

function actor(userId: number, role: Role, orgId: number): { actor: Actor; audit: AuditContext } {
  return { actor: { userId, assignmentId: 0, role, orgId }, audit: { ...SYSTEM_AUDIT_CONTEXT, actorUserId: userId, actorRole: role, actorOrgId: orgId } };
}

const ABUSE = ['abuse_violence_physical', 'abuse_violence_emotional', 'abuse_neglect', 'abuse_abandonment', 'abuse_exploitation_labour'];
const LABOUR = ['cl_13_to_15_not_light_work', 'cl_15_to_18_excess_hours', 'cl_under_13_not_permitted'];
const SPECIAL = ['sc_c_orphan_other_parent_missing', 'sc_d_mild', 'sc_n_long_term_illness', 'sc_o_migrant', 'sc_g'];
const NAMES = ['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Minh Châu', 'Phạm Thu Dung', 'Hoàng Gia Huy', 'Vũ Ngọc Lan', 'Đặng Quốc Khánh', 'Bùi Thị Mai', 'Đỗ Đức Nam', 'Ngô Phương Thảo'];

/**
 * Moves a case through the workflow from its receipt, stopping at `now`: most are taken up within a
 * day, some are emergencies, a few prove unfounded; plans are mostly on time and approved at once,
 * and some closed cases come back.
 */
function progress(db: Db, orgs: DemoOrgs, relations: OrgRelations, people: People, caseId: number, receivedAt: number, now: number, rnd: () => number): void {
  const supervisor = actor(people.supervisor, 'supervisor', orgs.province);
  const chair = (orgId: number): { actor: Actor; audit: AuditContext } => actor(people.chair, 'commune_chair', orgId);
  const holidays = loadNonWorkingDays(db);
  let at = receivedAt;
  const event = (command: CaseCommand, afterMs: number, by = supervisor): boolean => {
    at += afterMs;
    if (at >= now) return false;
    return applyCaseEvent(db, relations, by, caseId, command, { now: new Date(at) }).ok;
  };

  const emergency = rnd() < 0.15;
  if (emergency) {
    if (!event({ type: 'DECLARE_EMERGENCY' }, (1 + rnd() * 2) * HOUR)) return;
    // Most measures within the 12 hours of Art. 25, a few late.
    if (!event({ type: 'RECORD_EMERGENCY_MEASURES' }, (rnd() < 0.85 ? 2 + rnd() * 7 : 13 + rnd() * 10) * HOUR)) return;
  } else if (!event({ type: 'TAKE' }, (rnd() < 0.7 ? 2 + rnd() * 20 : 24 + rnd() * 48) * HOUR)) return;

  at += 4 * HOUR;
  if (at >= now) return;
  const risk: RiskLevel = emergency ? 'high' : rnd() < 0.3 ? 'medium' : rnd() < 0.6 ? 'low' : 'medium';
  const version = findCase(db, caseId)?.rowVersion ?? 0;
  const rating = risk === 'high' ? 'high' : risk === 'medium' ? 'medium' : 'low';
  recordInitialAssessment(
    db,
    supervisor,
    caseId,
    { ratings: [{ item: 'harm_severity', rating, note: '' }, { item: 'abuser_access', rating: risk === 'medium' ? 'high' : 'low', note: '' }], summary: '' },
    version,
    new Date(at),
  );

  if (!emergency && rnd() < 0.18) {
    event({ type: 'CLOSE_UNFOUNDED', reason: 'Xác minh không có căn cứ.' }, (1 + rnd() * 4) * DAY);
    return;
  }
  if (!event(rnd() < 0.5 ? { type: 'DECIDE_SUPPORT' } : { type: 'DECIDE_INTERVENTION' }, (1 + rnd() * 2) * DAY)) return;
  if (!event({ type: 'RECORD_NEEDS_MEETING' }, (2 + rnd() * 3) * DAY)) return;
  if (!event({ type: 'COMPLETE_ASSESSMENT' }, (1 + rnd() * 2) * DAY)) return;
  // Five working days for the plan (Art. 28): most on time, some late.
  const due = addWorkingDays(new Date(at), rnd() < 0.8 ? 2 + Math.floor(rnd() * 3) : 6 + Math.floor(rnd() * 4), holidays).getTime();
  if (!event({ type: 'SUBMIT_PLAN' }, due - at - 6 * HOUR)) return;
  const commune = findCase(db, caseId)?.orgId ?? orgs.kinhBac;
  if (rnd() < 0.2) {
    if (!event({ type: 'REJECT_PLAN', comment: 'Bổ sung biện pháp hỗ trợ tâm lý.' }, (1 + rnd() * 2) * DAY, chair(commune))) return;
    if (!event({ type: 'SUBMIT_PLAN' }, (1 + rnd() * 2) * DAY)) return;
  }
  if (!event({ type: 'APPROVE_PLAN' }, (1 + rnd() * 2) * DAY, chair(commune))) return;
  if (!event({ type: 'START_REVIEW' }, (20 + rnd() * 60) * DAY)) return;
  if (!event({ type: 'REQUEST_CLOSURE' }, (2 + rnd() * 5) * DAY)) return;
  if (!event({ type: 'APPROVE_CLOSURE' }, (1 + rnd() * 3) * DAY, chair(commune))) return;
  if (rnd() < 0.12) event({ type: 'REOPEN', reason: 'Có thông tin mới về nguy cơ đối với trẻ.' }, (30 + rnd() * 120) * DAY);
}

function pick<T>(rnd: () => number, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)] as T;
}

/**
 * Creates the history and brings the statistics up to date. Run after seedDemo's accounts and
 * rosters exist; `now` is the end of the history.
 */
export function seedDemoHistory(db: Db, orgs: DemoOrgs, now: Date = new Date()): { cases: number } {
  // Seeded, so every demo run tells the same story.
  const rnd = seededRandom(20_260_501);
  const people: People = {
    teacher: userId(db, 'giaovien'),
    lead: userId(db, 'bgh'),
    operator: userId(db, 'tongdai111'),
    supervisor: userId(db, 'giamsat'),
    chair: userId(db, 'chutichxa'),
  };
  const pupils = (schoolOrgId: number): number[] =>
    db.all<{ id: number }>(sql`SELECT id FROM children WHERE school_org_id = ${schoolOrgId} ORDER BY id`).map((row) => row.id);
  const schools = [
    { orgId: orgs.primarySchool, pupils: pupils(orgs.primarySchool), perMonth: 3.5 },
    { orgId: orgs.preschool, pupils: pupils(orgs.preschool), perMonth: 0.8 },
  ];
  const communes = [orgs.kinhBac, orgs.voCuong, orgs.tienDu, orgs.tuSon];
  const operator = actor(people.operator, 'hotline_operator', orgs.hotline);
  const end = now.getTime() - 2 * DAY;
  const start = end - MONTHS * 30 * DAY;
  const opened: { caseId: number; at: number }[] = [];

  // The demo database holds made-up data only: without an fsync per transaction the history takes
  // a second or two instead of half a minute. Durability is restored before anything else runs.
  db.$client.pragma('synchronous = OFF');
  try {
    for (let month = 0; month < MONTHS; month += 1) {
      const monthStart = start + month * 30 * DAY;
      // Nothing in the last days of the history, so every case has been taken up by its end (no stale intakes in triage).
      const at = (): number => Math.min(Math.floor(monthStart + rnd() * 30 * DAY), end - 5 * DAY);

      for (const school of schools) {
        const count = Math.floor(school.perMonth + rnd() * 2);
        for (let i = 0; i < count && school.pupils.length > 0; i += 1) {
          const flaggedAt = at();
          const lead = actor(people.lead, 'school_lead', school.orgId);
          const flagId = createFlag(
            db,
            { userId: people.teacher, audit: actor(people.teacher, 'teacher', school.orgId).audit },
            { schoolOrgId: school.orgId, pupil: { id: pick(rnd, school.pupils) }, categories: [pick(rnd, rnd() < 0.8 ? ABUSE : SPECIAL)], description: 'Mối lo ngại (dữ liệu trình diễn).', immediateDanger: false, bodyMap: [] },
            new Date(flaggedAt),
          );
          const decidedAt = new Date(flaggedAt + (1 + rnd() * 20) * HOUR);
          if (decidedAt.getTime() >= end) continue;
          if (rnd() < 0.15) {
            recordNoFurtherAction(db, lead, flagId, 'Đã trao đổi với gia đình, không cần chuyển.', decidedAt);
            continue;
          }
          const forwarded = forwardFlag(
            db,
            lead,
            flagId,
            { communeOrgId: rnd() < 0.85 ? orgs.kinhBac : orgs.voCuong, leadContext: null, caseDescription: 'Mối lo ngại của giáo viên (dữ liệu trình diễn).', categories: [pick(rnd, ABUSE)] },
            decidedAt,
          );
          if (forwarded.ok) {
            const caseId = db.get<{ id: number }>(sql`SELECT id FROM cases WHERE reference = ${forwarded.reference}`).id;
            opened.push({ caseId, at: decidedAt.getTime() });
          }
        }
      }

      for (let i = 0, calls = 5 + Math.floor(rnd() * 3); i < calls; i += 1) {
        const callAt = new Date(at());
        const kind = rnd();
        const callType: CallType = kind < 0.35 ? 'about_child' : kind < 0.45 ? 'child_self' : kind < 0.7 ? 'information' : kind < 0.85 ? 'silent' : kind < 0.95 ? 'hang_up' : 'abusive';
        const caseCall = callType === 'about_child' || callType === 'child_self';
        const intake: IntakeInput | null = caseCall
          ? {
              channel: 'hotline',
              medium: 'phone',
              receivedAt: callAt.toISOString(),
              sourceOrgId: orgs.hotline,
              child: { name: pick(rnd, NAMES), estimatedAge: Math.floor(rnd() * 18), sex: rnd() < 0.5 ? 'female' : 'male' },
              residenceOrgId: pick(rnd, communes),
              description: 'Cuộc gọi về trẻ em (dữ liệu trình diễn).',
              immediateDanger: rnd() < 0.1,
              categories: [pick(rnd, rnd() < 0.6 ? ABUSE : rnd() < 0.5 ? LABOUR : SPECIAL)],
              reporter: { consented: false, relation: callType === 'child_self' ? 'self' : 'neighbour' },
            }
          : null;
        const recorded = recordCall(db, operator, { receivedAt: callAt.toISOString(), callType, medium: 'phone', callerRelation: caseCall ? 'neighbour' : null }, intake);
        if (recorded?.reference) {
          const caseId = db.get<{ id: number }>(sql`SELECT id FROM cases WHERE reference = ${recorded.reference}`).id;
          opened.push({ caseId, at: callAt.getTime() });
        }
      }

      for (let i = 0, reports = 1 + Math.floor(rnd() * 2); i < reports; i += 1) {
        const receivedAt = new Date(at()).toISOString();
        const channel = rnd() < 0.7 ? 'public' : 'api';
        const result = writeTransaction(db, (tx) =>
          createIntake(tx, { actor: null, audit: SYSTEM_AUDIT_CONTEXT, recordedBy: null }, {
            channel,
            medium: channel === 'public' ? 'online' : 'system',
            receivedAt,
            sourceOrgId: null,
            child: { name: pick(rnd, NAMES), estimatedAge: 3 + Math.floor(rnd() * 14), sex: rnd() < 0.5 ? 'female' : 'male' },
            residenceOrgId: pick(rnd, communes),
            description: 'Phản ánh của người dân (dữ liệu trình diễn).',
            immediateDanger: false,
            categories: [pick(rnd, rnd() < 0.5 ? ABUSE : rnd() < 0.5 ? LABOUR : SPECIAL)],
            reporter: { consented: false },
          }),
        );
        if (result) opened.push({ caseId: result.caseId, at: Date.parse(receivedAt) });
      }
    }
    const relations = createOrgRelations(db);
    for (const { caseId, at } of opened) progress(db, orgs, relations, people, caseId, at, end, rnd);
  } finally {
    db.$client.pragma('synchronous = FULL');
  }
  refreshStatistics(db, { now });
  return { cases: opened.length };
}
