import type { DepartmentType } from '@casegrid/identity';
import {
  CASE_KINDS,
  SEVERITIES,
  TIER_BY_SEVERITY,
  findTies,
  isCategory,
  route,
  selectRule,
  type DirectoryDepartment,
} from '@casegrid/intake';
import { readSeed } from '../identity/identity.seed';

/**
 * The demo organisation's routing table (seed/demo-organisation.json): saved as it is, it
 * must pass the check every save passes, and every rule must find its departments in the
 * seeded directory, at the tier it names, in every village.
 */
describe('the seeded routing rules', () => {
  const seed = readSeed();
  const rules = seed.routingRules;
  const directory: DirectoryDepartment[] = seed.departments.map((d) => ({
    ...d,
    type: d.type as DepartmentType,
  }));
  const regions = new Set(seed.regions.map((r) => r.code));
  const villages = seed.regions
    .filter((r) => /^\d{9}(?!000)\d{3}$/.test(r.code))
    .map((r) => r.code);

  it('has no ties', () => {
    expect(findTies(rules)).toEqual([]);
  });

  it('names known categories and seeded regions, with unique ids', () => {
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const rule of rules) {
      expect(rule.category === null || isCategory(rule.category)).toBe(true);
      expect(rule.regionCode === null || regions.has(rule.regionCode)).toBe(true);
    }
  });

  it('routes every case a rule wins, in every village, to its lead and co-handlers at its tier', () => {
    expect(villages).toHaveLength(8);
    let routed = 0;
    for (const regionCode of villages) {
      for (const rule of rules) {
        for (const kind of CASE_KINDS) {
          for (const severity of SEVERITIES) {
            const input = { category: rule.category ?? 'other', regionCode, kind, severity };
            if (selectRule(input, rules)?.rule !== rule) continue;
            const decision = route(input, rules, directory);
            const lead = directory.find(
              (d) => decision.outcome === 'routed' && d.id === decision.leadDepartmentId,
            );
            expect({
              rule: rule.id,
              input,
              lead: lead?.type,
              tier: decision.outcome === 'routed' && decision.tier,
            }).toEqual({
              rule: rule.id,
              input,
              lead: rule.leadDepartmentType,
              tier: rule.tier ?? TIER_BY_SEVERITY[severity],
            });
            expect(decision.outcome === 'routed' && decision.coDepartmentIds.length).toBe(
              rule.coDepartmentTypes.length,
            );
            routed++;
          }
        }
      }
    }
    expect(routed).toBeGreaterThan(100);
  });

  it('routes a petition to the subject matter department before the petition bureau', () => {
    const labour = {
      category: 'labor_wage',
      regionCode: '370103002001',
      kind: 'petition',
      severity: 'minor',
    } as const;
    expect(selectRule(labour, rules)?.rule.leadDepartmentType).toBe('human_resources');
    const other = { ...labour, category: 'other' };
    expect(selectRule(other, rules)?.rule.leadDepartmentType).toBe('petition_bureau');
  });

  it('keeps 山大路社区 neighbour disputes in the community whatever their severity', () => {
    const input = {
      category: 'neighbor',
      regionCode: '370102001001002',
      kind: 'dispute',
      severity: 'complex',
    } as const;
    const decision = route(input, rules, directory);
    expect(decision).toMatchObject({
      outcome: 'routed',
      tier: 'village',
      leadDepartmentId: '0193a000-0000-7000-8000-000000000055',
    });
    const elsewhere = route({ ...input, regionCode: '370102001002001' }, rules, directory);
    expect(elsewhere).toMatchObject({
      outcome: 'routed',
      tier: 'county',
      leadDepartmentId: '0193a000-0000-7000-8000-000000000021',
    });
  });
});
