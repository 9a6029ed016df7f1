import fc from 'fast-check';
import { isWithinRegion, parentRegionCode, regionPrefix, regionTier } from './regions';

describe('region codes', () => {
  it.each([
    ['370000000000', 'province'],
    ['370100000000', 'city'],
    ['370102000000', 'county'],
    ['370102001000', 'township'],
    ['370102001001', 'village'],
    ['370102001001002', 'grid'],
    ['441900003000', 'township'],
  ])('%s is a %s', (code, tier) => {
    expect(regionTier(code)).toBe(tier);
  });

  it.each(['', '37010200100', '3701020010010', '000000000000', '370102001001000', 'abcdefghijkl'])(
    'refuses %j',
    (code) => {
      expect(regionTier(code)).toBeUndefined();
    },
  );

  it('walks up the tree to the province', () => {
    const chain: string[] = [];
    for (let code: string | undefined = '370102001001002'; code; code = parentRegionCode(code)) {
      chain.push(code);
    }
    expect(chain).toEqual([
      '370102001001002',
      '370102001001',
      '370102001000',
      '370102000000',
      '370100000000',
      '370000000000',
    ]);
    // A city without counties: the township's parent is the city.
    expect(parentRegionCode('441900003000')).toBe('441900000000');
  });

  it('puts a subtree under its prefix and nothing else', () => {
    expect(regionPrefix('370102001000')).toBe('370102001');
    expect(isWithinRegion('370102001001002', '370102000000')).toBe(true);
    expect(isWithinRegion('370102000000', '370102000000')).toBe(true);
    expect(isWithinRegion('370103001001', '370102000000')).toBe(false);
    expect(isWithinRegion('370102000000', '370102001000')).toBe(false);
  });

  it('finds every ancestor of a code within it (property)', () => {
    const group = (n: number) =>
      fc.integer({ min: 1, max: 10 ** n - 1 }).map((v) => String(v).padStart(n, '0'));
    const code = fc
      .tuple(group(2), group(2), group(2), group(3), group(3), fc.option(group(3)))
      .map((parts) => parts.filter((p) => p !== null).join(''));
    fc.assert(
      fc.property(code, (c) => {
        for (let a = parentRegionCode(c); a; a = parentRegionCode(a)) {
          if (!isWithinRegion(c, a)) return false;
        }
        return regionTier(c) !== undefined;
      }),
    );
  });
});
