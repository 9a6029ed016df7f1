/**
 * Region codes are the statistical division codes: 2 province + 2 city + 2 county +
 * 3 township + 3 village digits (12), and a grid adds 3 more (15). A code's tier is read
 * off its trailing zero groups and its subtree is a prefix, so jurisdiction checks need
 * no lookup: `370102001001` lies within `370102000000` because it starts with `370102`.
 */
export const REGION_TIERS = ['province', 'city', 'county', 'township', 'village', 'grid'] as const;
export type RegionTier = (typeof REGION_TIERS)[number];

/** Where each tier's digits end in the code: the length of its subtree prefix. */
const PREFIX_LENGTH: Readonly<Record<RegionTier, number>> = {
  province: 2,
  city: 4,
  county: 6,
  township: 9,
  village: 12,
  grid: 15,
};
const TWELVE_DIGIT_TIERS = ['province', 'city', 'county', 'township', 'village'] as const;

const REGION_CODE = /^\d{12}(\d{3})?$/;

/**
 * The tier of a well-formed code, or `undefined` for a malformed one. The tier is that of
 * the last non-zero digit group; a zero group before it is allowed, since some cities
 * have no county level (东莞 441900 has townships 441900003000).
 */
export function regionTier(code: string): RegionTier | undefined {
  if (!REGION_CODE.test(code)) return undefined;
  if (code.length === 15) {
    return code.endsWith('000') || regionTier(code.slice(0, 12)) !== 'village' ? undefined : 'grid';
  }
  let tier: RegionTier | undefined;
  let start = 0;
  for (const candidate of TWELVE_DIGIT_TIERS) {
    const end = PREFIX_LENGTH[candidate];
    if (!/^0+$/.test(code.slice(start, end))) tier = candidate;
    start = end;
  }
  return code.startsWith('00') ? undefined : tier;
}

export const isRegionCode = (code: unknown): code is string =>
  typeof code === 'string' && regionTier(code) !== undefined;

/** The prefix every code in the region's subtree starts with. */
export function regionPrefix(code: string): string {
  const tier = regionTier(code);
  if (tier === undefined) throw new RangeError(`not a region code: ${code}`);
  return code.slice(0, PREFIX_LENGTH[tier]);
}

/** The code of the region one level up (skipping empty levels), or `undefined` at a province. */
export function parentRegionCode(code: string): string | undefined {
  const tier = regionTier(code);
  if (tier === undefined || tier === 'province') return undefined;
  if (tier === 'grid') return code.slice(0, 12);
  const index = TWELVE_DIGIT_TIERS.indexOf(tier);
  const start = index === 0 ? 0 : PREFIX_LENGTH[TWELVE_DIGIT_TIERS[index - 1] as RegionTier];
  return code.slice(0, start).padEnd(12, '0');
}

/** Whether `code` is `ancestor` or lies in its subtree. */
export const isWithinRegion = (code: string, ancestor: string): boolean =>
  isRegionCode(code) && isRegionCode(ancestor) && code.startsWith(regionPrefix(ancestor));
