/**
 * The demo organisation tree at national scale: the ministry with the 111 hotline, the 63 provinces
 * (before the 2025 merger) each with its social work centre, police and children's hospital, about
 * ten thousand communes and wards shared out by population, and schools in every commune. Each
 * node's closure rows are made by the same statement as the repository's insertOrganisation, on a
 * statement prepared once (drizzle prepares per call: seconds, for forty thousand organisations).
 */
import { writeTransaction, type Db } from '../../src/db/client.js';
import type { OrgKind } from '../../src/orgs/schema.js';
import { placeName } from './names.js';
import type { Random } from './random.js';

/** Name and population (millions, 2019 census): the population shares out communes and cases. */
const PROVINCES: readonly (readonly [string, number])[] = [
  ['Thành phố Hồ Chí Minh', 8.99], ['Thành phố Hà Nội', 8.05], ['Thành phố Hải Phòng', 2.03], ['Thành phố Đà Nẵng', 1.13],
  ['Thành phố Cần Thơ', 1.24], ['Tỉnh An Giang', 1.91], ['Tỉnh Bà Rịa - Vũng Tàu', 1.15], ['Tỉnh Bắc Giang', 1.8],
  ['Tỉnh Bắc Kạn', 0.31], ['Tỉnh Bạc Liêu', 0.91], ['Tỉnh Bắc Ninh', 1.37], ['Tỉnh Bến Tre', 1.29], ['Tỉnh Bình Định', 1.49],
  ['Tỉnh Bình Dương', 2.43], ['Tỉnh Bình Phước', 0.99], ['Tỉnh Bình Thuận', 1.23], ['Tỉnh Cà Mau', 1.19], ['Tỉnh Cao Bằng', 0.53],
  ['Tỉnh Đắk Lắk', 1.87], ['Tỉnh Đắk Nông', 0.62], ['Tỉnh Điện Biên', 0.6], ['Tỉnh Đồng Nai', 3.1], ['Tỉnh Đồng Tháp', 1.6],
  ['Tỉnh Gia Lai', 1.51], ['Tỉnh Hà Giang', 0.85], ['Tỉnh Hà Nam', 0.85], ['Tỉnh Hà Tĩnh', 1.29], ['Tỉnh Hải Dương', 1.89],
  ['Tỉnh Hậu Giang', 0.73], ['Tỉnh Hòa Bình', 0.85], ['Tỉnh Hưng Yên', 1.25], ['Tỉnh Khánh Hòa', 1.23], ['Tỉnh Kiên Giang', 1.72],
  ['Tỉnh Kon Tum', 0.54], ['Tỉnh Lai Châu', 0.46], ['Tỉnh Lâm Đồng', 1.3], ['Tỉnh Lạng Sơn', 0.78], ['Tỉnh Lào Cai', 0.73],
  ['Tỉnh Long An', 1.69], ['Tỉnh Nam Định', 1.78], ['Tỉnh Nghệ An', 3.33], ['Tỉnh Ninh Bình', 0.98], ['Tỉnh Ninh Thuận', 0.59],
  ['Tỉnh Phú Thọ', 1.46], ['Tỉnh Phú Yên', 0.87], ['Tỉnh Quảng Bình', 0.9], ['Tỉnh Quảng Nam', 1.5], ['Tỉnh Quảng Ngãi', 1.23],
  ['Tỉnh Quảng Ninh', 1.32], ['Tỉnh Quảng Trị', 0.63], ['Tỉnh Sóc Trăng', 1.2], ['Tỉnh Sơn La', 1.25], ['Tỉnh Tây Ninh', 1.17],
  ['Tỉnh Thái Bình', 1.86], ['Tỉnh Thái Nguyên', 1.29], ['Tỉnh Thanh Hóa', 3.64], ['Tỉnh Thừa Thiên Huế', 1.13],
  ['Tỉnh Tiền Giang', 1.76], ['Tỉnh Trà Vinh', 1.01], ['Tỉnh Tuyên Quang', 0.78], ['Tỉnh Vĩnh Long', 1.02], ['Tỉnh Vĩnh Phúc', 1.15],
  ['Tỉnh Yên Bái', 0.82],
];

const SCHOOL_KINDS = ['Trường Mầm non', 'Trường Tiểu học', 'Trường THCS', 'Trường THPT'] as const;

export interface CommuneNode {
  id: number;
  name: string;
  provinceId: number;
  schools: number[];
  /** Its share of the country's reports (population, and a busy ward draws more). */
  weight: number;
}

