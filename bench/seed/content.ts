/**
 * The made-up words of a seeded case: what the reporter said, the child's condition, who reported.
 * A few dozen sentences reused across a million cases; made up, never taken from real reports.
 */
import type { TaxonomyGroupKind } from '../../src/taxonomy/seed-data.js';
import { between, pick, type Random } from './random.js';
import { vietnameseName } from './names.js';

const DESCRIPTIONS: Record<TaxonomyGroupKind, readonly string[]> = {
  abuse: [
    'Hàng xóm phản ánh trẻ thường xuyên bị bố đánh sau khi uống rượu, trên tay có vết bầm tím.',
    'Giáo viên chủ nhiệm phát hiện trẻ có nhiều vết thương cũ ở lưng, trẻ sợ hãi khi nhắc đến người giám hộ.',
    'Trẻ bị bỏ mặc ở nhà một mình nhiều ngày, thiếu ăn, không được đưa đến trường.',
    'Người dân báo tin trẻ bị mắng chửi, đe dọa và đuổi ra khỏi nhà vào ban đêm.',
    'Trẻ kể với bạn cùng lớp về việc bị một người quen của gia đình có hành vi sàm sỡ.',
    'Trẻ bị người lạ dụ dỗ đi làm xa nhà, gia đình mất liên lạc hai ngày.',
  ],
  child_labour: [
    'Trẻ 12 tuổi làm việc tại xưởng may từ sáng đến tối, nghỉ học từ đầu năm học.',
    'Trẻ phụ bán hàng tại quán karaoke đến khuya, chủ quán không ký hợp đồng.',
    'Trẻ bốc vác tại chợ đầu mối vào ban đêm, thường xuyên mang vác nặng quá sức.',
  ],
  special_circumstances: [
    'Trẻ mồ côi mẹ, bố đi làm ăn xa, hiện ở với bà ngoại già yếu không đủ khả năng chăm sóc.',
    'Trẻ khuyết tật vận động, gia đình khó khăn, chưa được hưởng trợ cấp xã hội.',
    'Trẻ bỏ học, thường xuyên tụ tập với nhóm thanh niên lớn tuổi và có dấu hiệu sử dụng chất kích thích.',
    'Trẻ mắc bệnh hiểm nghèo, gia đình không đủ chi phí điều trị dài ngày.',
    'Gia đình di cư từ tỉnh khác đến làm công nhân, trẻ chưa có giấy khai sinh và chưa đi học.',
  ],
};

const CONDITIONS = [
  'Trẻ tỉnh táo, có vết bầm ở tay và lưng, sợ hãi.',
  'Trẻ gầy yếu, mệt mỏi, ít nói.',
  'Trẻ khỏe mạnh nhưng lo lắng, không muốn về nhà.',
  'Trẻ đang ở nhà người thân, tạm thời an toàn.',
  'Trẻ có biểu hiện trầm cảm, học tập sa sút.',
  'Chưa rõ, cần xác minh trực tiếp.',
] as const;

const RELATIONS = ['Hàng xóm', 'Giáo viên', 'Người thân', 'Mẹ của trẻ', 'Bố của trẻ', 'Trưởng thôn', 'Bạn của trẻ'] as const;

export interface ReportText {
  description: string;
  condition: string;
}

export function reportText(rnd: Random, group: TaxonomyGroupKind): ReportText {
  return { description: pick(rnd, DESCRIPTIONS[group]), condition: pick(rnd, CONDITIONS) };
}

export interface Reporter {
  consented: boolean;
  relation: string | null;
  name: string | null;
  phone: string | null;
}

/** Without consent the reporter stays anonymous, as the intake service keeps them. */
export function reporterOf(rnd: Random): Reporter {
  const relation = rnd() < 0.8 ? pick(rnd, RELATIONS) : null;
  if (rnd() >= 0.4) return { consented: false, relation, name: null, phone: null };
  return {
    consented: true,
    relation,
    name: vietnameseName(rnd, rnd() < 0.6 ? 'female' : 'male'),
    phone: `09${String(between(rnd, 0, 99_999_999)).padStart(8, '0')}`,
  };
}
