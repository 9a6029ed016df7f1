/** The roles of DESIGN.md (Who uses it), as API.md spells them. A user may hold several. */
export const ROLES = [
  'intake_clerk',
  'grid_worker',
  'dispatcher',
  'handler',
  'mediator',
  'petition_officer',
  'supervisor',
  'inspector',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_NAMES_ZH: Readonly<Record<Role, string>> = {
  intake_clerk: '受理员',
  grid_worker: '网格员',
  dispatcher: '分流员',
  handler: '承办人',
  mediator: '调解员',
  petition_officer: '信访干部',
  supervisor: '督办员',
  inspector: '督查员',
  admin: '管理员',
};

export const isRole = (value: unknown): value is Role =>
  typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/**
 * Who is asking: resolved from a verified token, never from the request body. The
 * department's region is the root of the caller's territorial jurisdiction.
 */
export interface Principal {
  readonly userId: string;
  readonly username: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly departmentId: string;
  readonly regionCode: string;
}
