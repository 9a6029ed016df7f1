import type { MediationType } from './mediation.events';

/**
 * Which kinds of department conduct which mediation (三调联动, 信访工作条例 Art 37;
 * reference/domain-rules.md §2): people's mediation by mediation committees (人民调解法
 * Art 8; 医调委, 医疗纠纷条例 Art 32) and the bodies that host them (村/居委会, 司法所,
 * 综治中心/矛调中心); administrative mediation by the competent organ (交警 道交法 Art 74,
 * 派出所 治安管理处罚法 Art 9, 卫健 医疗纠纷条例 Art 22, and other line departments);
 * judicial mediation by a court (民诉法 Art 96–102).
 */
export const MEDIATION_BODIES: Readonly<Record<MediationType, readonly string[]>> = {
  people: [
    'mediation_committee',
    'medical_mediation_committee',
    'village_committee',
    'judicial_office',
    'governance_center',
  ],
  administrative: [
    'police_station',
    'traffic_police',
    'health',
    'human_resources',
    'housing',
    'natural_resources',
    'agriculture',
    'market_regulation',
    'ecology_environment',
    'civil_affairs',
    'judicial_office',
    'governance_center',
  ],
  judicial: ['people_tribunal'],
};

export const conducts = (departmentType: string, type: MediationType): boolean =>
  MEDIATION_BODIES[type].includes(departmentType);

/** Where a mediation that cannot be settled at its tier goes one tier up, first match wins. */
export const ESCALATION_BODY_TYPES = ['mediation_committee', 'governance_center'] as const;
