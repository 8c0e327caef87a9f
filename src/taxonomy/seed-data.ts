/**
 * The concern taxonomy as first loaded into the database. After seeding, the table is the truth:
 * an administrator edits names and adds codes there, so nothing may branch on these values in code
 * except through the `sensitive` flag.
 *
 * Two levels: a group and its sub-codes. Codes are lowercase snake_case, unique across the whole
 * list (sub-codes included), and never reused, because concerns keep the code they were given.
 */

export type TaxonomyGroupKind = 'abuse' | 'child_labour' | 'special_circumstances';

export interface TaxonomySeedItem {
  readonly code: string;
  readonly name_vi: string;
  readonly name_en: string;
  /**
   * Concerns carrying this code take the restricted path. Set on each row rather than inherited
   * from the group, because an administrator edits rows one by one.
   */
  readonly sensitive?: boolean;
}

export interface TaxonomySeedGroup extends TaxonomySeedItem {
  readonly group: TaxonomyGroupKind;
  readonly children?: readonly TaxonomySeedItem[];
}

// Forms of abuse: Law on Children 2016, Art. 4.5 lists them; Art. 4.6–4.8 define violence,
// exploitation and sexual abuse, and the sub-codes below follow those definitions.
const ABUSE: readonly TaxonomySeedGroup[] = [
  {
    code: 'abuse_violence',
    group: 'abuse',
    name_vi: 'Bạo lực',
    name_en: 'Violence',
    children: [
      {
        code: 'abuse_violence_physical',
        name_vi: 'Bạo lực thể chất: hành hạ, ngược đãi, đánh đập, xâm hại thân thể, sức khỏe',
        name_en: 'Physical violence: ill-treatment, beating, harm to the body or health',
      },
      {
        code: 'abuse_violence_emotional',
        name_vi: 'Bạo lực tinh thần: lăng mạ, xúc phạm danh dự, nhân phẩm, cô lập, xua đuổi',
        name_en: 'Emotional or psychological violence: insults, humiliation, isolation, rejection',
      },
    ],
  },
  {
    code: 'abuse_exploitation',
    group: 'abuse',
    name_vi: 'Bóc lột',
    name_en: 'Exploitation',
    children: [
      {
        // The child-labour group below says in what way the work breaks the Labour Code.
        code: 'abuse_exploitation_labour',
        name_vi: 'Bắt trẻ em lao động trái quy định của pháp luật về lao động',
        name_en: 'Making a child work in breach of labour law',
      },
      {
        code: 'abuse_exploitation_sexual',
        name_vi: 'Bóc lột tình dục: sản phẩm khiêu dâm, mại dâm, du lịch nhằm xâm hại tình dục trẻ em',
        name_en: 'Sexual exploitation: pornography, prostitution, travel for the sexual abuse of children',
        sensitive: true,
      },
      {
        code: 'abuse_exploitation_other',
        name_vi: 'Sử dụng trẻ em để trục lợi dưới hình thức khác',
        name_en: 'Other use of a child for profit',
      },
    ],
  },
  {
    // No sub-codes: which offence it was (rape, indecent acts, …) is for the investigation, not
    // for the person reporting; the special-circumstances group l) records it once established.
    code: 'abuse_sexual',
    group: 'abuse',
    name_vi: 'Xâm hại tình dục',
    name_en: 'Sexual abuse',
    sensitive: true,
  },
  {
    code: 'abuse_trafficking',
    group: 'abuse',
    name_vi: 'Mua bán trẻ em',
    name_en: 'Child trafficking',
  },
  {
    code: 'abuse_abandonment_neglect',
    group: 'abuse',
    name_vi: 'Bỏ rơi, bỏ mặc',
    name_en: 'Abandonment and neglect',
    children: [
      { code: 'abuse_abandonment', name_vi: 'Bỏ rơi trẻ em', name_en: 'Abandonment' },
      {
        code: 'abuse_neglect',
        name_vi: 'Bỏ mặc: không chăm sóc, nuôi dưỡng trẻ em đầy đủ',
        name_en: 'Neglect: the child is not properly cared for or provided for',
      },
    ],
  },
  {
    code: 'abuse_other',
    group: 'abuse',
    name_vi: 'Hình thức gây tổn hại khác',
    name_en: 'Other harm',
  },
  {
    // Says who is accused, not what happened, so a concern carries it next to a form of abuse.
    // Sensitive because the accused may work beside the people who would otherwise see the case.
    code: 'abuse_institutional',
    group: 'abuse',
    name_vi: 'Người bị tố cáo là cán bộ, giáo viên, người chăm sóc của cơ sở',
    name_en: 'The accused is a staff member, teacher or carer of a school or childcare facility',
    sensitive: true,
  },
];

