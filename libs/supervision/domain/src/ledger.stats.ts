import { CST_OFFSET_MS } from '@casegrid/calendar';
import type { LedgerCase, OutcomeStatus } from './ledger.state';
import type { Satisfaction } from './supervision.events';

/**
 * What statistics read of one case (`GET /stats`, docs/statistics.md), derived from its
 * ledger view and written beside it as columns of the ledger row, so that the figures of
 * a period are one GROUP BY over an index range instead of a fold over every case.
 */
export interface CaseStatsFacts {
  /** Sent to a handling department at least once (派单). */
  readonly dispatched: boolean;
  /** Signed for (签收) by a handling department at least once. */
  readonly accepted: boolean;
  /** The outcome the case stands at now; `null` while handling or after a reopen. */
  readonly outcomeStatus: OutcomeStatus | null;
  /** Accepted, and no accept clock held by a lead department breached: first contact in time. */
  readonly respondedOnTime: boolean;
  readonly followUpCount: number;
  /** The requester's answer at the latest follow-up (回访); it speaks for the case. */
  readonly latestSatisfaction: Satisfaction | null;
  readonly reopenCount: number;
  readonly submissionCount: number;
  /** Clocks that ended: met (on time or late) or breached. */
  readonly clocksEnded: number;
  readonly clocksMetOnTime: number;
  /** Clocks breached at some point, including those met late afterwards. */
  readonly clocksBreached: number;
}

const wasBreached = (clock: LedgerCase['deadlines'][number]): boolean =>
  clock.state === 'breached' || (clock.state === 'met' && clock.late);

export function caseStatsFacts(state: LedgerCase): CaseStatsFacts {
  const accepted =
    state.track !== null ||
    state.holders.some((h) => h.handlerId !== null) ||
    state.resolvedAt !== null;
  const latest = state.followUps[state.followUps.length - 1];
  return {
    dispatched: state.holders.length > 0,
    accepted,
    outcomeStatus: state.outcome?.status ?? null,
    respondedOnTime:
      accepted &&
      !state.deadlines.some(
        (c) => c.obligation === 'accept' && c.holderRole === 'lead' && wasBreached(c),
      ),
    followUpCount: state.followUps.length,
    latestSatisfaction: latest?.satisfaction ?? null,
    reopenCount: state.reopenCount,
    submissionCount: state.submissionCount,
    clocksEnded: state.deadlines.filter((c) => c.state === 'met' || c.state === 'breached').length,
    clocksMetOnTime: state.deadlines.filter((c) => c.state === 'met' && !c.late).length,
    clocksBreached: state.deadlines.filter(wasBreached).length,
  };
}

/** The weights of the composite score and the credit of a 基本满意 (reference §3). */
export interface StatsSettings {
  readonly weights: {
    readonly response: number;
    readonly resolution: number;
    readonly satisfaction: number;
  };
  /** The part of a satisfied answer a 基本满意 (basically satisfied) counts for. */
  readonly basicSatisfaction: number;
}

export const DEFAULT_STATS_SETTINGS: StatsSettings = {
  weights: { response: 0.1, resolution: 0.5, satisfaction: 0.4 },
  basicSatisfaction: 0.9,
};

/** The counts of one group of cases, as the aggregate query sums them. */
export interface StatsCounts {
  readonly registered: number;
  /** Cases with a valid follow-up (有效回访): at least one recorded, with the requester's answer. */
  readonly followedUp: number;
  /** Of those, first contact in time (响应). */
  readonly responded: number;
  /** Of those, satisfied or basically satisfied at the latest follow-up and never reopened (解决). */
  readonly solved: number;
  readonly satisfied: number;
  readonly basicallySatisfied: number;
  readonly clocksEnded: number;
  readonly clocksMetOnTime: number;
  /** Cases submitted more than once (重复来件). */
  readonly repeated: number;
}

export interface StatsRates {
  readonly onTimeRate: number | null;
  readonly responseRate: number | null;
  readonly resolutionRate: number | null;
  readonly satisfactionRate: number | null;
  readonly compositeScore: number | null;
  readonly repeatRate: number | null;
}

/** Four decimals: enough for a percentage with two, and no float noise in the answer. */
const round = (value: number): number => Math.round(value * 10_000) / 10_000;

/** A share, or `null` when nothing was there to share (never 0 or NaN for "no data"). */
export const ratio = (numerator: number, denominator: number): number | null =>
  denominator > 0 ? round(numerator / denominator) : null;

/** The rates of a group (docs/statistics.md defines each). */
export function statsRates(counts: StatsCounts, settings: StatsSettings): StatsRates {
  const valid = counts.followedUp;
  const exact = (n: number): number | null => (valid > 0 ? n / valid : null);
  const response = exact(counts.responded);
  const resolution = exact(counts.solved);
  const satisfaction = exact(
    counts.satisfied + settings.basicSatisfaction * counts.basicallySatisfied,
  );
  const { weights } = settings;
  return {
    onTimeRate: ratio(counts.clocksMetOnTime, counts.clocksEnded),
    responseRate: response === null ? null : round(response),
    resolutionRate: resolution === null ? null : round(resolution),
    satisfactionRate: satisfaction === null ? null : round(satisfaction),
    // Weighted from the unrounded rates, so rounding happens once.
    compositeScore:
      response === null || resolution === null || satisfaction === null
        ? null
        : round(
            weights.response * response +
              weights.resolution * resolution +
              weights.satisfaction * satisfaction,
          ),
    repeatRate: ratio(counts.repeated, counts.registered),
  };
}

/** The start of the China-time month an instant falls in. */
export function startOfChinaMonth(instant: Date): Date {
  const local = new Date(instant.getTime() + CST_OFFSET_MS);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - CST_OFFSET_MS);
}

/** The start of the China-time month after the one an instant falls in. */
export function startOfNextChinaMonth(instant: Date): Date {
  const local = new Date(instant.getTime() + CST_OFFSET_MS);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 1) - CST_OFFSET_MS);
}

/**
 * The period `[from, to)` statistics count registrations in. Unset, it is the China-time
 * month of `now`; `from` alone runs to the end of its month; `to` alone starts at the
 * beginning of the month it ends in.
 */
export function statsPeriod(now: Date, from?: Date, to?: Date): { from: Date; to: Date } {
  if (from && to) return { from, to };
  if (from) return { from, to: startOfNextChinaMonth(from) };
  if (to) return { from: startOfChinaMonth(new Date(to.getTime() - 1)), to };
  return { from: startOfChinaMonth(now), to: startOfNextChinaMonth(now) };
}
