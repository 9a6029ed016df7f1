import fc from 'fast-check';
import {
  DEPARTMENT_TYPES,
  isWithinRegion,
  parentRegionCode,
  REGION_TIERS,
  regionTier,
  type DepartmentType,
} from '@casegrid/identity';
import type { DirectoryDepartment } from './routing.directory';
import { route } from './routing.engine';
import { compareSpecificity, findTies, type RoutingInput, type RoutingRule } from './routing.rules';

describe('routing, for any region tree, directory and rule set', () => {
  it('routes by the one most specific matching rule to the nearest covering departments', () => {
    fc.assert(
      fc.property(world(), ({ rules, departments, input }) => {
        const tieFree = dropTies(rules);
        const decision = route(input, tieFree, departments);
        const best = mostSpecific(tieFree.filter((r) => matchesByHand(r, input)));
        if (best === undefined) {
          expect(decision).toMatchObject({ outcome: 'unrouted', reason: 'no_rule' });
          return;
        }
        const tier =
          best.tier ?? { minor: 'village', major: 'township', complex: 'county' }[input.severity];
        const lead = nearest(best.leadDepartmentType, input.regionCode, depth(tier), departments);
        if (lead === undefined) {
          expect(decision).toMatchObject({ outcome: 'unrouted', reason: 'no_department' });
          return;
        }
        const co = [...new Set(best.coDepartmentTypes)]
          .map((type) => nearest(type, input.regionCode, depth(tier), departments)?.id)
          .filter((id): id is string => id !== undefined && id !== lead.id);
        expect(decision).toMatchObject({
          outcome: 'routed',
          ruleId: best.id,
          leadDepartmentId: lead.id,
          coDepartmentIds: [...new Set(co)],
          tier: regionTier(lead.regionCode),
        });
        expect(lead.type).toBe(best.leadDepartmentType);
        expect(isWithinRegion(input.regionCode, lead.regionCode)).toBe(true);
      }),
      // Most worlds end unrouted; more runs put a few hundred routed cases through.
      { numRuns: 1000 },
    );
  });

  it('makes an unrouted case wait at its township, or at its own region above one', () => {
    fc.assert(
      fc.property(world(), ({ rules, departments, input }) => {
        const decision = route(input, rules, departments);
        if (decision.outcome === 'routed') return;
        const at = decision.dispatcherRegionCode;
        expect(isWithinRegion(input.regionCode, at)).toBe(true);
        expect(regionTier(at) === 'township' || (at === input.regionCode && depth(at) < 3)).toBe(
          true,
        );
      }),
    );
  });

  it('gives the same decision whatever order the rules and departments come in', () => {
    fc.assert(
      fc.property(
        world().chain((w) =>
          fc.record({
            w: fc.constant(w),
            rules: fc.shuffledSubarray(w.rules, { minLength: w.rules.length }),
            departments: fc.shuffledSubarray(w.departments, { minLength: w.departments.length }),
          }),
        ),
        ({ w, rules, departments }) => {
          expect(route(w.input, rules, departments)).toEqual(
            route(w.input, w.rules, w.departments),
          );
        },
      ),
    );
  });

  it('finds a tie wherever two rules name the same criteria, and nowhere else', () => {
    fc.assert(
      fc.property(world(), ({ rules }) => {
        const duplicates = rules.flatMap((a, i) =>
          rules
            .slice(i + 1)
            .filter((b) => criteria(a) === criteria(b))
            .map((b) => [a.id, b.id]),
        );
        expect(findTies(rules).map(([a, b]) => [a.id, b.id])).toEqual(duplicates);
      }),
    );
  });

  it('catches a copy of any rule saved under a new id', () => {
    fc.assert(
      fc.property(world(), fc.nat(), fc.nat(), ({ rules }, pick, at) => {
        fc.pre(rules.length > 0);
        const original = rules[pick % rules.length] as RoutingRule;
        const copy = { ...original, id: 'copy', leadDepartmentType: 'governance_center' as const };
        const saved = [
          ...rules.slice(0, at % rules.length),
          copy,
          ...rules.slice(at % rules.length),
        ];
        const ties = findTies(saved).map((pair) => pair.map((r) => r.id).sort());
        expect(ties).toContainEqual(['copy', original.id].sort());
      }),
    );
  });
});

// --- the oracle: the rules restated by hand ---

const depth = (codeOrTier: string): number =>
  REGION_TIERS.indexOf(regionTier(codeOrTier) ?? (codeOrTier as (typeof REGION_TIERS)[number]));

