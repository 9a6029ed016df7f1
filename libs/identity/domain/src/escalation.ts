import { parentRegionCode, regionTier, type RegionTier } from './regions';

/** Where a matter one tier up lands, or why it cannot go up. */
export type TierUp<D> =
  | { readonly department: D }
  | { readonly refused: 'top_tier'; readonly tier: RegionTier | undefined }
  | { readonly refused: 'none_above'; readonly parent: string };

/**
 * The one escalation ladder (上报 of a case, 提级 of a mediation; DESIGN.md: village →
 * township → county → city, and no further): the department of the region one tier above
 * `holder`'s, of the first of `types` that has one there (the holder's own type, then the
 * 综治中心; a mediation committee, then the 综治中心). `at` finds a region's departments of
 * a type, where each service keeps them.
 */
export async function oneTierUp<D extends { readonly regionCode: string }>(
  holder: D,
  types: readonly string[],
  at: (regionCode: string, type: string) => Promise<readonly D[]> | readonly D[],
): Promise<TierUp<D>> {
  const tier = regionTier(holder.regionCode);
  const parent = parentRegionCode(holder.regionCode);
  if (tier === 'city' || tier === 'province' || parent === undefined) {
    return { refused: 'top_tier', tier };
  }
  for (const type of types) {
    const [department] = await at(parent, type);
    if (department) return { department };
  }
  return { refused: 'none_above', parent };
}
