import type { FieldError } from '@casegrid/kernel';
import { deadlinePolicyProblems, type DeadlinePolicy } from './deadline-policy';

/**
 * Every problem of a list of policies to save (`items[i].…`): each policy's own, a code
 * given twice, and a code whose stored policy is for another obligation (`current`: the
 * policies as they stand) — a code keeps its obligation, since the clocks started under it
 * are that obligation's; another obligation takes a code of its own. The save and its
 * preview refuse the same lists.
 */
export function deadlinePoliciesProblems(
  policies: readonly DeadlinePolicy[],
  current: readonly DeadlinePolicy[] = [],
): FieldError[] {
  const errors = policies.flatMap((policy, i) => deadlinePolicyProblems(policy, `items[${i}]`));
  const codes = policies.map((p) => p.code);
  codes.forEach((code, i) => {
    if (codes.indexOf(code) !== i)
      errors.push({ field: `items[${i}].code`, message: 'appears twice' });
  });
  const stored = new Map(current.map((p) => [p.code, p.obligation]));
  policies.forEach((policy, i) => {
    const obligation = stored.get(policy.code);
    if (obligation !== undefined && obligation !== policy.obligation) {
      errors.push({
        field: `items[${i}].obligation`,
        message: `must stay ${obligation}: ${policy.code} is that obligation's policy (give another obligation's policy a code of its own)`,
      });
    }
  });
  return errors;
}

/** A stored version without what the store adds to it (its number, when, how applied). */
export const policyOf = <P extends DeadlinePolicy>(stored: P): DeadlinePolicy => {
  const {
    version: _version,
    effectiveFrom: _effectiveFrom,
    applyToRunning: _applyToRunning,
    ...policy
  } = stored as P & { version?: unknown; effectiveFrom?: unknown; applyToRunning?: unknown };
  return policy;
};

const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : value !== null && typeof value === 'object'
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
        )
      : value;

/** Whether saving `policy` over the stored version changes it (a save of the same adds no version). */
export const samePolicy = (stored: DeadlinePolicy, policy: DeadlinePolicy): boolean =>
  JSON.stringify(canonical(policyOf(stored))) === JSON.stringify(canonical(policy));
