import { isRegionCode, isRole, type Principal } from '@casegrid/identity';
import type { AuthConfig } from '@casegrid/platform';

/** Reads a dotted path (`realm_access.roles`) out of a token's claims. */
const at = (claims: Readonly<Record<string, unknown>>, path: string): unknown =>
  path.split('.').reduce<unknown>((value, key) => {
    if (value === null || typeof value !== 'object') return undefined;
    return (value as Record<string, unknown>)[key];
  }, claims);

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value !== '';

/**
 * Maps verified claims to a `Principal`, or says which claim is missing. A provider's own
 * roles (`offline_access`, `uma_authorization`) are ignored; a token without any casegrid
 * role yields a principal who may do nothing, which the policy answers with 403/404.
 */
export function principalFromClaims(
  claims: Readonly<Record<string, unknown>>,
  names: AuthConfig['claims'],
): Principal | { readonly missing: string } {
  const roles = at(claims, names.roles);
  const departmentId = at(claims, names.department);
  const regionCode = at(claims, names.region);
  if (!nonEmpty(claims.sub)) return { missing: 'sub' };
  if (!Array.isArray(roles)) return { missing: names.roles };
  if (!nonEmpty(departmentId)) return { missing: names.department };
  if (!isRegionCode(regionCode)) return { missing: names.region };
  const username = nonEmpty(claims.preferred_username) ? claims.preferred_username : claims.sub;
  return {
    userId: claims.sub,
    username,
    name: nonEmpty(claims.name) ? claims.name : username,
    roles: [...new Set(roles.filter(isRole))],
    departmentId,
    regionCode,
  };
}

/** The claims the embedded issuer writes, under the default claim names. */
export const claimsOf = (principal: Principal): Record<string, unknown> => ({
  sub: principal.userId,
  preferred_username: principal.username,
  name: principal.name,
  roles: principal.roles,
  department_id: principal.departmentId,
  region_code: principal.regionCode,
});
