import { createDemoApiKey } from '../api/keys.js';
import { SYSTEM_AUDIT_CONTEXT } from '../audit/log.js';
import { hashPassword } from '../auth/password.js';
import type { Db } from '../db/client.js';
import { seedDemoFlags } from '../flags/demo.js';
import { createOrganisation } from '../orgs/repository.js';
import type { OrgKind } from '../orgs/schema.js';
import type { Role } from '../permissions/roles.js';
import { rebuildSearchIndex } from '../search/index.js';
import { createUser } from '../users/repository.js';
import { seedDemoHistory } from '../statistics/demo.js';
import { seedDemoIntakes } from './intakes.js';

/** Every demo account shares it; the demo database holds made-up data only and is rebuilt on each run. */
export const DEMO_PASSWORD = 'bvte-demo-2026';

export interface DemoOrgs {
  national: number;
  hotline: number;
  province: number;
  socialWorkCentre: number;
  police: number;
  healthFacility: number;
  kinhBac: number;
  voCuong: number;
  tienDu: number;
  tuSon: number;
  preschool: number;
  primarySchool: number;
  childcareGroup: number;
}

export type DemoOrg = keyof DemoOrgs;

export interface DemoAccount {
  username: string;
  displayName: string;
  /** The first assignment's organisation is also the account's home organisation. */
  assignments: readonly { role: Role; org: DemoOrg }[];
}

/**
 * One account per role, scoped as the role works in practice: the school's staff and board at the
 * primary school, the commune's worker and chairperson at their ward, and so on. The supervisor also
 * works a commune caseload, to show switching the active role.
 */
export const DEMO_ACCOUNTS = [
  { username: 'giaovien', displayName: 'Nguyễn Thị Lan', assignments: [{ role: 'teacher', org: 'primarySchool' }] },
  { username: 'bgh', displayName: 'Trần Văn Hùng', assignments: [{ role: 'school_lead', org: 'primarySchool' }] },
  { username: 'tongdai111', displayName: 'Lê Thị Thu Hà', assignments: [{ role: 'hotline_operator', org: 'hotline' }] },
  { username: 'canboxa', displayName: 'Phạm Minh Tuấn', assignments: [{ role: 'commune_worker', org: 'kinhBac' }] },
  { username: 'chutichxa', displayName: 'Đỗ Văn Thành', assignments: [{ role: 'commune_chair', org: 'kinhBac' }] },
  { username: 'ctxh', displayName: 'Vũ Thị Mai', assignments: [{ role: 'social_worker', org: 'socialWorkCentre' }] },
  {
    username: 'giamsat',
    displayName: 'Hoàng Văn Nam',
    assignments: [
      { role: 'supervisor', org: 'province' },
      { role: 'commune_worker', org: 'kinhBac' },
    ],
  },
  { username: 'hoidong', displayName: 'Ngô Thị Hương', assignments: [{ role: 'board_viewer', org: 'primarySchool' }] },
  { username: 'quantri', displayName: 'Bùi Quang Minh', assignments: [{ role: 'admin', org: 'national' }] },
] as const satisfies readonly DemoAccount[];

export type DemoUsername = (typeof DEMO_ACCOUNTS)[number]['username'];

export interface DemoSeed {
  orgs: DemoOrgs;
  users: Record<DemoUsername, number>;
}

/**
 * The 2025 two-tier layout: ministry → province → wards and communes → schools. Names follow the
 * seed documents (independent private childcare groups near industrial zones, Tổng đài 111 under the
 * Ministry of Health since 2025).
 */
function seedOrganisations(db: Db): DemoOrgs {
  const add = (name: string, kind: OrgKind, parentId: number | null): number =>
    createOrganisation(db, SYSTEM_AUDIT_CONTEXT, { name, kind, parentId });
  const national = add('Bộ Y tế', 'national', null);
  const hotline = add('Tổng đài điện thoại quốc gia bảo vệ trẻ em 111', 'hotline', national);
  const province = add('Tỉnh Bắc Ninh', 'province', national);
  const socialWorkCentre = add('Trung tâm Công tác xã hội tỉnh Bắc Ninh', 'social_work_centre', province);
  const police = add('Công an tỉnh Bắc Ninh', 'police', province);
  const healthFacility = add('Bệnh viện Sản - Nhi tỉnh Bắc Ninh', 'health_facility', province);
  const kinhBac = add('Phường Kinh Bắc', 'commune', province);
  const voCuong = add('Phường Võ Cường', 'commune', province);
  const tienDu = add('Xã Tiên Du', 'commune', province);
  const tuSon = add('Phường Từ Sơn', 'commune', province);
  return {
    national,
    hotline,
    province,
    socialWorkCentre,
    police,
    healthFacility,
    kinhBac,
    voCuong,
    tienDu,
    tuSon,
    preschool: add('Trường Mầm non Hoa Sen', 'school', kinhBac),
    primarySchool: add('Trường Tiểu học Kinh Bắc', 'school', kinhBac),
    // Từ Sơn borders the VSIP industrial park, where such groups look after factory workers' children.
    childcareGroup: add('Nhóm trẻ độc lập tư thục Ánh Dương', 'childcare_group', tuSon),
  };
}

/** Seeds an empty, migrated database through the repositories, so closure rows and audit entries are as in real use. */
export async function seedDemo(db: Db): Promise<DemoSeed> {
  const orgs = seedOrganisations(db);
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const users = {} as Record<DemoUsername, number>;
  for (const account of DEMO_ACCOUNTS) {
    const assignments = account.assignments.map(({ role, org }) => ({ role, orgId: orgs[org] }));
    users[account.username] = createUser(db, SYSTEM_AUDIT_CONTEXT, {
      username: account.username,
      displayName: account.displayName,
      passwordHash,
      homeOrgId: orgs[account.assignments[0].org],
      assignments,
    });
  }
  seedDemoFlags(db, { schoolOrgId: orgs.primarySchool, teacherUserId: users.giaovien, level: 'primary', withFlags: true });
  seedDemoFlags(db, { schoolOrgId: orgs.preschool, teacherUserId: users.giaovien, level: 'preschool' });
  seedDemoIntakes(db, orgs, users.tongdai111);
  createDemoApiKey(db, orgs.hotline);
  // statistics (issue 5): 18 months of past cases through the real services, for the statistics pages.
  seedDemoHistory(db, orgs);
  // case search (issue 4): demo data written around the services is searchable too.
  rebuildSearchIndex(db);
  return { orgs, users };
}
