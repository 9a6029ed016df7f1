import type { DirectoryDepartment } from './routing.directory';
import { route, type RoutedDecision, type RoutingDecision } from './routing.engine';
import type { RoutingInput, RoutingRule } from './routing.rules';

describe('routing a case to the department responsible (属地管理)', () => {
  describe('by the rule and the severity', () => {
    it('sends a neighbour dispute in a village to that village’s mediation committee', () => {
      const decision = routed(routeCase({ category: '邻里', regionCode: EAST_VILLAGE }));
      expect(decision).toMatchObject({ ruleId: 'neighbours', leadDepartmentId: 'mc-east' });
      expect(decision.tier).toBe('village');
      expect(decision.explanation).toContain('命中规则 neighbours');
      expect(decision.explanation).toContain('小事不出村');
    });

    it('sends a major labour dispute to the township 人社 and a complex one to the county', () => {
      expect(routeCase({ category: '劳动争议', severity: 'major' })).toMatchObject({
        leadDepartmentId: 'hr-jiefang',
        tier: 'township',
      });
      expect(routeCase({ category: '劳动争议', severity: 'complex' })).toMatchObject({
        leadDepartmentId: 'hr-lixia',
        tier: 'county',
      });
    });

    it('lets a tier named on the rule override the severity', () => {
      const countyOnly = rule({ id: 'wages', category: '欠薪', tier: 'county' });
      expect(routeCase({ category: '欠薪', severity: 'minor' }, [countyOnly])).toMatchObject({
        leadDepartmentId: 'hr-lixia',
        tier: 'county',
      });
    });

    it('handles a case registered above the tier at its own level', () => {
      expect(routeCase({ category: '邻里', regionCode: LIXIA })).toMatchObject({
        leadDepartmentId: 'mc-lixia',
        tier: 'county',
      });
    });

    it('routes a case in a grid by the village the grid belongs to', () => {
      expect(routeCase({ category: '邻里', regionCode: EAST_GRID })).toMatchObject({
        leadDepartmentId: 'mc-east',
      });
    });
  });

  describe('when several rules match', () => {
    it('lets the most specific rule win over a general one', () => {
      const general = rule({ id: 'anything', leadDepartmentType: 'governance_center' });
      const decision = routed(routeCase({ category: '劳动争议' }, [general, ...RULES]));
      expect(decision.ruleId).toBe('labour');
      expect(decision.explanation).toContain('最具体');
    });

    it('lets a rule drawn for the village win over a category rule drawn for everywhere', () => {
      const village = rule({ id: 'east-village', regionCode: EAST_VILLAGE });
      expect(routeCase({ category: '劳动争议' }, [...RULES, village])).toMatchObject({
        ruleId: 'east-village',
      });
    });

    it('lets a category rule win over a kind rule for the same region', () => {
      const petitions = rule({
        id: 'petitions',
        kind: 'petition',
        leadDepartmentType: 'petition_bureau',
      });
      const labour = rule({ id: 'labour-any-kind', category: '劳动争议', tier: 'county' });
      expect(
        routeCase({ category: '劳动争议', kind: 'petition' }, [petitions, labour]),
      ).toMatchObject({ ruleId: 'labour-any-kind', leadDepartmentId: 'hr-lixia' });
    });
  });

  describe('resolving the department', () => {
    it('walks up tier by tier to the nearest region that has one, and says so', () => {
      const decision = routed(
        routeCase({ category: '劳动争议', severity: 'major', regionCode: WEST_VILLAGE }),
      );
      expect(decision).toMatchObject({ leadDepartmentId: 'hr-lixia', tier: 'county' });
      expect(decision.explanation).toContain(
        `${WEST_TOWNSHIP} 没有 human_resources，逐级向上至 ${LIXIA}`,
      );
    });

    it('takes the smallest id when several of the type share a region, and says so', () => {
      const twin = dept('mc-east-2', 'mediation_committee', EAST_VILLAGE, '东村第二调委会');
      const decision = routed(routeCase({ category: '邻里' }, RULES, [twin, ...DIRECTORY]));
      expect(decision.leadDepartmentId).toBe('mc-east');
      expect(decision.explanation).toContain('该区域有 2 个 mediation_committee，取 id 最小者');
    });

    it('resolves co-handlers from the same tier, walking up like the lead', () => {
      // 邻里 with a fight: the 派出所 sits at the township, above the village committee.
      const decision = routed(routeCase({ category: '邻里' }));
      expect(decision.coDepartmentIds).toEqual(['ps-jiefang']);
      expect(decision.explanation).toContain('协办：police_station「解放路派出所」');
    });

    it('skips co-handler types nobody covers, says so, and never lists the lead', () => {
      const busy = rule({
        id: 'busy',
        category: '物业',
        leadDepartmentType: 'mediation_committee',
        coDepartmentTypes: ['housing', 'mediation_committee', 'judicial_office', 'judicial_office'],
      });
      const decision = routed(routeCase({ category: '物业' }, [busy]));
      expect(decision).toMatchObject({
        leadDepartmentId: 'mc-east',
        coDepartmentIds: ['jo-jiefang'],
      });
      expect(decision.explanation).toContain('未找到协办 housing，略过');
    });
  });

  describe('when it cannot route', () => {
    it('leaves a case no rule matches waiting at its township’s 综治中心', () => {
      expect(routeCase({ category: '医疗', regionCode: EAST_GRID })).toMatchObject({
        outcome: 'unrouted',
        reason: 'no_rule',
        dispatcherRegionCode: JIEFANG,
      });
    });

    it('lets a county-level case without a rule wait at the county', () => {
      expect(routeCase({ category: '医疗', regionCode: LIXIA })).toMatchObject({
        reason: 'no_rule',
        dispatcherRegionCode: LIXIA,
      });
    });

    it('leaves it unrouted when no department of the lead type covers the region up to the city', () => {
      const decision = routeCase({ category: '污染' }, [
        rule({ id: 'pollution', category: '污染', leadDepartmentType: 'ecology_environment' }),
      ]);
      expect(decision).toMatchObject({
        outcome: 'unrouted',
        reason: 'no_department',
        dispatcherRegionCode: JIEFANG,
      });
      expect(decision.explanation).toContain('ecology_environment');
    });

    it('does not reach past the city to a province-level office', () => {
      const provincial = dept(
        'ee-shandong',
        'ecology_environment',
        '370000000000',
        '山东省生态环境厅',
      );
      const pollution = rule({
        id: 'pollution',
        category: '污染',
        leadDepartmentType: 'ecology_environment',
      });
      expect(routeCase({ category: '污染' }, [pollution], [provincial])).toMatchObject({
        reason: 'no_department',
      });
    });

    it('refuses a case whose region is not a region code', () => {
      expect(() => routeCase({ regionCode: '3701' })).toThrow(
        expect.objectContaining({ code: 'validation_failed' }),
      );
    });
  });
});

