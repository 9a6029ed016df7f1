import { ValidationError } from '@casegrid/kernel';
import { isWithinRegion, regionTier, REGION_TIERS, type DepartmentType } from '@casegrid/identity';
import type { CaseKind, Severity } from '../case.events';

/** The tiers a case is handled at (DESIGN.md, Case lifecycle: village → township → county → city). */
export const ROUTING_TIERS = ['village', 'township', 'county', 'city'] as const;
export type RoutingTier = (typeof ROUTING_TIERS)[number];

/**
 * One line of the centre's routing table (属地管理: category × territory → the department
 * responsible). Every criterion left `null` matches anything.
 */
export interface RoutingRule {
  readonly id: string;
  readonly category: string | null;
  /** The rule applies to cases whose region lies within this code's subtree. */
  readonly regionCode: string | null;
  readonly kind: CaseKind | null;
  readonly severity: Severity | null;
  readonly leadDepartmentType: DepartmentType;
  readonly coDepartmentTypes: readonly DepartmentType[];
  /**
   * Tier of the lead department; `null` = by severity: minor → village, major → township,
   * complex → county (小事不出村、大事不出镇、难事不出县).
   */
  readonly tier: RoutingTier | null;
}

/** What routing needs to know about a registered case. */
export interface RoutingInput {
  readonly category: string;
  readonly regionCode: string;
  readonly kind: CaseKind;
  readonly severity: Severity;
}

/**
 * How specific a rule is, compared component by component, left to right:
 *
 * 1. Region depth (grid 6 > village 5 > township 4 > county 3 > city 2 > province 1 >
 *    none 0). 属地管理: a rule drawn for one village is that locality's own arrangement
 *    and overrides a county-wide one, whatever else either names.
 * 2. Category. Statute assigns the competent department by subject matter (谁主管、谁负责;
 *    domain-rules §6): a labour petition goes to 人社 before a "petitions → 信访办" rule.
 * 3. Kind. Dispute or petition picks the procedure (mediation or the 信访工作条例).
 * 4. Severity, last: when a rule leaves `tier` null, severity already picks the tier, so a
 *    severity criterion is the weakest refinement.
 *
 * A fixed order rather than a count of named criteria, because then two rules are equally
 * specific only when they name the same criteria at the same region depth, and two regions
 * at one depth overlap only when equal: the only possible tie is two rules with identical
 * criteria, an error an administrator understands at once ("rule X already covers exactly
 * these cases"). Counting named criteria instead would make a {category} rule and a {kind}
 * rule for one region tie on every case in their overlap; a third {category, kind} rule
 * would route those cases, but both would still match them equally, so the pair could
 * never be saved.
 */
export type Specificity = readonly [region: number, category: 0 | 1, kind: 0 | 1, severity: 0 | 1];

const named = (criterion: string | null): 0 | 1 => (criterion === null ? 0 : 1);

/** Depth of a region code: province 1 … grid 6. A malformed code is a rule that must not be saved. */
function regionDepth(code: string): number {
  const tier = regionTier(code);
  if (tier === undefined) {
    throw new ValidationError([{ field: 'regionCode', message: `not a region code: ${code}` }]);
  }
  return REGION_TIERS.indexOf(tier) + 1;
}

export function specificity(rule: RoutingRule): Specificity {
  return [
    rule.regionCode === null ? 0 : regionDepth(rule.regionCode),
    named(rule.category),
    named(rule.kind),
    named(rule.severity),
  ];
}

/** Negative when `a` is less specific than `b`, zero when equally specific, positive when more. */
export function compareSpecificity(a: RoutingRule, b: RoutingRule): number {
  return compareTuples(specificity(a), specificity(b));
}

function compareTuples(a: Specificity, b: Specificity): number {
  for (let i = 0; i < a.length; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** A rule matches when every criterion it names matches the case. */
export function ruleMatches(rule: RoutingRule, input: RoutingInput): boolean {
  return (
    (rule.category === null || rule.category === input.category) &&
    (rule.regionCode === null || isWithinRegion(input.regionCode, rule.regionCode)) &&
    (rule.kind === null || rule.kind === input.kind) &&
    (rule.severity === null || rule.severity === input.severity)
  );
}

const sameOrAny = (a: string | null, b: string | null): boolean =>
  a === null || b === null || a === b;

/** Whether some case matches both rules: every criterion pair admits a common value. */
function overlap(a: RoutingRule, b: RoutingRule): boolean {
  const regions =
    a.regionCode === null ||
    b.regionCode === null ||
    isWithinRegion(a.regionCode, b.regionCode) ||
    isWithinRegion(b.regionCode, a.regionCode);
  return (
    regions &&
    sameOrAny(a.category, b.category) &&
    sameOrAny(a.kind, b.kind) &&
    sameOrAny(a.severity, b.severity)
  );
}

/**
 * Every pair of rules that can both match one case with equal specificity, so that neither
 * is "the most specific". Called on save with the rule set as it will be afterwards (an
 * edited rule replacing its old version): any pair found is an administrator's error.
 * Pairs are taken by position, so one rule listed twice is reported too.
 */
export function findTies(rules: readonly RoutingRule[]): Array<[RoutingRule, RoutingRule]> {
  const ranked = rules.map((rule) => ({ rule, specificity: specificity(rule) }));
  const ties: Array<[RoutingRule, RoutingRule]> = [];
  ranked.forEach((a, i) => {
    for (const b of ranked.slice(i + 1)) {
      if (compareTuples(a.specificity, b.specificity) === 0 && overlap(a.rule, b.rule)) {
        ties.push([a.rule, b.rule]);
      }
    }
  });
  return ties;
}

export interface RuleSelection {
  readonly rule: RoutingRule;
  /** How many rules matched the case; the chosen one is the most specific of them. */
  readonly matched: number;
  /** Matching rules as specific as the chosen one: zero unless a tie slipped past the save. */
  readonly tiedWith: number;
}

const byId = (a: RoutingRule, b: RoutingRule): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The most specific matching rule. Should a tie have slipped past `findTies`, the smallest
 * id wins, so the decision still never depends on the order rules were loaded in.
 */
export function selectRule(
  input: RoutingInput,
  rules: readonly RoutingRule[],
): RuleSelection | undefined {
  const ranked = rules
    .filter((rule) => ruleMatches(rule, input))
    .map((rule) => ({ rule, specificity: specificity(rule) }))
    .sort((a, b) => compareTuples(b.specificity, a.specificity) || byId(a.rule, b.rule));
  const best = ranked[0];
  if (best === undefined) return undefined;
  const tiedWith = ranked.filter((r) => compareTuples(r.specificity, best.specificity) === 0);
  return { rule: best.rule, matched: ranked.length, tiedWith: tiedWith.length - 1 };
}
