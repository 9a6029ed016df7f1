import {
  parentRegionCode,
  regionTier,
  REGION_TIERS,
  type DepartmentType,
} from '@casegrid/identity';
import type { Severity } from '../case.events';
import { ROUTING_TIERS, type RoutingTier } from './routing.rules';

/** A department as the routing engine sees the directory (reference data, DESIGN.md). */
export interface DirectoryDepartment {
  readonly id: string;
  readonly type: DepartmentType;
  readonly regionCode: string;
  readonly name: string;
}

/** 小事不出村、大事不出镇、难事不出县: the tier a rule without its own tier hands a case to. */
export const TIER_BY_SEVERITY: Readonly<Record<Severity, RoutingTier>> = {
  minor: 'village',
  major: 'township',
  complex: 'county',
};

/** Index in REGION_TIERS (province 0 … grid 5); malformed codes sort below everything. */
const depthOf = (code: string): number => {
  const tier = regionTier(code);
  return tier === undefined ? -1 : REGION_TIERS.indexOf(tier);
};
const TIER_DEPTH: Readonly<Record<RoutingTier, number>> = {
  village: REGION_TIERS.indexOf('village'),
  township: REGION_TIERS.indexOf('township'),
  county: REGION_TIERS.indexOf('county'),
  city: REGION_TIERS.indexOf('city'),
};

export const routingTierOf = (code: string): RoutingTier | undefined =>
  ROUTING_TIERS.find((tier) => TIER_DEPTH[tier] === depthOf(code));

/** The code and its ancestors, nearest first, up to the province. */
export function ancestry(code: string): string[] {
  const chain: string[] = [];
  for (let c: string | undefined = code; c !== undefined; c = parentRegionCode(c)) chain.push(c);
  return chain;
}

/**
 * Where the search for a department at `tier` starts for a case in `regionCode`: its
 * ancestor-or-self at that tier; the case's own region when the case sits above the tier
 * (a county-level matter is not sent down to a village); and the nearest ancestor above
 * the tier when the tree has no such level (东莞 441900 has townships but no counties).
 */
export function startRegion(regionCode: string, tier: RoutingTier): string {
  return ancestry(regionCode).find((c) => depthOf(c) <= TIER_DEPTH[tier]) ?? regionCode;
}

/** Whether the case sits above the tier, so that it is handled at its own level. */
export const isAboveTier = (regionCode: string, tier: RoutingTier): boolean =>
  depthOf(regionCode) < TIER_DEPTH[tier];

/**
 * The township whose 综治中心 dispatches a case by hand: the township ancestor of a case
 * below township level, or the case's own region at township level or above.
 */
export function dispatcherRegionOf(regionCode: string): string {
  return depthOf(regionCode) > TIER_DEPTH.township ? `${regionCode.slice(0, 9)}000` : regionCode;
}

export interface Covering {
  readonly department: DirectoryDepartment;
  readonly tier: RoutingTier;
  /** Where the search started: the department's region differs when it walked up. */
  readonly start: string;
  /** Departments of the type at that region; more than one means the smallest id was taken. */
  readonly atRegion: number;
}

const byId = (a: DirectoryDepartment, b: DirectoryDepartment): number =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/**
 * The department of `type` covering `start`: the one at `start`, else at the nearest
 * ancestor that has one, tier by tier up to the city (the top of the centre's tree, so a
 * province-level office is never picked). Several at one region: the smallest id, so the
 * result does not depend on the directory's order.
 */
export function coveringDepartment(
  type: DepartmentType,
  start: string,
  departments: readonly DirectoryDepartment[],
): Covering | undefined {
  for (const code of ancestry(start)) {
    const tier = routingTierOf(code);
    if (tier === undefined) continue;
    const here = departments.filter((d) => d.type === type && d.regionCode === code).sort(byId);
    const department = here[0];
    if (department !== undefined) return { department, tier, start, atRegion: here.length };
  }
  return undefined;
}