export interface ProvinceNode {
  id: number;
  name: string;
  socialWorkCentre: number;
  police: number;
  healthFacility: number;
  communes: CommuneNode[];
}

export interface NationalTree {
  national: number;
  hotline: number;
  provinces: ProvinceNode[];
  communes: CommuneNode[];
  /**
   * The benchmark's commune: a large city ward, so its worker's caseload and triage queue are as
   * long as the busiest real ones (about 0.2 % of the country's reports).
   */
  benchCommune: CommuneNode;
  /** Every organisation in the order it was created (for the audit entries of a real setup). */
  created: number[];
}

export interface TreeOptions {
  /** About this many communes and wards in all (default 10,000, as before the 2025 merger). */
  communes?: number;
  schoolsPerCommune?: number;
}

/** A log-normal factor with median 1: a few wards much busier than most communes. */
function spread(rnd: Random): number {
  const u = Math.max(rnd(), 1e-9);
  const v = rnd();
  return Math.exp(0.5 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
}

export function seedNationalTree(db: Db, rnd: Random, options: TreeOptions = {}, createdAt = new Date().toISOString()): NationalTree {
  const totalCommunes = options.communes ?? 10_000;
  const schoolsPerCommune = options.schoolsPerCommune ?? 3;
  // Rural provinces have many small communes: communes grow slower than population.
  const sizes = PROVINCES.map(([, population]) => Math.pow(population, 0.7));
  const sizeTotal = sizes.reduce((sum, s) => sum + s, 0);
  const populationTotal = PROVINCES.reduce((sum, [, population]) => sum + population, 0);
  const organisation = db.$client.prepare('INSERT INTO organisations (name, kind, parent_id, created_at) VALUES (?, ?, ?, ?)');
  // src/orgs/repository.ts insertOrganisation: the parent's ancestors one level further, and the node itself.
  const closure = db.$client.prepare(`
    INSERT INTO org_closure (ancestor_id, descendant_id, depth)
    SELECT ancestor_id, ?, depth + 1 FROM org_closure WHERE descendant_id = ?
    UNION ALL SELECT ?, ?, 0`);
  return writeTransaction(db, () => {
    const created: number[] = [];
    const add = (name: string, kind: OrgKind, parentId: number | null): number => {
      const id = Number(organisation.run(name, kind, parentId, createdAt).lastInsertRowid);
      closure.run(id, parentId, id, id);
      created.push(id);
      return id;
    };
    const national = add('Bộ Y tế', 'national', null);
    const hotline = add('Tổng đài điện thoại quốc gia bảo vệ trẻ em 111', 'hotline', national);
    const communes: CommuneNode[] = [];
    const provinces = PROVINCES.map(([name, population], p): ProvinceNode => {
      const id = add(name, 'province', national);
      const short = name.replace(/^(Tỉnh|Thành phố) /, '');
      const city = name.startsWith('Thành phố');
      const province: ProvinceNode = {
        id,
        name,
        socialWorkCentre: add(`Trung tâm Công tác xã hội ${short}`, 'social_work_centre', id),
        police: add(`Công an ${city ? 'thành phố' : 'tỉnh'} ${short}`, 'police', id),
        healthFacility: add(`Bệnh viện Sản - Nhi ${short}`, 'health_facility', id),
        communes: [],
      };
      const count = Math.max(2, Math.round((totalCommunes * (sizes[p] as number)) / sizeTotal));
      for (let c = 0; c < count; c += 1) {
        const place = placeName(rnd);
        const ward = rnd() < (city ? 0.7 : 0.12);
        const communeId = add(`${ward ? 'Phường' : 'Xã'} ${place}`, 'commune', id);
        const schools = Array.from({ length: schoolsPerCommune }, (_, s) => add(`${SCHOOL_KINDS[s % SCHOOL_KINDS.length] ?? 'Trường'} ${place}`, 'school', communeId));
        const commune: CommuneNode = { id: communeId, name: `${ward ? 'Phường' : 'Xã'} ${place}`, provinceId: id, schools, weight: ((population / populationTotal) * spread(rnd)) / count };
        province.communes.push(commune);
        communes.push(commune);
      }
      return province;
    });
    const benchCommune = provinces[0]?.communes[0];
    if (!benchCommune) throw new Error('empty tree');
    const weightTotal = communes.reduce((sum, commune) => sum + commune.weight, 0);
    benchCommune.weight = weightTotal * 0.002;
    return { national, hotline, provinces, communes, benchCommune, created };
  });
}
