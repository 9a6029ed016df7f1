import type { Principal, Role } from './roles';
import { isWithinRegion, regionPrefix } from './regions';

/**
 * The one place that decides who may do what to which case (issue 3). Services call
 * `authorizeCase`/`authorize` and `caseVisibility`; they never test roles themselves. The
 * state a command needs (no accept before dispatch) is the domain's rule and a 409; this
 * is about the caller: their roles and how they relate to the case.
 *
 * How a caller relates to a case:
 * - `region`: the case lies in the subtree of the caller's department's region;
 * - `lead`: the caller's department leads the case;
 * - `co`: the caller's department co-handles it.
 */
export type Relation = 'region' | 'lead' | 'co';

/** What the policy needs to know about a case: where it is and who holds it. */
export interface CaseScope {
  readonly regionCode: string;
  readonly leadDepartmentId?: string | undefined;
  readonly coDepartmentIds?: readonly string[] | undefined;
}

type Grant = Readonly<Partial<Record<Role, readonly Relation[]>>>;

const TERRITORY: readonly Relation[] = ['region'];
const HOLDER: readonly Relation[] = ['lead', 'co'];
const LEAD: readonly Relation[] = ['lead'];

/**
 * Which cases a role sees at all (DESIGN.md, Who uses it): handling roles their
 * department's cases, territorial roles their region's subtree. Admins administer
 * reference data and see no case content (separation of duties).
 */
export const VISIBILITY: Readonly<Record<Role, readonly Relation[]>> = {
  intake_clerk: TERRITORY,
  grid_worker: TERRITORY,
  dispatcher: TERRITORY,
  handler: HOLDER,
  mediator: HOLDER,
  petition_officer: HOLDER,
  supervisor: TERRITORY,
  inspector: TERRITORY,
  admin: [],
};

const mediation: Grant = { mediator: LEAD };
const HANDLING_LEAD: Grant = { handler: LEAD, mediator: LEAD, petition_officer: LEAD };
const petition: Grant = { petition_officer: LEAD };

/** Commands and reads on an existing case, and who may issue them in which relation. */
export const CASE_ACTIONS = {
  'case.read': VISIBILITY,
  'case.dispatch': { dispatcher: TERRITORY },
  // The lead department signs, returns, hands over or escalates through whoever of it
  // handles cases: a handler, a mediation committee's mediator, a petition office's officer.
  'case.accept': HANDLING_LEAD,
  'case.return': HANDLING_LEAD,
  'case.transfer': { ...HANDLING_LEAD, dispatcher: TERRITORY },
  'case.escalate': HANDLING_LEAD,
  'case.resolve': { handler: LEAD },
  'mediation.open': mediation,
  'mediation.record_session': mediation,
  'mediation.record_agreement': mediation,
  'mediation.record_failure': mediation,
  'mediation.request_judicial_confirmation': mediation,
  'mediation.record_judicial_decision': mediation,
  'mediation.escalate': mediation,
  'petition.decide_acceptance': petition,
  'petition.extend': petition,
  'petition.issue_opinion': petition,
  'petition.record_review_request': petition,
  'petition.decide_review': petition,
  'petition.record_re_review_request': petition,
  'petition.decide_re_review': petition,
  'petition.terminate': petition,
  'supervision.issue_order': { supervisor: TERRITORY },
  'supervision.record_follow_up': { supervisor: TERRITORY, grid_worker: TERRITORY },
  'supervision.close': { supervisor: TERRITORY },
  'supervision.reopen': { supervisor: TERRITORY },
  // 中止 and 延期 of a clock, with the approving leader named: recorded by the department
  // that holds the case, or by a supervisor of the territory.
  'supervision.adjust_deadline': { ...HANDLING_LEAD, supervisor: TERRITORY },
  /** Clear text of parties' personal fields, for the work that needs to reach them. */
  'personal_data.reveal': {
    intake_clerk: TERRITORY,
    grid_worker: TERRITORY,
    handler: HOLDER,
    mediator: HOLDER,
    petition_officer: HOLDER,
    supervisor: TERRITORY,
  },
  /** Who revealed what: for inspectors and supervisors, never altered by anyone. */
  'personal_data.read_access_log': { supervisor: TERRITORY, inspector: TERRITORY },
  'audit.read': { inspector: TERRITORY },
} as const satisfies Readonly<Record<string, Grant>>;
export type CaseAction = keyof typeof CASE_ACTIONS;

