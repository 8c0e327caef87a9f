import { appendAudit, SYSTEM_AUDIT_CONTEXT } from '../audit/log.js';
import { dateKeyInVietnam } from '../calendar/working-days.js';
import { insertPupil, type Sex } from '../children/repository.js';
import { writeTransaction, type Db } from '../db/client.js';
import type { BodyMark } from './body-map.js';
import { createFlag } from './service.js';

interface DemoPupil {
  fullName: string;
  className: string;
  sex: Sex;
  age: number;
  /** Month and day of birth; without it only the age is known, as happens for pupils who moved in. */
  birthday?: string;
}

const PRIMARY_PUPILS: readonly DemoPupil[] = [
  { fullName: 'Nguyễn Văn An', className: '1A', sex: 'male', age: 6, birthday: '03-14' },
  { fullName: 'Trần Thị Bích Ngọc', className: '1A', sex: 'female', age: 6, birthday: '09-02' },
  { fullName: 'Lê Minh Khang', className: '1B', sex: 'male', age: 7, birthday: '01-25' },
  { fullName: 'Phạm Gia Hân', className: '2A', sex: 'female', age: 7, birthday: '11-30' },
  { fullName: 'Hoàng Đức Anh', className: '2A', sex: 'male', age: 8, birthday: '06-08' },
  { fullName: 'Vũ Thị Thu Trang', className: '2B', sex: 'female', age: 8, birthday: '04-19' },
  { fullName: 'Đặng Quốc Bảo', className: '3A', sex: 'male', age: 9, birthday: '07-07' },
  { fullName: 'Bùi Ngọc Diệp', className: '3A', sex: 'female', age: 9, birthday: '12-12' },
  { fullName: 'Đỗ Văn Hùng', className: '4A', sex: 'male', age: 10, birthday: '02-21' },
  { fullName: 'Ngô Thị Mai Linh', className: '4B', sex: 'female', age: 10, birthday: '08-15' },
  { fullName: 'Dương Tuấn Kiệt', className: '5A', sex: 'male', age: 11 },
  { fullName: 'Lý Thị Hồng Nhung', className: '5A', sex: 'female', age: 11, birthday: '05-01' },
];

const PRESCHOOL_PUPILS: readonly DemoPupil[] = [
  { fullName: 'Nguyễn Bảo Ngọc', className: 'Nhóm trẻ 24–36 tháng', sex: 'female', age: 2, birthday: '10-10' },
  { fullName: 'Trần Gia Huy', className: 'Nhóm trẻ 24–36 tháng', sex: 'male', age: 2 },
  { fullName: 'Lê Thị Khánh Vy', className: 'Lớp Mầm', sex: 'female', age: 3, birthday: '02-14' },
  { fullName: 'Phạm Minh Quân', className: 'Lớp Mầm', sex: 'male', age: 3, birthday: '06-21' },
  { fullName: 'Hoàng Tú Anh', className: 'Lớp Mầm', sex: 'female', age: 3, birthday: '12-03' },
  { fullName: 'Vũ Đức Thịnh', className: 'Lớp Chồi', sex: 'male', age: 4, birthday: '03-30' },
  { fullName: 'Đặng Ngọc Hà', className: 'Lớp Chồi', sex: 'female', age: 4, birthday: '07-18' },
  { fullName: 'Bùi Hải Đăng', className: 'Lớp Chồi', sex: 'male', age: 4 },
  { fullName: 'Đỗ Thị Minh Thư', className: 'Lớp Lá', sex: 'female', age: 5, birthday: '01-09' },
  { fullName: 'Ngô Quang Vinh', className: 'Lớp Lá', sex: 'male', age: 5, birthday: '09-27' },
  { fullName: 'Dương Bảo Châu', className: 'Lớp Lá', sex: 'female', age: 5, birthday: '05-05' },
  { fullName: 'Lý Gia Bảo', className: 'Lớp Lá', sex: 'male', age: 5, birthday: '11-11' },
];

interface DemoFlag {
  pupil: string;
  daysAgo: number;
  categories: readonly string[];
  description: string;
  immediateDanger: boolean;
  bodyMap: BodyMark[];
}

