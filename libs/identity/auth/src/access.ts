import {
  authorize,
  authorizeCase,
  type Action,
  type CaseAction,
  type CaseFilter,
  type CaseScope,
  type Decision,
  type Principal,
} from '@casegrid/identity';
import { ForbiddenError, NotFoundError } from '@casegrid/kernel';

const enforce = (decision: Decision, subject: string): void => {
  if (decision.allowed) return;
  if (decision.code === 'not_found') throw new NotFoundError(`${subject} not found`);
  throw new ForbiddenError(decision.reason);
};

/**
 * For adapters: the policy's decision on a case as the error the problem filter maps
 * (404 for a case outside the caller's jurisdiction, whether or not it exists; 403).
 * A case that does not exist at all is `undefined` here and gets the same 404.
 */
export function assertCaseAccess(
  principal: Principal,
  action: CaseAction,
  caseId: string,
  scope: CaseScope | undefined,
): asserts scope is CaseScope {
  if (scope === undefined) throw new NotFoundError(`case ${caseId} not found`);
  enforce(authorizeCase(principal, action, scope), `case ${caseId}`);
}

export const assertAllowed = (
  principal: Principal,
  action: Action,
  targetRegionCode?: string,
): void => enforce(authorize(principal, action, targetRegionCode), action);

/**
 * The WHERE clause of `caseVisibility` over a table's columns, with its parameters numbered
 * from `firstParameter` (lists are filtered in the query, not after it). The region
 * prefix is matched with `LIKE 'prefix%'`, which a `text_pattern_ops` index serves.
 */
export function caseFilterSql(
  filter: CaseFilter,
  columns: { readonly region: string; readonly lead: string; readonly co: string },
  firstParameter = 1,
): { readonly sql: string; readonly params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const next = (value: unknown): string => {
    params.push(value);
    return `$${firstParameter + params.length - 1}`;
  };
  for (const prefix of filter.regionPrefixes)
    clauses.push(`${columns.region} LIKE ${next(`${prefix}%`)}`);
  if (filter.departmentIds.length > 0) {
    const ids = next(filter.departmentIds);
    clauses.push(`${columns.lead} = ANY(${ids}::uuid[])`, `${columns.co} && ${ids}::uuid[]`);
  }
  return { sql: clauses.length === 0 ? 'false' : `(${clauses.join(' OR ')})`, params };
}
