import { startOfChinaDay } from '@casegrid/calendar';
import { prepared, quoteSchema, type Prepared, type Queryable } from '@casegrid/event-store';
import type { LedgerCase, Recount } from '@casegrid/supervision';
import type { PendingReschedule } from './reschedule.jobs';

/**
 * Which cases a recount need look at, by what the ledger rows say of their running clocks:
 * - a calendar year: clocks due after the year began (a count that ends before it never
 *   reads a day of it, and the fallback flag depends only on the years counted through);
 * - a policy: clocks started under its code, and clocks of its obligation (it may now
 *   govern them: `policyFor`).
 * A wider net than the moves (`clockMoves` decides exactly); what it saves is loading every
 * open case. A running clock always has a timer, so the walk is over `case_timers`' key.
 */
export type CandidateFilter =
  | { readonly dueAfter: string }
  | { readonly policies: readonly string[]; readonly obligations: readonly string[] };

/** Where a calendar year's candidates begin: clocks due after its first day began. */
const yearBegins = (year: number): string => startOfChinaDay(`${year}-01-01`).toISOString();

export const candidateFilterOf = (recounts: readonly Recount[]): CandidateFilter => {
  const calendars = recounts.flatMap((r) => (r.kind === 'calendar' ? [r.year] : []));
  if (calendars.length > 0) {
    return { dueAfter: yearBegins(Math.min(...calendars)) };
  }
  const policies = recounts.flatMap((r) => (r.kind === 'deadline_policy' ? [r.policy] : []));
  return {
    policies: policies.map((p) => p.code),
    obligations: [...new Set(policies.map((p) => p.obligation))],
  };
};

/**
 * The pending job that may still move one of the case's running clocks, if any: its walk has
 * not passed the case (cases are walked in id order) and the case is one of its candidates,
 * by the same test as the walk's queries. The scheduler holds such a case's firing until the
 * job has passed it, so that no clock is warned or breached on the count the change replaces
 * (the seconds between a change reaching supervision and its batch).
 */
export const pendingRescheduleOf = (
  state: LedgerCase,
  jobs: readonly PendingReschedule[],
): PendingReschedule | undefined =>
  jobs.find((job) => {
    if (job.afterCaseId !== null && state.id <= job.afterCaseId) return false;
    const running = state.deadlines.filter((clock) => clock.state === 'running');
    return job.kind === 'calendar'
      ? running.some((clock) => clock.dueAt > yearBegins(Number(job.key)))
      : running.some(
          (clock) => clock.basis.policy === job.key || clock.obligation === job.obligation,
        );
  });

const FIRST_KEY = '00000000-0000-0000-0000-000000000000';

export class RecountCandidates {
  private readonly byDue: Prepared;
  private readonly byPolicy: Prepared;

  constructor(schema: string) {
    const s = quoteSchema(schema);
    const page = (clock: string) => `select t.case_id from ${s}.case_timers t
      join ${s}.ledger l on l.case_id = t.case_id
      where t.case_id > $1::uuid and exists (
        select 1 from jsonb_array_elements(l.state->'deadlines') c
        where c->>'state' = 'running' and ${clock})
      order by t.case_id limit $2`;
    // Due times are written by the clock engine as ISO instants in UTC: they sort as text.
    this.byDue = prepared(page(`c->>'dueAt' > $3`));
    this.byPolicy = prepared(
      page(`(c->'basis'->>'policy' = any($3::text[]) or c->>'obligation' = any($4::text[]))`),
    );
  }

  /** Up to `limit` candidate case ids after `after` (a case id; null from the start), in key order. */
  async page(
    db: Queryable,
    filter: CandidateFilter,
    after: string | null,
    limit: number,
  ): Promise<string[]> {
    const [statement, values] =
      'dueAfter' in filter
        ? [this.byDue, [filter.dueAfter]]
        : [this.byPolicy, [[...filter.policies], [...filter.obligations]]];
    const { rows } = await db.query<{ case_id: string }>(
      statement.with([after ?? FIRST_KEY, limit, ...values]),
    );
    return rows.map((r) => r.case_id);
  }
}