// Labour Code 2019, Art. 143–147: under 13, only listed arts and sports work, with the provincial
// labour body's consent; 13 to under 15, only listed light work; under 15, at most 4 h/day and
// 20 h/week, no overtime or night work, and 15 to under 18 at most 8 h/day and 40 h/week (Art. 146);
// under 18, never the work or workplaces of Art. 147. Young people of 16 and 17 are not "children"
// under the Law on Children, but their work is reported and followed up the same way.
const CHILD_LABOUR: readonly TaxonomySeedGroup[] = [
  {
    code: 'cl_under_13',
    group: 'child_labour',
    name_vi: 'Người chưa đủ 13 tuổi làm việc',
    name_en: 'Work by a child under 13',
    children: [
      {
        code: 'cl_under_13_not_permitted',
        name_vi: 'Làm công việc ngoài danh mục nghệ thuật, thể dục, thể thao được phép',
        name_en: 'Work outside the permitted list of arts and sports work',
      },
      {
        code: 'cl_under_13_no_consent',
        name_vi:
          'Làm công việc nghệ thuật, thể dục, thể thao khi chưa có sự đồng ý của cơ quan chuyên môn về lao động cấp tỉnh',
        name_en: 'Arts or sports work without the consent of the provincial labour authority',
      },
    ],
  },
  {
    code: 'cl_13_to_15',
    group: 'child_labour',
    name_vi: 'Người từ đủ 13 đến chưa đủ 15 tuổi làm việc trái quy định',
    name_en: 'Unlawful work by a child aged 13 to under 15',
    children: [
      {
        code: 'cl_13_to_15_not_light_work',
        name_vi: 'Làm công việc ngoài danh mục công việc nhẹ',
        name_en: 'Work outside the list of light work',
      },
      {
        code: 'cl_13_to_15_excess_hours',
        name_vi: 'Làm quá 4 giờ một ngày hoặc 20 giờ một tuần, làm thêm giờ hoặc làm việc ban đêm',
        name_en: 'More than 4 hours a day or 20 hours a week, overtime or night work',
      },
    ],
  },
  {
    code: 'cl_15_to_18',
    group: 'child_labour',
    name_vi: 'Người từ đủ 15 đến chưa đủ 18 tuổi làm việc trái quy định',
    name_en: 'Unlawful work by a young person aged 15 to under 18',
    children: [
      {
        code: 'cl_15_to_18_prohibited_work',
        name_vi:
          'Làm công việc bị cấm (Điều 147 khoản 1): mang vác nặng quá sức, tiếp xúc hóa chất, phá dỡ công trình…',
        name_en: 'Prohibited work (Art. 147.1): heavy lifting, handling chemicals, demolition…',
      },
      {
        code: 'cl_15_to_18_prohibited_workplace',
        name_vi:
          'Làm việc tại nơi bị cấm (Điều 147 khoản 2): dưới lòng đất, công trường xây dựng, cơ sở giết mổ, quán bar, karaoke…',
        name_en:
          'Prohibited workplace (Art. 147.2): underground, construction sites, slaughterhouses, bars, karaoke…',
      },
      {
        code: 'cl_15_to_18_excess_hours',
        name_vi: 'Làm quá 8 giờ một ngày hoặc 40 giờ một tuần',
        name_en: 'More than 8 hours a day or 40 hours a week',
      },
    ],
  },
  {
    // ILO Convention 182, which Viet Nam ratified in 2000.
    code: 'cl_worst_forms',
    group: 'child_labour',
    name_vi:
      'Hình thức lao động trẻ em tồi tệ nhất: cưỡng bức lao động, lao động gán nợ, sử dụng vào hoạt động bất hợp pháp',
    name_en: 'Worst forms of child labour: forced or bonded labour, use in illegal activities',
  },
];

