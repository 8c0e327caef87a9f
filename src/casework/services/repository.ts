/** Services delivered to the child (counselling, medical care, shelter, …): reads for the case page, worklists and alerts. */
import { and, asc, eq, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { DateKey } from '../../calendar/working-days.js';
import { cases } from '../../cases/schema.js';
import type { DbOrTx } from '../../db/client.js';
import { services } from '../schema.js';
import { SERVING_STATES, todayInVietnam } from './due.js';

export const SERVICE_KINDS = ['counselling', 'medical', 'psychological', 'legal_aid', 'shelter', 'education_support', 'other'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

export type ServiceRow = typeof services.$inferSelect;

export interface CaseService extends ServiceRow {
  providerName: string | null;
  createdByName: string;
}

export function findService(db: DbOrTx, caseId: number, serviceId: number): ServiceRow | null {
  return db.select().from(services).where(and(eq(services.id, serviceId), eq(services.caseId, caseId))).get() ?? null;
}

/** The case's services: the open ones by due date, then the delivered ones. */
export function servicesOf(db: DbOrTx, caseId: number): CaseService[] {
  return db.all<CaseService>(sql`
    SELECT s.id, s.case_id AS caseId, s.referral_id AS referralId, s.provider_org_id AS providerOrgId, s.kind, s.description,
           s.due_on AS dueOn, s.implemented_on AS implementedOn, s.created_by AS createdBy, s.created_at AS createdAt,
           o.name AS providerName, u.display_name AS createdByName
    FROM services s
    LEFT JOIN organisations o ON o.id = s.provider_org_id
    JOIN users u ON u.id = s.created_by
    WHERE s.case_id = ${caseId}
    ORDER BY s.implemented_on IS NOT NULL, s.due_on, s.id`);
}

export interface OverdueService {
  id: number;
  caseId: number;
  reference: string;
  caseOrgId: number;
  assignedUserId: number | null;
  kind: string;
  dueOn: DateKey;
  providerOrgId: number | null;
}

/**
 * Services not delivered by their due date, in open cases being served that the scope allows (e.g.
 * request.scope('case.read', CASE_COLUMNS)), oldest due first. Kind and dates only: no narrative.
 */
export function overdueServices(db: DbOrTx, scope: SQL, today: DateKey = todayInVietnam()): OverdueService[] {
  return db
    .select({
      id: services.id,
      caseId: services.caseId,
      reference: cases.reference,
      caseOrgId: cases.orgId,
      assignedUserId: cases.assignedUserId,
      kind: services.kind,
      dueOn: services.dueOn,
      providerOrgId: services.providerOrgId,
    })
    .from(services)
    .innerJoin(cases, eq(cases.id, services.caseId))
    .where(and(scope, inArray(cases.state, SERVING_STATES), isNull(services.implementedOn), lt(services.dueOn, today)))
    .orderBy(asc(services.dueOn), asc(services.id))
    .all();
}
