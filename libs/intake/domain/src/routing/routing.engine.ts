import { ValidationError } from '@casegrid/kernel';
import { regionTier, type DepartmentType } from '@casegrid/identity';
import {
  TIER_BY_SEVERITY,
  coveringDepartment,
  dispatcherRegionOf,
  startRegion,
  type Covering,
  type DirectoryDepartment,
} from './routing.directory';
import { explainNoDepartment, explainNoRule, explainRouted } from './routing.explanation';
import {
  selectRule,
  type RoutingInput,
  type RoutingRule,
  type RoutingTier,
  type RuleSelection,
} from './routing.rules';

export interface RoutedDecision {
  readonly outcome: 'routed';
  readonly ruleId: string;
  readonly leadDepartmentId: string;
  readonly coDepartmentIds: readonly string[];
  readonly explanation: string;
  /** The tier the lead department actually sits at (above the rule's when it walked up). */
  readonly tier: RoutingTier;
}

export interface UnroutedDecision {
  readonly outcome: 'unrouted';
  readonly reason: 'no_rule' | 'no_department';
  readonly explanation: string;
  /** The township whose 综治中心 the case waits at for a dispatcher. */
  readonly dispatcherRegionCode: string;
}

export type RoutingDecision = RoutedDecision | UnroutedDecision;

/**
 * Routes a case to the department responsible (属地管理):
 *
 * 1. The most specific matching rule wins (see `Specificity`); no rule → `no_rule`.
 * 2. The rule's tier, or the case's severity, picks the level (小事不出村、大事不出镇、
 *    难事不出县); the search starts at the case region's ancestor at that level, or at
 *    the case's own region when it sits above it.
 * 3. The lead is the department of the rule's type there, or at the nearest ancestor up
 *    to the city; none → `no_department`.
 * 4. Each co-handler type is resolved the same way from the same start; types not found
 *    are skipped and the lead is never its own co-handler.
 *
 * An unrouted case waits at its township's 综治中心 for a dispatcher. Pure: the same
 * input, rules and directory, in any order, give the same decision.
 */
export function route(
  input: RoutingInput,
  rules: readonly RoutingRule[],
  departments: readonly DirectoryDepartment[],
): RoutingDecision {
  if (regionTier(input.regionCode) === undefined) {
    throw new ValidationError([
      { field: 'regionCode', message: `not a region code: ${input.regionCode}` },
    ]);
  }
  const dispatcherRegionCode = dispatcherRegionOf(input.regionCode);
  const selection = selectRule(input, rules);
  if (selection === undefined) {
    const explanation = explainNoRule(input, dispatcherRegionCode);
    return { outcome: 'unrouted', reason: 'no_rule', explanation, dispatcherRegionCode };
  }
  return resolveDepartments(selection, input, departments, dispatcherRegionCode);
}

function resolveDepartments(
  selection: RuleSelection,
  input: RoutingInput,
  departments: readonly DirectoryDepartment[],
  dispatcherRegionCode: string,
): RoutingDecision {
  const { rule } = selection;
  const tier = rule.tier ?? TIER_BY_SEVERITY[input.severity];
  const start = startRegion(input.regionCode, tier);
  const lead = coveringDepartment(rule.leadDepartmentType, start, departments);
  if (lead === undefined) {
    const explanation = explainNoDepartment(selection, input, tier, start, dispatcherRegionCode);
    return { outcome: 'unrouted', reason: 'no_department', explanation, dispatcherRegionCode };
  }
  const { co, missingCo } = coHandlers(rule.coDepartmentTypes, start, lead, departments);
  return {
    outcome: 'routed',
    ruleId: rule.id,
    leadDepartmentId: lead.department.id,
    coDepartmentIds: co.map((c) => c.department.id),
    tier: lead.tier,
    explanation: explainRouted({ selection, input, tier, lead, co, missingCo }),
  };
}

/** Co-handlers in the rule's order, each once, never the lead itself. */
function coHandlers(
  types: readonly DepartmentType[],
  start: string,
  lead: Covering,
  departments: readonly DirectoryDepartment[],
): { co: Covering[]; missingCo: DepartmentType[] } {
  const co: Covering[] = [];
  const missingCo: DepartmentType[] = [];
  const taken = new Set([lead.department.id]);
  for (const type of new Set(types)) {
    const found = coveringDepartment(type, start, departments);
    if (found === undefined) missingCo.push(type);
    else if (!taken.has(found.department.id)) {
      taken.add(found.department.id);
      co.push(found);
    }
  }
  return { co, missingCo };
}
