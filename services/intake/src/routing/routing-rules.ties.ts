import { findTies, type RoutingRule } from '@casegrid/intake';
import { IllegalStateError } from '@casegrid/kernel';

const criterion = (value: string | null): string => value ?? 'any';

/** The criteria a rule matches on, as an administrator reads them. */
export const describeCriteria = (rule: RoutingRule): string =>
  `category ${criterion(rule.category)}, region ${criterion(rule.regionCode)}, ` +
  `kind ${criterion(rule.kind)}, severity ${criterion(rule.severity)}`;

/**
 * Refuses to save `saved` when, beside `others` (the table without its old version), some
 * case would match it and another rule equally specifically. Ties among `others` alone
 * are not the saver's doing and are not reported; saves never let one in.
 */
export function assertNoTie(saved: RoutingRule, others: readonly RoutingRule[]): void {
  const tie = findTies([saved, ...others]).find(([first]) => first === saved);
  if (tie === undefined) return;
  const [, other] = tie;
  throw new IllegalStateError(
    `routing rule ${other.id} already covers exactly the same cases (${describeCriteria(saved)}); ` +
      'edit that rule instead, or narrow this one',
    'routing.rule_tie',
  );
}