const PRIMARY_FLAGS: readonly DemoFlag[] = [
  {
    pupil: 'Đỗ Văn Hùng',
    daysAgo: 1,
    categories: ['abuse_violence_physical'],
    description:
      'Sáng nay em Hùng đến lớp có nhiều vết bầm tím ở cẳng tay trái và ở lưng. Khi cô hỏi em có đau không, em nói: "Bố đánh con vì con làm đổ cơm." Giờ ra chơi em ngồi một mình trong lớp, không muốn ra sân.',
    immediateDanger: false,
    bodyMap: [
      { region: 'front_forearm_left', note: 'Vết bầm tím dài khoảng 5 cm' },
      { region: 'back_upper_back', note: 'Nhiều vệt bầm song song' },
    ],
  },
  {
    pupil: 'Dương Tuấn Kiệt',
    daysAgo: 0,
    categories: ['abuse_exploitation_labour', 'cl_under_13_not_permitted'],
    description:
      'Em Kiệt nghỉ học 6 buổi trong 2 tuần gần đây. Bạn cùng lớp kể em đi phụ bốc vác ở chợ đầu mối từ 3 giờ sáng. Những hôm đi học em ngủ gục trong lớp và nói "nhà cần tiền".',
    immediateDanger: false,
    bodyMap: [],
  },
];

const PRESCHOOL_FLAGS: readonly DemoFlag[] = [
  {
    pupil: 'Vũ Đức Thịnh',
    daysAgo: 0,
    categories: ['abuse_neglect'],
    description:
      'Cháu Thịnh nhiều ngày liền đến lớp với quần áo bẩn, ăn rất vội như đói lâu. Người đón cháu mỗi ngày một người khác nhau; hôm qua 18 giờ 30 vẫn chưa có ai đến đón.',
    immediateDanger: false,
    bodyMap: [],
  },
];

/** A birth date that keeps the pupil at the given age today, so the demo never ages. */
function birthDateFor(pupil: DemoPupil, now: Date): string | null {
  if (!pupil.birthday) return null;
  const today = dateKeyInVietnam(now);
  const year = Number(today.slice(0, 4)) - pupil.age - (pupil.birthday > today.slice(5) ? 1 : 0);
  return `${year}-${pupil.birthday}`;
}

export interface DemoFlagOptions {
  schoolOrgId: number;
  teacherUserId: number;
  /** Preschools (trường mầm non, nhóm trẻ) get nursery classes; primary schools get 1A to 5A. */
  level?: 'primary' | 'preschool';
  /** Also raise a flag or two from the teacher, waiting in the school lead's queue. */
  withFlags?: boolean;
}

/** Fills a school's roster with made-up pupils and, optionally, a couple of realistic concerns. */
export function seedDemoFlags(db: Db, options: DemoFlagOptions, now: Date = new Date()): { childIds: number[]; flagIds: number[] } {
  const preschool = options.level === 'preschool';
  const pupils = preschool ? PRESCHOOL_PUPILS : PRIMARY_PUPILS;
  const ids = new Map<string, number>();
  writeTransaction(db, (tx) => {
    for (const pupil of pupils) {
      const birthDate = birthDateFor(pupil, now);
      const id = insertPupil(
        tx,
        {
          fullName: pupil.fullName,
          birthDate,
          estimatedAge: birthDate ? null : pupil.age,
          sex: pupil.sex,
          className: pupil.className,
          schoolOrgId: options.schoolOrgId,
          createdBy: options.teacherUserId,
        },
        now,
      );
      appendAudit(tx, SYSTEM_AUDIT_CONTEXT, { action: 'child.create', entityType: 'child', entityId: id });
      ids.set(pupil.fullName, id);
    }
  });
  const flagIds = (options.withFlags ? (preschool ? PRESCHOOL_FLAGS : PRIMARY_FLAGS) : []).map((flag) => {
    const childId = ids.get(flag.pupil);
    if (childId === undefined) throw new Error(`demo flag names a pupil not on the demo roster: ${flag.pupil}`);
    return createFlag(
      db,
      { userId: options.teacherUserId, audit: { ...SYSTEM_AUDIT_CONTEXT, actorUserId: options.teacherUserId, actorRole: 'teacher', actorOrgId: options.schoolOrgId } },
      {
        schoolOrgId: options.schoolOrgId,
        pupil: { id: childId },
        categories: flag.categories,
        description: flag.description,
        immediateDanger: flag.immediateDanger,
        bodyMap: flag.bodyMap,
      },
      new Date(now.getTime() - flag.daysAgo * 86_400_000 - 3 * 3_600_000),
    );
  });
  return { childIds: [...ids.values()], flagIds };
}
