import { quoteSchema } from '@casegrid/event-store';
import { CasegridClock } from '@casegrid/platform';
import { DeadlineScheduler, FIRE_CONCURRENCY } from '@casegrid/service-supervision';
import type { BreachDelaySpec, PhaseResult } from './phase-spec';
import { openSupervisionBench } from './supervision-runtime';

/**
 * How late breaches are recorded on a healthy system (issue 17): supervision's deadline
 * scheduler runs its own loop, as the service starts it, on a clock at wall speed set
 * `leadMs` before the earliest seeded due time. Working-day clocks end at 24:00, so the
 * seeded accept clocks all fall due at that one midnight, as a day's clocks do. Each
 * breach's delay is its `recorded_at` (the start of its transaction) on the scheduler's
 * clock, less the clock's `dueAt`.
 *
 * Not included: the producers' watermarks. This scheduler has no `WatermarkReader` (no
 * service writes here), so nothing holds a firing back; on a running system each firing
 * also waits until supervision has applied what was committed before the due time, which
 * on a healthy one is the ledger's lag (`bench:http`, ledger visibility).
 */
export const runBreachDelay = async (spec: BreachDelaySpec): Promise<PhaseResult> => {
  // The scheduler's connections, and one for this phase's own polling.
  const bench = await openSupervisionBench(spec.url, spec.schema, FIRE_CONCURRENCY + 1);
  const pool = bench.runtime.db.pool;
  const s = quoteSchema(spec.schema);
  try {
    const first = (
      await pool.query<{ first: Date }>(`select min(fire_at) as first from ${s}.case_timers`)
    ).rows[0]!.first;
    const dueClocks = Number(
      (
        await pool.query<{ n: string }>(
          `select count(*) as n from ${s}.ledger l, jsonb_array_elements(l.state->'deadlines') d
           where d->>'state' = 'running' and (d->>'dueAt')::timestamptz <= $1`,
          [first],
        )
      ).rows[0]!.n,
    );
    let errors = 0;
    const clock = new CasegridClock(new Date(first.getTime() - spec.leadMs));
    const scheduler = new DeadlineScheduler(
      pool,
      bench.ledger,
      bench.context,
      clock,
      spec.pollIntervalMs,
      () => (errors += 1),
    );
    // Policies and calendar read before the clock starts, as a running service has them.
    await bench.context.get();
    const offsetMs = clock.now().getTime() - Date.now();
    scheduler.start();
    const giveUpAt = first.getTime() + spec.timeoutMs;
    for (;;) {
      const breached = Number(
        (
          await pool.query<{ n: string }>(
            `select count(*) as n from ${s}.events where event_type = 'DeadlineBreached'`,
          )
        ).rows[0]!.n,
      );
      if (breached >= dueClocks && clock.now() > first) break;
      if (clock.now().getTime() > giveUpAt) {
        throw new Error(`${breached} of ${dueClocks} due clocks breached in time`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await scheduler.stop();
    const { rows } = await pool.query<{ recorded: string; due: string }>(
      `select (extract(epoch from recorded_at) * 1000)::float8 as recorded,
              (extract(epoch from (data->>'dueAt')::timestamptz) * 1000)::float8 as due
       from ${s}.events where event_type = 'DeadlineBreached'`,
    );
    const delaysMs = rows
      .map((r) => Number(r.recorded) + offsetMs - Number(r.due))
      .sort((a, b) => a - b);
    return { kind: 'breach-delay', dueClocks, delaysMs, errors };
  } finally {
    await bench.close();
  }
};
