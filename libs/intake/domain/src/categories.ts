/**
 * Dispute categories (API.md, Reference data; reference/domain-rules.md §6, after the
 * 司法部 people's-mediation statistics and the usual local additions). Codes are the
 * contract; more may be added, none renamed.
 */
export const CATEGORIES = [
  { code: 'marriage_family', name: '婚姻家庭' },
  { code: 'neighbor', name: '邻里纠纷' },
  { code: 'housing_homestead', name: '房屋宅基地' },
  { code: 'contract', name: '合同纠纷' },
  { code: 'private_lending', name: '民间借贷' },
  { code: 'business', name: '生产经营' },
  { code: 'damages', name: '损害赔偿' },
  { code: 'land_forest', name: '山林土地' },
  { code: 'land_contracting', name: '土地承包' },
  { code: 'land_requisition_demolition', name: '征地拆迁' },
  { code: 'environment', name: '环境污染' },
  { code: 'labor_wage', name: '劳动争议（含欠薪）' },
  { code: 'medical', name: '医疗纠纷' },
  { code: 'traffic_accident', name: '道路交通事故' },
  { code: 'property_management', name: '物业纠纷' },
  { code: 'consumer', name: '消费纠纷' },
  { code: 'village_affairs', name: '村务管理' },
  { code: 'fire', name: '消防' },
  { code: 'other', name: '其他' },
] as const;
export type CategoryCode = (typeof CATEGORIES)[number]['code'];

export const isCategory = (code: string): code is CategoryCode =>
  CATEGORIES.some((c) => c.code === code);
