/** Department types of API.md (Reference data); more may be added, never renamed. */
export const DEPARTMENT_TYPES = [
  'governance_center',
  'mediation_committee',
  'medical_mediation_committee',
  'judicial_office',
  'police_station',
  'traffic_police',
  'people_tribunal',
  'petition_bureau',
  'human_resources',
  'housing',
  'natural_resources',
  'agriculture',
  'health',
  'market_regulation',
  'ecology_environment',
  'civil_affairs',
  'womens_federation',
  'village_committee',
] as const;
export type DepartmentType = (typeof DEPARTMENT_TYPES)[number];