/** Actions without an existing case; `region` relations check the target region. */
export const ACTIONS = {
  'case.register': { intake_clerk: TERRITORY, grid_worker: TERRITORY },
  'reference.read': Object.fromEntries(
    (Object.keys(VISIBILITY) as Role[]).map((role) => [role, []]),
  ),
  'reference.write': { admin: [] },
  'person.erase': { admin: [] },
  /** What consumers parked, and replaying it (docs/operations.md, Parked events). */
  'operations.dead_letters': { admin: [] },
} as const satisfies Readonly<Record<string, Grant>>;
export type Action = keyof typeof ACTIONS;

export type Decision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly code: 'not_found' | 'forbidden'; readonly reason: string };

const ALLOWED: Decision = { allowed: true };

const relates = (principal: Principal, relation: Relation, scope: CaseScope): boolean => {
  switch (relation) {
    case 'region':
      return isWithinRegion(scope.regionCode, principal.regionCode);
    case 'lead':
      return scope.leadDepartmentId === principal.departmentId;
    case 'co':
      return scope.coDepartmentIds?.includes(principal.departmentId) ?? false;
  }
};

const grantedBy = (grant: Grant, principal: Principal, scope: CaseScope): boolean =>
  principal.roles.some((role) =>
    grant[role]?.some((relation) => relates(principal, relation, scope)),
  );

/**
 * A case the caller cannot see does not exist for them (404, no existence leak); a case
 * they see but may not act on this way is a 403.
 */
export function authorizeCase(
  principal: Principal,
  action: CaseAction,
  scope: CaseScope,
): Decision {
  if (!grantedBy(VISIBILITY, principal, scope)) {
    return { allowed: false, code: 'not_found', reason: 'no such case in your jurisdiction' };
  }
  if (grantedBy(CASE_ACTIONS[action], principal, scope)) return ALLOWED;
  return { allowed: false, code: 'forbidden', reason: forbiddenReason(action, principal) };
}

/** For actions without a case; `targetRegionCode` is where the new thing will be. */
export function authorize(
  principal: Principal,
  action: Action,
  targetRegionCode?: string,
): Decision {
  const grant: Grant = ACTIONS[action];
  const allowed = principal.roles.some((role) => {
    const relations = grant[role];
    if (relations === undefined) return false;
    if (relations.length === 0) return true;
    return targetRegionCode !== undefined && isWithinRegion(targetRegionCode, principal.regionCode);
  });
  return allowed
    ? ALLOWED
    : { allowed: false, code: 'forbidden', reason: forbiddenReason(action, principal) };
}

function forbiddenReason(action: string, principal: Principal): string {
  return `${action} is not allowed to ${principal.roles.join(', ') || 'a user without roles'} here`;
}

/** The actions the caller may take on a case now: the console shows only these. */
export const allowedCaseActions = (principal: Principal, scope: CaseScope): CaseAction[] =>
  (Object.keys(CASE_ACTIONS) as CaseAction[]).filter(
    (action) => authorizeCase(principal, action, scope).allowed,
  );

/**
 * The cases a caller may see, as data for a query's WHERE clause (lists are filtered in
 * the query, not after it): cases whose region starts with one of `regionPrefixes`, or
 * whose lead or co-handling department is one of `departmentIds`. Both empty: nothing.
 */
export interface CaseFilter {
  readonly regionPrefixes: readonly string[];
  readonly departmentIds: readonly string[];
}

export function caseVisibility(principal: Principal): CaseFilter {
  const relations = new Set(principal.roles.flatMap((role) => VISIBILITY[role]));
  return {
    regionPrefixes: relations.has('region') ? [regionPrefix(principal.regionCode)] : [],
    // VISIBILITY grants lead and co together, so one department list serves both.
    departmentIds: relations.has('lead') || relations.has('co') ? [principal.departmentId] : [],
  };
}

/**
 * The cases on which the caller may take `action`, as a `CaseFilter` (an export or a list
 * of one action's cases is filtered in its query): both lists empty means none at all.
 */
export function caseActionFilter(principal: Principal, action: CaseAction): CaseFilter {
  const grant: Grant = CASE_ACTIONS[action];
  const relations = new Set(principal.roles.flatMap((role) => grant[role] ?? []));
  return {
    regionPrefixes: relations.has('region') ? [regionPrefix(principal.regionCode)] : [],
    departmentIds: relations.has('lead') || relations.has('co') ? [principal.departmentId] : [],
  };
}

/** The filter applied to one case: what the SQL of `caseVisibility` must agree with. */
export const matchesCaseFilter = (filter: CaseFilter, scope: CaseScope): boolean =>
  filter.regionPrefixes.some((prefix) => scope.regionCode.startsWith(prefix)) ||
  filter.departmentIds.some(
    (id) => scope.leadDepartmentId === id || (scope.coDepartmentIds?.includes(id) ?? false),
  );
