import { dueAt, warnAt, type Period, type WorkingCalendar } from '@casegrid/calendar';
import type { DeadlinePolicy } from '@casegrid/deadlines';
import type { LedgerCase } from './ledger.state';
import type { ClockBasis, ClockRules } from './supervision.events';

/** A policy as it stands, with the version a clock records. */
export interface VersionedDeadlinePolicy extends DeadlinePolicy {
  readonly version: number;
}

/** What the clock engine counts with: the live policies and the official calendar. */
export interface ClockContext {
  readonly policies: readonly VersionedDeadlinePolicy[];
  readonly calendar: WorkingCalendar;
}

type Facts = Pick<LedgerCase, 'kind' | 'severity' | 'urgency' | 'track'>;

/**
 * How specific a policy is for a case, or -1 when it does not apply. Urgency outranks the
 * rest (an urgent matter is urgent whatever its severity), then track, severity, kind.
 */
export function specificity(policy: DeadlinePolicy, facts: Facts): number {
  const { kind, severity, urgency, track } = policy.appliesTo;
  if (kind && kind !== facts.kind) return -1;
  if (severity && severity !== facts.severity) return -1;
  if (urgency && urgency !== facts.urgency) return -1;
  if (track && track !== facts.track) return -1;
  return (urgency ? 8 : 0) + (track ? 4 : 0) + (severity ? 2 : 0) + (kind ? 1 : 0);
}

/** For each obligation an event starts, the one policy that governs this case. */
export function policiesStartedBy(
  eventType: string,
  facts: Facts,
  policies: readonly VersionedDeadlinePolicy[],
): VersionedDeadlinePolicy[] {
  const best = new Map<string, { policy: VersionedDeadlinePolicy; score: number }>();
  for (const policy of policies) {
    if (!policy.startOn.includes(eventType)) continue;
    const score = specificity(policy, facts);
    if (score < 0) continue;
    const current = best.get(policy.obligation);
    if (
      !current ||
      score > current.score ||
      (score === current.score && policy.code < current.policy.code)
    ) {
      best.set(policy.obligation, { policy, score });
    }
  }
  return [...best.values()].map((b) => b.policy);
}

export const rulesOf = (policy: DeadlinePolicy): ClockRules => ({
  stopOn: policy.stopOn,
  pauseOn: policy.pauseOn,
  resumeOn: policy.resumeOn,
  extendOn: policy.extendOn ?? [],
  warnBefore: policy.warnBefore,
  extension: { maxTimes: policy.extension.maxTimes, maxTotal: policy.extension.maxTotal },
});

export interface Timing {
  readonly dueAt: string;
  readonly warnAt: string;
  readonly fallback: boolean;
}

const HOUR_MS = 3_600_000;

/**
 * A clock's due and warning times from its basis: the period, plus every extension, plus
 * the time spent paused, counted from its start on the calendar. A clock whose due time
 * came with its starting event (a supervision order's) moves by the same amounts.
 */
export function timingOf(
  calendar: WorkingCalendar,
  startedAt: string,
  basis: Pick<ClockBasis, 'unit' | 'length' | 'eventDueAt' | 'pauses' | 'extensions'>,
  warnBefore: Period,
): Timing {
  const added =
    basis.extensions.reduce((sum, e) => sum + e.length, 0) +
    basis.pauses.reduce((sum, p) => sum + (p.length ?? 0), 0);
  const start = new Date(startedAt);
  if (basis.eventDueAt !== null) {
    const perUnit = basis.unit === 'hours' ? HOUR_MS : 24 * HOUR_MS;
    const due = new Date(new Date(basis.eventDueAt).getTime() + added * perUnit);
    const warn = warnAt(
      calendar,
      start,
      { dueAt: due, lastDay: null, fallback: false },
      warnBefore,
    );
    return { dueAt: due.toISOString(), warnAt: warn.toISOString(), fallback: false };
  }
  const due = dueAt(calendar, start, { length: basis.length + added, unit: basis.unit });
  return {
    dueAt: due.dueAt.toISOString(),
    warnAt: warnAt(calendar, start, due, warnBefore).toISOString(),
    fallback: due.fallback,
  };
}
