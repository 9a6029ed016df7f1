import {
  compareSpecificity,
  findTies,
  ruleMatches,
  specificity,
  type RoutingInput,
  type RoutingRule,
} from './routing.rules';

describe('routing rules', () => {
  describe('matching', () => {
    it('matches a case anywhere in the rule region’s subtree, and nowhere else', () => {
      const lixia = rule({ id: 'lixia', regionCode: LIXIA });
      expect(ruleMatches(lixia, input({ regionCode: '370102001201003' }))).toBe(true);
      expect(ruleMatches(lixia, input({ regionCode: LIXIA }))).toBe(true);
      expect(ruleMatches(lixia, input({ regionCode: '370103001201' }))).toBe(false);
    });

    it('matches only the category, kind and severity it names', () => {
      const named = rule({ id: 'named', category: '邻里', kind: 'dispute', severity: 'major' });
      expect(ruleMatches(named, input({ severity: 'major' }))).toBe(true);
      expect(ruleMatches(named, input({ severity: 'minor' }))).toBe(false);
      expect(ruleMatches(named, input({ severity: 'major', kind: 'petition' }))).toBe(false);
      expect(ruleMatches(named, input({ severity: 'major', category: '物业' }))).toBe(false);
    });
  });

  describe('specificity', () => {
    it('is the region depth, then whether category, kind and severity are named', () => {
      expect(specificity(rule({ id: 'any' }))).toEqual([0, 0, 0, 0]);
      expect(specificity(rule({ id: 'grid', regionCode: '370102001201003' }))).toEqual([
        6, 0, 0, 0,
      ]);
      expect(
        specificity(
          rule({
            id: 'all',
            regionCode: '370000000000',
            category: '邻里',
            kind: 'petition',
            severity: 'minor',
          }),
        ),
      ).toEqual([1, 1, 1, 1]);
    });

    it('puts a deeper region above every other criterion', () => {
      const township = rule({ id: 'township', regionCode: JIEFANG });
      const county = rule({
        id: 'county',
        regionCode: LIXIA,
        category: '邻里',
        kind: 'dispute',
        severity: 'minor',
      });
      expect(compareSpecificity(township, county)).toBeGreaterThan(0);
    });

    it('puts category above kind and severity, and kind above severity', () => {
      const category = rule({ id: 'category', category: '邻里' });
      const kindAndSeverity = rule({ id: 'kind-severity', kind: 'dispute', severity: 'major' });
      const kind = rule({ id: 'kind', kind: 'dispute' });
      const severity = rule({ id: 'severity', severity: 'major' });
      expect(compareSpecificity(category, kindAndSeverity)).toBeGreaterThan(0);
      expect(compareSpecificity(kind, severity)).toBeGreaterThan(0);
      expect(compareSpecificity(kind, rule({ id: 'kind-2', kind: 'petition' }))).toBe(0);
    });

    it('refuses a rule whose region is not a region code', () => {
      expect(() => specificity(rule({ id: 'bad', regionCode: '3701' }))).toThrow(
        expect.objectContaining({ code: 'validation_failed' }),
      );
    });
  });

  describe('ties, caught when a rule is saved', () => {
    it('finds two rules with the same criteria, whatever they route to', () => {
      const a = rule({ id: 'a', category: '邻里', regionCode: LIXIA });
      const b = rule({
        id: 'b',
        category: '邻里',
        regionCode: LIXIA,
        leadDepartmentType: 'judicial_office',
      });
      expect(findTies([a, b, rule({ id: 'c', category: '物业' })])).toEqual([[a, b]]);
    });

    it('finds two catch-all rules', () => {
      const [a, b] = [rule({ id: 'a' }), rule({ id: 'b', tier: 'city' })];
      expect(findTies([a, b])).toEqual([[a, b]]);
    });

    it('finds one rule listed twice', () => {
      const a = rule({ id: 'a' });
      expect(findTies([a, a])).toEqual([[a, a]]);
    });

    it('finds every tied pair', () => {
      const rules = ['a', 'b', 'c'].map((id) => rule({ id, kind: 'petition' }));
      expect(findTies(rules)).toHaveLength(3);
    });

    it('lets rules stand that never match the same case', () => {
      expect(
        findTies([rule({ id: 'a', category: '邻里' }), rule({ id: 'b', category: '物业' })]),
      ).toEqual([]);
      expect(
        findTies([
          rule({ id: 'a', regionCode: JIEFANG }),
          rule({ id: 'b', regionCode: '370102002000' }),
        ]),
      ).toEqual([]);
    });

    it('lets rules stand of which one is more specific wherever both match', () => {
      // The township rule wins inside its subtree, the county rule everywhere else.
      expect(
        findTies([rule({ id: 'a', regionCode: LIXIA }), rule({ id: 'b', regionCode: JIEFANG })]),
      ).toEqual([]);
      // Category outranks kind: a labour petition goes by the labour rule.
      expect(
        findTies([rule({ id: 'a', category: '劳动争议' }), rule({ id: 'b', kind: 'petition' })]),
      ).toEqual([]);
    });
  });
});

// --- fixtures ---

const LIXIA = '370102000000';
const JIEFANG = '370102001000';

function rule(overrides: Partial<RoutingRule> & { id: string }): RoutingRule {
  return {
    category: null,
    regionCode: null,
    kind: null,
    severity: null,
    leadDepartmentType: 'mediation_committee',
    coDepartmentTypes: [],
    tier: null,
    ...overrides,
  };
}

function input(overrides: Partial<RoutingInput>): RoutingInput {
  return {
    category: '邻里',
    regionCode: '370102001201',
    kind: 'dispute',
    severity: 'minor',
    ...overrides,
  };
}
