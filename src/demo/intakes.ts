import { SYSTEM_AUDIT_CONTEXT } from '../audit/log.js';
import { dateKeyInVietnam } from '../calendar/working-days.js';
import type { Db } from '../db/client.js';
import type { CallDetails } from '../hotline/call-form.js';
import type { CallType } from '../hotline/schema.js';
import { recordCall } from '../hotline/service.js';
import { vietnamInstant } from '../intake/form.js';
import type { IntakeInput } from '../intake/service.js';
import type { Actor } from '../permissions/actor.js';
import type { DemoOrgs } from './seed.js';

const HOUR_MS = 3_600_000;
/** More than the oldest call's hours ago, so the squeezed calls keep their order and stay after midnight. */
const EARLIEST_HOURS_AGO = 8;

/**
 * A few hotline calls as a 111 operator would record them this morning, so the commune's triage
 * queue has work in it: one emergency, one child-labour report, and calls that open no case. They
 * stay within today in Viet Nam, since the calls list shows one day: just after midnight there they
 * come closer together.
 */
export function seedDemoIntakes(db: Db, orgs: DemoOrgs, operatorUserId: number, now: Date = new Date()): string[] {
  const actor: Actor = { userId: operatorUserId, assignmentId: 0, role: 'hotline_operator', orgId: orgs.hotline };
  const writer = { actor, audit: { ...SYSTEM_AUDIT_CONTEXT, actorUserId: operatorUserId, actorRole: 'hotline_operator', actorOrgId: orgs.hotline } };
  const sinceMidnight = now.getTime() - (vietnamInstant(dateKeyInVietnam(now), '00:00') ?? now).getTime();
  const at = (hoursAgo: number): string => new Date(now.getTime() - Math.min(hoursAgo * HOUR_MS, (sinceMidnight * hoursAgo) / EARLIEST_HOURS_AGO)).toISOString();
  const base = { channel: 'hotline', medium: 'phone', sourceOrgId: orgs.hotline } as const;
  const calls: { hoursAgo: number; callType: CallType; relation: CallDetails['callerRelation']; intake: IntakeInput | null }[] = [
    {
      hoursAgo: 3,
      callType: 'about_child',
      relation: 'neighbour',
      intake: {
        ...base,
        receivedAt: at(3),
        child: { name: 'Trần Minh Khôi', estimatedAge: 8, sex: 'male' },
        residenceOrgId: orgs.kinhBac,
        incidentPlace: 'Khu trọ công nhân gần khu công nghiệp',
        description: 'Hàng xóm nghe tiếng trẻ khóc và tiếng đánh đập nhiều đêm liền; sáng nay thấy cháu có vết bầm ở mặt và tay.',
        currentCondition: 'Cháu sợ hãi, không dám về nhà.',
        likelyConsequence: 'Có thể tiếp tục bị bạo lực nghiêm trọng.',
        actionTaken: 'Người gọi đã đưa cháu sang nhà mình tạm lánh.',
        immediateDanger: true,
        categories: ['abuse_violence_physical'],
        reporter: { consented: false, relation: 'neighbour' },
      },
    },
    {
      hoursAgo: 7,
      callType: 'about_child',
      relation: 'teacher',
      intake: {
        ...base,
        receivedAt: at(7),
        child: { name: 'Lò Thị Mai', estimatedAge: 13, sex: 'female' },
        residenceOrgId: orgs.kinhBac,
        incidentPlace: 'Xưởng may gia đình',
        description: 'Em nghỉ học hai tuần, được cho là đang làm việc tại một xưởng may tới khuya.',
        immediateDanger: false,
        categories: ['cl_13_to_15_not_light_work'],
        reporter: { consented: true, relation: 'teacher', name: 'Cô giáo chủ nhiệm', phone: '0912 345 678' },
      },
    },
    { hoursAgo: 1, callType: 'silent', relation: null, intake: null },
    { hoursAgo: 2, callType: 'information', relation: 'parent', intake: null },
  ];
  const references: string[] = [];
  for (const call of calls) {
    const recorded = recordCall(
      db,
      writer,
      { receivedAt: at(call.hoursAgo), callType: call.callType, medium: 'phone', callerRelation: call.relation },
      call.intake,
    );
    if (recorded?.reference) references.push(recorded.reference);
  }
  return references;
}
