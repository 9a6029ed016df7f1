import { caseStatsFacts, type LedgerCase } from '@casegrid/supervision';

/**
 * The ledger row's statistics columns (`GET /stats`), in the order of `statsValues`. Both
 * `LedgerStore.save` and the migration's backfill write them through here, from the one
 * pure `caseStatsFacts`, so a rebuilt row and a live one never disagree.
 */
export const STATS_COLUMNS = [
  'dispatched',
  'accepted',
  'outcome_status',
  'responded_on_time',
  'follow_up_count',
  'follow_up_satisfaction',
  'reopen_count',
  'submission_count',
  'clocks_ended',
  'clocks_met_on_time',
  'clocks_breached',
] as const;

/** Their SQL types, in the same order (the ledger's multi-row write declares them). */
export const STATS_COLUMN_TYPES: Readonly<Record<(typeof STATS_COLUMNS)[number], string>> = {
  dispatched: 'boolean',
  accepted: 'boolean',
  outcome_status: 'text',
  responded_on_time: 'boolean',
  follow_up_count: 'int',
  follow_up_satisfaction: 'text',
  reopen_count: 'int',
  submission_count: 'int',
  clocks_ended: 'int',
  clocks_met_on_time: 'int',
  clocks_breached: 'int',
};

export function statsValues(state: LedgerCase): unknown[] {
  const f = caseStatsFacts(state);
  return [
    f.dispatched,
    f.accepted,
    f.outcomeStatus,
    f.respondedOnTime,
    f.followUpCount,
    f.latestSatisfaction,
    f.reopenCount,
    f.submissionCount,
    f.clocksEnded,
    f.clocksMetOnTime,
    f.clocksBreached,
  ];
}