// --- fixtures: a corner of 济南 ---

const JINAN = '370100000000';
const LIXIA = '370102000000';
const JIEFANG = '370102001000';
const EAST_VILLAGE = '370102001201';
const EAST_GRID = '370102001201003';
const WEST_TOWNSHIP = '370102002000';
const WEST_VILLAGE = '370102002201';

function rule(overrides: Partial<RoutingRule> & { id: string }): RoutingRule {
  return {
    category: null,
    regionCode: null,
    kind: null,
    severity: null,
    leadDepartmentType: 'human_resources',
    coDepartmentTypes: [],
    tier: null,
    ...overrides,
  };
}

function dept(
  id: string,
  type: DirectoryDepartment['type'],
  regionCode: string,
  name: string,
): DirectoryDepartment {
  return { id, type, regionCode, name };
}

const RULES: readonly RoutingRule[] = [
  rule({
    id: 'neighbours',
    category: '邻里',
    kind: 'dispute',
    leadDepartmentType: 'mediation_committee',
    coDepartmentTypes: ['police_station'],
  }),
  rule({
    id: 'labour',
    category: '劳动争议',
    kind: 'dispute',
    coDepartmentTypes: ['judicial_office'],
  }),
];

const DIRECTORY: readonly DirectoryDepartment[] = [
  dept('mc-east', 'mediation_committee', EAST_VILLAGE, '东村人民调解委员会'),
  dept('mc-lixia', 'mediation_committee', LIXIA, '历下区人民调解委员会'),
  dept('ps-jiefang', 'police_station', JIEFANG, '解放路派出所'),
  dept('jo-jiefang', 'judicial_office', JIEFANG, '解放路司法所'),
  dept('hr-jiefang', 'human_resources', JIEFANG, '解放路街道劳动保障所'),
  dept('hr-lixia', 'human_resources', LIXIA, '历下区人力资源和社会保障局'),
  dept('gc-jinan', 'governance_center', JINAN, '济南市综治中心'),
];

function routeCase(
  overrides: Partial<RoutingInput>,
  rules: readonly RoutingRule[] = RULES,
  departments: readonly DirectoryDepartment[] = DIRECTORY,
): RoutingDecision {
  const input: RoutingInput = {
    category: '邻里',
    regionCode: EAST_VILLAGE,
    kind: 'dispute',
    severity: 'minor',
    ...overrides,
  };
  return route(input, rules, departments);
}

function routed(decision: RoutingDecision): RoutedDecision {
  if (decision.outcome !== 'routed') throw new Error(`unrouted: ${decision.explanation}`);
  return decision;
}
