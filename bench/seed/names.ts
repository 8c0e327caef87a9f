/**
 * Vietnamese names with full diacritics, drawn with realistic frequencies: family names roughly as
 * in the population (Nguyễn about 38 %, then Trần, Lê, Phạm, Hoàng/Huỳnh ...), a middle name and a
 * given name by sex. Search folds them (src/text/fold.ts), so "Đặng Thị Ánh" must be findable as
 * "dang thi anh": the seed keeps every diacritic and the letter đ on purpose.
 */
import { pick, weighted, type Random } from './random.js';

const FAMILY_NAMES = weighted<string>([
  ['Nguyễn', 38.4],
  ['Trần', 12.1],
  ['Lê', 9.5],
  ['Phạm', 7.0],
  ['Hoàng', 3.4],
  ['Huỳnh', 1.7],
  ['Phan', 4.5],
  ['Vũ', 2.4],
  ['Võ', 1.5],
  ['Đặng', 2.1],
  ['Bùi', 2.0],
  ['Đỗ', 1.4],
  ['Hồ', 1.3],
  ['Ngô', 1.3],
  ['Dương', 1.0],
  ['Lý', 0.5],
  ['Đào', 0.6],
  ['Đinh', 0.6],
  ['Lâm', 0.4],
  ['Mai', 0.4],
  ['Trương', 0.6],
  ['Tạ', 0.3],
  ['Hà', 0.4],
  ['Lương', 0.3],
  ['Cao', 0.3],
  ['Quách', 0.2],
  ['Triệu', 0.2],
  ['Thạch', 0.2],
  ['Lò', 0.1],
  ['Giàng', 0.1],
]);

const MIDDLE_MALE = weighted<string>([
  ['Văn', 40],
  ['Minh', 12],
  ['Đức', 9],
  ['Quốc', 7],
  ['Hữu', 6],
  ['Thành', 5],
  ['Gia', 5],
  ['Anh', 4],
  ['Quang', 4],
  ['Hoàng', 3],
  ['Trọng', 3],
  ['Xuân', 2],
]);

const MIDDLE_FEMALE = weighted<string>([
  ['Thị', 45],
  ['Ngọc', 10],
  ['Thu', 6],
  ['Thanh', 6],
  ['Phương', 5],
  ['Bảo', 5],
  ['Khánh', 4],
  ['Minh', 4],
  ['Mai', 3],
  ['Hồng', 3],
  ['Kim', 3],
  ['Diệu', 2],
]);

const GIVEN_MALE = [
  'An', 'Bảo', 'Bình', 'Cường', 'Dũng', 'Đạt', 'Đức', 'Duy', 'Hải', 'Hiếu', 'Hoàng', 'Hùng', 'Huy', 'Khang', 'Khánh',
  'Khoa', 'Kiên', 'Lâm', 'Long', 'Lộc', 'Mạnh', 'Minh', 'Nam', 'Nghĩa', 'Nhân', 'Phát', 'Phong', 'Phúc', 'Quân',
  'Quang', 'Sơn', 'Tài', 'Tâm', 'Thắng', 'Thành', 'Thiện', 'Thịnh', 'Tiến', 'Toàn', 'Trí', 'Trung', 'Tuấn', 'Tùng',
  'Việt', 'Vinh', 'Vũ', 'Đông', 'Hưng', 'Kiệt', 'Lực',
] as const;

const GIVEN_FEMALE = [
  'Anh', 'Ánh', 'Châu', 'Chi', 'Diệp', 'Dung', 'Duyên', 'Giang', 'Hà', 'Hân', 'Hạnh', 'Hằng', 'Hiền', 'Hoa', 'Hồng',
  'Huyền', 'Hương', 'Lan', 'Linh', 'Loan', 'Ly', 'Mai', 'My', 'Nga', 'Ngân', 'Ngọc', 'Nhi', 'Nhung', 'Oanh',
  'Phương', 'Quỳnh', 'Tâm', 'Thảo', 'Thư', 'Thủy', 'Trang', 'Trâm', 'Tuyết', 'Uyên', 'Vân', 'Vy', 'Xuân', 'Yến',
  'Đào', 'Ánh Dương', 'Bích',
] as const;

export function vietnameseName(rnd: Random, sex: 'male' | 'female'): string {
  const family = FAMILY_NAMES.draw(rnd);
  return sex === 'male'
    ? `${family} ${MIDDLE_MALE.draw(rnd)} ${pick(rnd, GIVEN_MALE)}`
    : `${family} ${MIDDLE_FEMALE.draw(rnd)} ${pick(rnd, GIVEN_FEMALE)}`;
}

const PLACE_FIRST = [
  'An', 'Tân', 'Hòa', 'Phú', 'Phước', 'Long', 'Bình', 'Thạnh', 'Đông', 'Tây', 'Nam', 'Bắc', 'Hưng', 'Vĩnh', 'Thanh',
  'Xuân', 'Trung', 'Quang', 'Đại', 'Minh', 'Hiệp', 'Thuận', 'Mỹ', 'Đức', 'Hồng', 'Kim', 'Ngọc', 'Cẩm', 'Yên', 'Thái',
] as const;
const PLACE_SECOND = [
  'Bình', 'Lợi', 'Phú', 'Hòa', 'Thịnh', 'Lộc', 'Hưng', 'Thành', 'An', 'Phong', 'Sơn', 'Hà', 'Lâm', 'Khánh', 'Tiến',
  'Mỹ', 'Điền', 'Hải', 'Giang', 'Lạc', 'Thủy', 'Vinh', 'Định', 'Xuân', 'Trạch', 'Dương', 'Nghĩa', 'Đông', 'Tân', 'Hiệp',
] as const;

/** A commune's or ward's name ("Tân Phong", "Hòa Lợi"); names repeat across provinces, as they do. */
export function placeName(rnd: Random): string {
  let second: string = pick(rnd, PLACE_SECOND);
  const first: string = pick(rnd, PLACE_FIRST);
  if (second === first) second = 'Thượng';
  return `${first} ${second}`;
}