// Law on Children 2016, Art. 10.1; the code carries the clause letter ('dd' for đ). Where the
// sub-groups come from:
// - a), b), c), l): Decree 56/2017/NĐ-CP as published in legal guidance (check against the official
//   text before go-live). For c) only four of its cases could be confirmed; rather than guess the
//   wording of the others, 'sc_c_other' keeps them recordable until an administrator splits it.
// - d): the three degrees of disability of the Law on Persons with Disabilities 2010, Art. 3,
//   which the commune already certifies.
// - k): the definition of exploitation, Law on Children Art. 4.7.
// - i), n), o): the Law's own wording, split where it joins two cases.
// - đ), e), g), h), m): no sub-groups, because their Decree 56 wording could not be verified.
const SPECIAL_CIRCUMSTANCES: readonly TaxonomySeedGroup[] = [
  {
    code: 'sc_a',
    group: 'special_circumstances',
    name_vi: 'Trẻ em mồ côi cả cha và mẹ',
    name_en: 'Orphaned of both parents',
    children: [
      {
        code: 'sc_a_no_caregiver',
        name_vi: 'Trẻ em mồ côi cả cha và mẹ không có người chăm sóc',
        name_en: 'Orphaned of both parents, with no caregiver',
      },
      {
        code: 'sc_a_in_facility',
        name_vi:
          'Trẻ em mồ côi cả cha và mẹ được nuôi dưỡng trong cơ sở cung cấp dịch vụ bảo vệ trẻ em hoặc cơ sở trợ giúp xã hội',
        name_en: 'Orphaned of both parents, cared for in a child protection or social assistance facility',
      },
      {
        code: 'sc_a_with_relatives',
        name_vi: 'Trẻ em mồ côi cả cha và mẹ sống với người thân thích',
        name_en: 'Orphaned of both parents, living with relatives',
      },
      {
        code: 'sc_a_alternative_care',
        name_vi:
          'Trẻ em mồ côi cả cha và mẹ được nhận chăm sóc thay thế bởi cá nhân, gia đình không phải người thân thích, trừ trường hợp được nhận làm con nuôi',
        name_en:
          'Orphaned of both parents, in alternative care with a person or family who are not relatives (adoption excluded)',
      },
    ],
  },
  {
    code: 'sc_b',
    group: 'special_circumstances',
    name_vi: 'Trẻ em bị bỏ rơi',
    name_en: 'Abandoned',
    children: [
      {
        code: 'sc_b_no_alternative_care',
        name_vi: 'Trẻ em bị bỏ rơi chưa được chăm sóc thay thế',
        name_en: 'Abandoned, not yet in alternative care',
      },
      {
        code: 'sc_b_alternative_care',
        name_vi: 'Trẻ em bị bỏ rơi được chăm sóc thay thế',
        name_en: 'Abandoned, in alternative care',
      },
    ],
  },
  {
    code: 'sc_c',
    group: 'special_circumstances',
    name_vi: 'Trẻ em không nơi nương tựa',
    name_en: 'With no one to rely on',
    children: [
      {
        code: 'sc_c_orphan_other_parent_missing',
        name_vi: 'Trẻ em mồ côi cha hoặc mẹ và người còn lại mất tích theo quy định của pháp luật',
        name_en: 'One parent has died and the other has been declared missing',
      },
      {
        code: 'sc_c_orphan_other_parent_unable',
        name_vi:
          'Trẻ em mồ côi cha hoặc mẹ và người còn lại đang được nuôi dưỡng tại cơ sở trợ giúp xã hội hoặc không còn khả năng chăm sóc, nuôi dưỡng',
        name_en:
          'One parent has died and the other lives in a social assistance facility or can no longer provide care',
      },
      {
        code: 'sc_c_orphan_other_parent_detained',
        name_vi:
          'Trẻ em mồ côi cha hoặc mẹ và người còn lại đang chấp hành án phạt tù hoặc đang ở cơ sở giáo dục bắt buộc, cơ sở cai nghiện bắt buộc',
        name_en:
          'One parent has died and the other is in prison or held in a compulsory education or drug rehabilitation facility',
      },
      {
        code: 'sc_c_both_parents_missing',
        name_vi: 'Trẻ em có cả cha và mẹ mất tích theo quy định của pháp luật',
        name_en: 'Both parents have been declared missing',
      },
      {
        code: 'sc_c_other',
        name_vi:
          'Trường hợp khác: cha, mẹ mất tích, không còn khả năng nuôi dưỡng, đang chấp hành án phạt tù hoặc ở cơ sở bắt buộc',
        name_en:
          'Other cases of parents missing, unable to provide care, in prison or held in a compulsory facility',
      },
    ],
  },
  {
    code: 'sc_d',
    group: 'special_circumstances',
    name_vi: 'Trẻ em khuyết tật',
    name_en: 'With disabilities',
    children: [
      {
        code: 'sc_d_especially_severe',
        name_vi: 'Trẻ em khuyết tật đặc biệt nặng',
        name_en: 'Especially severe disability',
      },
      { code: 'sc_d_severe', name_vi: 'Trẻ em khuyết tật nặng', name_en: 'Severe disability' },
      { code: 'sc_d_mild', name_vi: 'Trẻ em khuyết tật nhẹ', name_en: 'Mild disability' },
    ],
  },
  {
    code: 'sc_dd',
    group: 'special_circumstances',
    name_vi: 'Trẻ em nhiễm HIV/AIDS',
    name_en: 'Living with HIV/AIDS',
  },
  {
    code: 'sc_e',
    group: 'special_circumstances',
    name_vi: 'Trẻ em vi phạm pháp luật',
    name_en: 'In conflict with the law',
  },
  {
    code: 'sc_g',
    group: 'special_circumstances',
    name_vi: 'Trẻ em nghiện ma túy',
    name_en: 'Addicted to drugs',
  },
  {
    code: 'sc_h',
    group: 'special_circumstances',
    name_vi: 'Trẻ em phải bỏ học kiếm sống chưa hoàn thành phổ cập giáo dục trung học cơ sở',
    name_en: 'Dropped out of school to earn a living before completing lower-secondary education',
  },
  {
    code: 'sc_i',
    group: 'special_circumstances',
    name_vi: 'Trẻ em bị tổn hại nghiêm trọng về thể chất và tinh thần do bị bạo lực',
    name_en: 'Seriously harmed physically and mentally by violence',
    children: [
      {
        code: 'sc_i_physical',
        name_vi: 'Trẻ em bị tổn hại nghiêm trọng về thể chất do bị bạo lực',
        name_en: 'Serious physical harm from violence',
      },
      {
        code: 'sc_i_mental',
        name_vi: 'Trẻ em bị tổn hại nghiêm trọng về tinh thần do bị bạo lực',
        name_en: 'Serious mental harm from violence',
      },
    ],
  },
  {
    code: 'sc_k',
    group: 'special_circumstances',
    name_vi: 'Trẻ em bị bóc lột',
    name_en: 'Exploited',
    children: [
      {
        code: 'sc_k_labour',
        name_vi: 'Trẻ em bị bắt lao động trái quy định của pháp luật về lao động',
        name_en: 'Made to work in breach of labour law',
      },
      {
        code: 'sc_k_sexual',
        name_vi:
          'Trẻ em bị sử dụng để trình diễn, sản xuất sản phẩm khiêu dâm, hoạt động mại dâm hoặc du lịch nhằm xâm hại tình dục',
        name_en: 'Used in pornography, prostitution or travel for sexual abuse',
        sensitive: true,
      },
      {
        code: 'sc_k_other',
        name_vi: 'Trẻ em bị sử dụng để trục lợi dưới hình thức khác',
        name_en: 'Used for profit in other ways',
      },
    ],
  },
  {
    code: 'sc_l',
    group: 'special_circumstances',
    name_vi: 'Trẻ em bị xâm hại tình dục',
    name_en: 'Sexually abused',
    sensitive: true,
    children: [
      { code: 'sc_l_rape', name_vi: 'Trẻ em bị hiếp dâm', name_en: 'Rape', sensitive: true },
      {
        code: 'sc_l_coercion',
        name_vi: 'Trẻ em bị cưỡng dâm',
        name_en: 'Sexual intercourse obtained by coercion',
        sensitive: true,
      },
      {
        code: 'sc_l_intercourse',
        name_vi: 'Trẻ em bị giao cấu',
        name_en: 'Sexual intercourse with a child',
        sensitive: true,
      },
      {
        code: 'sc_l_indecent_acts',
        name_vi: 'Trẻ em bị dâm ô',
        name_en: 'Indecent acts',
        sensitive: true,
      },
      {
        code: 'sc_l_prostitution_pornography',
        name_vi: 'Trẻ em bị sử dụng vào mục đích mại dâm, khiêu dâm dưới mọi hình thức',
        name_en: 'Used for prostitution or pornography in any form',
        sensitive: true,
      },
    ],
  },
  {
    code: 'sc_m',
    group: 'special_circumstances',
    name_vi: 'Trẻ em bị mua bán',
    name_en: 'Trafficked',
  },
  {
    code: 'sc_n',
    group: 'special_circumstances',
    name_vi: 'Trẻ em mắc bệnh hiểm nghèo hoặc bệnh phải điều trị dài ngày thuộc hộ nghèo hoặc hộ cận nghèo',
    name_en: 'With a life-threatening or long-term illness in a poor or near-poor household',
    children: [
      {
        code: 'sc_n_serious_illness',
        name_vi: 'Trẻ em mắc bệnh hiểm nghèo thuộc hộ nghèo hoặc hộ cận nghèo',
        name_en: 'Life-threatening illness, in a poor or near-poor household',
      },
      {
        code: 'sc_n_long_term_illness',
        name_vi: 'Trẻ em mắc bệnh phải điều trị dài ngày thuộc hộ nghèo hoặc hộ cận nghèo',
        name_en: 'Illness needing long-term treatment, in a poor or near-poor household',
      },
    ],
  },
  {
    code: 'sc_o',
    group: 'special_circumstances',
    name_vi: 'Trẻ em di cư, trẻ em lánh nạn, tị nạn chưa xác định được cha mẹ hoặc không có người chăm sóc',
    name_en: 'Migrant, displaced or refugee child whose parents are unknown or who has no caregiver',
    children: [
      {
        code: 'sc_o_migrant',
        name_vi: 'Trẻ em di cư chưa xác định được cha mẹ hoặc không có người chăm sóc',
        name_en: 'Migrant child whose parents are unknown or who has no caregiver',
      },
      {
        code: 'sc_o_displaced_refugee',
        name_vi: 'Trẻ em lánh nạn, tị nạn chưa xác định được cha mẹ hoặc không có người chăm sóc',
        name_en: 'Displaced or refugee child whose parents are unknown or who has no caregiver',
      },
    ],
  },
];

export const TAXONOMY_SEED: readonly TaxonomySeedGroup[] = [...ABUSE, ...CHILD_LABOUR, ...SPECIAL_CIRCUMSTANCES];
