import type { DepartmentType } from '@casegrid/identity';
import { isAboveTier, type Covering } from './routing.directory';
import type { RoutingInput, RoutingRule, RoutingTier, RuleSelection } from './routing.rules';

/*
 * The text a dispatcher reads next to every decision, so that an automatic dispatch can be
 * checked and contested: which rule, why it matched, which tier, which department covers
 * the region. Chinese prose around the machine's own codes, ids and type keys.
 */

const ANY = '不限';

const criteria = (rule: RoutingRule): string =>
  [
    `类别 ${rule.category ?? ANY}`,
    `区域 ${rule.regionCode === null ? ANY : `${rule.regionCode} 辖内`}`,
    `类型 ${rule.kind ?? ANY}`,
    `严重程度 ${rule.severity ?? ANY}`,
  ].join('、');

const facts = (input: RoutingInput): string =>
  `类别 ${input.category}、区域 ${input.regionCode}、类型 ${input.kind}、严重程度 ${input.severity}`;

const sentence = (clauses: readonly string[]): string => `${clauses.join('；')}。`;

const waiting = (dispatcherRegionCode: string): string =>
  `在 ${dispatcherRegionCode} 综治中心等待人工分派`;

export const explainNoRule = (input: RoutingInput, dispatcherRegionCode: string): string =>
  sentence([`案件（${facts(input)}）没有匹配的分派规则`, waiting(dispatcherRegionCode)]);

function explainRule({ rule, matched, tiedWith }: RuleSelection): string {
  const clauses = [`命中规则 ${rule.id}（${criteria(rule)}）`];
  if (matched > 1) {
    clauses.push(`在 ${matched} 条命中规则中最具体（先比区域层级，再比类别、类型、严重程度）`);
  }
  if (tiedWith > 0) {
    clauses.push(`与 ${tiedWith} 条同样具体的规则并列，取 id 最小者（并列本应在保存规则时被拒绝）`);
  }
  return clauses.join('，');
}

function explainTier(rule: RoutingRule, input: RoutingInput, tier: RoutingTier): string {
  const why =
    rule.tier === null
      ? `按严重程度 ${input.severity}：小事不出村、大事不出镇、难事不出县`
      : '规则指定';
  const above = isAboveTier(input.regionCode, tier)
    ? `，案件区域 ${input.regionCode} 在该层级之上，按本级处理`
    : '';
  return `处理层级 ${tier}（${why}）${above}`;
}

function explainCovering(role: '牵头' | '协办', type: DepartmentType, found: Covering): string {
  const { department, tier, start, atRegion } = found;
  const clauses = [
    `${role}：${type}「${department.name}」(${department.id})，属地 ${department.regionCode}（${tier}）`,
  ];
  if (department.regionCode !== start) {
    clauses.push(`${start} 没有 ${type}，逐级向上至 ${department.regionCode}`);
  }
  if (atRegion > 1) clauses.push(`该区域有 ${atRegion} 个 ${type}，取 id 最小者`);
  return clauses.join('，');
}

export interface RoutedStory {
  readonly selection: RuleSelection;
  readonly input: RoutingInput;
  readonly tier: RoutingTier;
  readonly lead: Covering;
  readonly co: readonly Covering[];
  readonly missingCo: readonly DepartmentType[];
}

export function explainRouted(story: RoutedStory): string {
  const { selection, input, tier, lead, co, missingCo } = story;
  const { rule } = selection;
  return sentence([
    explainRule(selection),
    explainTier(rule, input, tier),
    explainCovering('牵头', rule.leadDepartmentType, lead),
    ...co.map((c) => explainCovering('协办', c.department.type, c)),
    ...(missingCo.length > 0 ? [`未找到协办 ${missingCo.join('、')}，略过`] : []),
  ]);
}

export function explainNoDepartment(
  selection: RuleSelection,
  input: RoutingInput,
  tier: RoutingTier,
  start: string,
  dispatcherRegionCode: string,
): string {
  const { rule } = selection;
  return sentence([
    explainRule(selection),
    explainTier(rule, input, tier),
    `自 ${start} 逐级向上至市级都没有 ${rule.leadDepartmentType}`,
    waiting(dispatcherRegionCode),
  ]);
}