function matchesByHand(rule: RoutingRule, input: RoutingInput): boolean {
  return (
    (rule.category ?? input.category) === input.category &&
    (rule.kind ?? input.kind) === input.kind &&
    (rule.severity ?? input.severity) === input.severity &&
    (rule.regionCode === null || isWithinRegion(input.regionCode, rule.regionCode))
  );
}

/** The matching rule more specific than every other one, which a tie-free set always has. */
function mostSpecific(matching: readonly RoutingRule[]): RoutingRule | undefined {
  const best = matching.find((r) => matching.every((o) => o === r || compareSpecificity(r, o) > 0));
  if (matching.length > 0) expect(best).toBeDefined();
  return best;
}

/** The deepest department of the type on the case's ancestor chain, between the city and the tier. */
function nearest(
  type: DepartmentType,
  regionCode: string,
  deepest: number,
  departments: readonly DirectoryDepartment[],
): DirectoryDepartment | undefined {
  return departments
    .filter((d) => d.type === type && isWithinRegion(regionCode, d.regionCode))
    .filter((d) => depth(d.regionCode) >= depth('city') && depth(d.regionCode) <= deepest)
    .sort((a, b) => depth(b.regionCode) - depth(a.regionCode) || (a.id < b.id ? -1 : 1))[0];
}

const criteria = (r: RoutingRule): string =>
  JSON.stringify([r.category, r.regionCode, r.kind, r.severity]);

function dropTies(rules: readonly RoutingRule[]): RoutingRule[] {
  return rules.reduce<RoutingRule[]>(
    (kept, r) => (findTies([...kept, r]).length === 0 ? [...kept, r] : kept),
    [],
  );
}

// --- generators: a corner of 济南, and 东莞 with no county level ---

const UNIVERSE = [
  '370102001201001',
  '370102001001',
  '370102002201',
  '370103100201002',
  '370103100000',
  '441900003001001',
  '441900004000',
];
const TYPES = DEPARTMENT_TYPES.slice(0, 3);
const CATEGORIES = ['邻里', '劳动争议', '物业'] as const;

/** Every code in the tree: the chosen leaves and all their ancestors up to the province. */
const tree = fc.subarray(UNIVERSE, { minLength: 1 }).map((leaves) => {
  const codes = new Set<string>();
  for (const leaf of leaves) {
    for (let c: string | undefined = leaf; c !== undefined; c = parentRegionCode(c)) codes.add(c);
  }
  return [...codes].sort();
});

/** Half the criteria left open, so that rules overlap, match and tie often enough to matter. */
const orNull = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> =>
  fc.option(arb, { nil: null, freq: 2 });

/**
 * A directory where about half the (region, type) places are staffed, a few twice over, so
 * that leads are found at the tier, found by walking up, picked among twins, or missing.
 */
function directory(codes: readonly string[]): fc.Arbitrary<DirectoryDepartment[]> {
  const places = codes.flatMap((regionCode) => TYPES.map((type) => ({ regionCode, type })));
  return fc
    .tuple(fc.subarray(places), fc.subarray(places, { maxLength: 3 }))
    .map(([once, twice]) => [...once, ...twice])
    .chain((staffed) =>
      fc
        .uniqueArray(fc.nat(999), { minLength: staffed.length, maxLength: staffed.length })
        .map((ids) => staffed.map((p, i) => ({ ...p, id: `d${ids[i] ?? i}`, name: '部门' }))),
    );
}

const TIERS = ['village', 'township', 'county', 'city'] as const;
const KINDS = ['dispute', 'petition'] as const;
const SEVERITIES = ['minor', 'major', 'complex'] as const;

function world() {
  return tree.chain((codes) => {
    const region = fc.constantFrom(...codes);
    const rule = fc.record({
      id: fc.integer({ min: 0, max: 40 }).map((n) => `r${n}`),
      category: orNull(fc.constantFrom(...CATEGORIES)),
      regionCode: orNull(region),
      kind: orNull(fc.constantFrom(...KINDS)),
      severity: orNull(fc.constantFrom(...SEVERITIES)),
      leadDepartmentType: fc.constantFrom(...TYPES),
      coDepartmentTypes: fc.array(fc.constantFrom(...TYPES), { maxLength: 3 }),
      tier: orNull(fc.constantFrom(...TIERS)),
    });
    return fc.record({
      rules: fc.uniqueArray(rule, { selector: (r) => r.id, maxLength: 12 }),
      departments: directory(codes),
      input: fc.record({
        category: fc.constantFrom(...CATEGORIES),
        regionCode: region,
        kind: fc.constantFrom(...KINDS),
        severity: fc.constantFrom(...SEVERITIES),
      }),
    });
  });
}
