import { CasegridClock } from '@casegrid/platform';
import { DeadlineScheduler, FIRE_CONCURRENCY } from '@casegrid/service-supervision';
import type { BreachFireSpec, PhaseResult } from './phase-spec';
import { openSupervisionBench } from './supervision-runtime';

/**
 * One instance of supervision's deadline scheduler, as the service builds it, catching up
 * on every breach due at `fireAt` in one `runDue()` round. Instances started together
 * wait for the same instant, so their rounds overlap as two replicas' would.
 */
export const runBreachFire = async (spec: BreachFireSpec): Promise<PhaseResult> => {
  // As many connections as the scheduler uses at once (the find-due query runs between batches).
  const bench = await openSupervisionBench(spec.url, spec.schema, FIRE_CONCURRENCY + 1);
  try {
    const scheduler = new DeadlineScheduler(
      bench.runtime.db.pool,
      bench.ledger,
      bench.context,
      new CasegridClock(new Date(spec.fireAt)),
      1_000,
      (error) => {
        throw error;
      },
    );
    // Policies and calendar read before the clock starts, as a running service has them.
    await bench.context.get();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, spec.startAt - Date.now())));
    const began = Date.now();
    const cpu = process.cpuUsage();
    const run = await scheduler.runDue();
    const used = process.cpuUsage(cpu);
    return {
      kind: 'breach-fire',
      fired: run.fired,
      skipped: run.skipped,
      began,
      ended: Date.now(),
      cpuMicros: used.user + used.system,
    };
  } finally {
    await bench.close();
  }
};
