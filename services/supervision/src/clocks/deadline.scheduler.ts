import type { Pool } from 'pg';
import { inTransaction, quoteSchema, type Queryable } from '@casegrid/event-store';
import { ConcurrencyError, uuidv7 } from '@casegrid/kernel';
import { fire, nextFireAt, type Clock } from '@casegrid/supervision';
import type { CasegridClock } from '@casegrid/platform';
import type { LedgerStore } from '../ledger/ledger.store';
import type { ClockContextSource } from './clock-context';
import { pendingRescheduleOf } from './recount.candidates';
import type { PendingReschedule, RescheduleJobs } from './reschedule.jobs';
import { watermarkOf, type WatermarkReader } from './watermarks';

/** Due cases taken per query; a round walks on past them until none is left. */
export const DUE_BATCH = 100;

/**
 * Due cases fired at once by one instance, each on a connection of the service's pool
 * (10 by default), so HTTP and the consumers keep most of it.
 */
export const FIRE_CONCURRENCY = 4;

/**
 * The find-due statement: the earliest timers at or before `$1` after the keyset
 * `($2, $3)`, a range scan of `case_timers_due (fire_at, case_id)` that stops after a
 * batch, so its cost does not grow with the number of open clocks. Exported so that
 * `npm run bench` measures (and EXPLAINs) the very statement the scheduler runs.
 */
export const dueCasesSql = (schema: string): string =>
  `select case_id, fire_at from ${quoteSchema(schema)}.case_timers
   where fire_at <= $1 and (fire_at, case_id) > ($2::timestamptz, $3::uuid)
   order by fire_at, case_id limit ${DUE_BATCH}`;

const START_KEY = ['-infinity', '00000000-0000-0000-0000-000000000000'] as const;

/** Up to `DUE_BATCH` cases due at `now` after `after` (fire time, case id), earliest first. */
export const findDueCases = async (
  db: Queryable,
  schema: string,
  now: Date,
  after: readonly [Date | string, string] = START_KEY,
): Promise<{ caseId: string; fireAt: Date }[]> => {
  const { rows } = await db.query<{ case_id: string; fire_at: Date }>(dueCasesSql(schema), [
    now,
    ...after,
  ]);
  return rows.map((r) => ({ caseId: r.case_id, fireAt: r.fire_at }));
};

export interface SchedulerRun {
  /** Cases whose due clocks were fired (events recorded). */
  readonly fired: number;
  /** Cases another instance was working on, left to it. */
  readonly skipped: number;
  /** Due cases whose firing waits: for a producer's watermark, or behind a parked event. */
  readonly waiting: number;
  /** Cases that failed this round and back off alone. */
  readonly failed: number;
}

/** How long a case that failed waits before it is tried again (doubling to 5 min). */
const backoffOf = (failures: number): number => Math.min(300_000, 1_000 * 2 ** (failures - 1));

/**
 * Fires what is due: warnings (黄灯), breaches (红灯) and the escalation ladder, each once.
 *
 * Finding due work is an index range scan of `case_timers` by `fire_at`, walked in
 * batches by keyset to the end of what is due, whatever the number of open clocks. Each
 * due case is fired in its own transaction under the case's advisory lock (FIRE_CONCURRENCY
 * cases at a time), taken with try-lock: a case locked by another instance (or by the consumer) is left for this round.
 * Exactly once comes from the state, not from the lock: the ledger row says which warnings
 * and breaches were emitted, so a case fired twice yields nothing the second time, and the
 * expected version refuses a stale append. A crash before commit leaves the timer due: the
 * next round, here or on another instance, fires it. After an outage the first round
 * catches up on everything whose time passed.
 *
 * Never a false breach: a clock fires only up to the producers' watermarks (`TickContext.
 * watermark`: every event that could meet it and was committed before its due time has
 * been applied), and a case with events parked behind a failed one does not fire at all.
 * Such a case stays due and is passed over — its timer unchanged — until it can; the walk
 * goes on past it. So is a case whose clocks a pending reschedule (a calendar year loaded,
 * a policy applied to running clocks) may still move: it fires on the new count, once the
 * job's walk has passed it. A case that fails backs off alone; the round goes on.
 */
export class DeadlineScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  private readonly s: string;
  private readonly failures = new Map<string, { count: number; retryAt: number }>();
  private rounds = 0;
  private lastRun: SchedulerRun | undefined;

  constructor(
    private readonly pool: Pool,
    readonly ledger: LedgerStore,
    readonly context: ClockContextSource,
    private readonly clock: CasegridClock,
    private readonly pollIntervalMs: number,
    private readonly onError: (error: unknown, caseId?: string) => void,
    private readonly watermarks?: WatermarkReader,
    private readonly reschedules?: RescheduleJobs,
  ) {
    this.s = quoteSchema(ledger.schema);
  }

  /** One round: fire every case due at the clock's now (in batches). */
  async runDue(): Promise<SchedulerRun> {
    const run = { fired: 0, skipped: 0, waiting: 0, failed: 0 };
    const now = this.clock.now();
    const watermark = this.watermarks
      ? watermarkOf(await this.watermarks.read(this.pool))
      : undefined;
    // Read once a round: a job that arrives during it is one that arrived after the round.
    const pending = this.reschedules ? await this.reschedules.pending(this.pool) : [];
    let after: readonly [Date | string, string] = START_KEY;
    for (;;) {
      const due = await findDueCases(this.pool, this.ledger.schema, now, after);
      // Instances read the same earliest batch; each works through it in its own random
      // order, so two instances mostly take different cases instead of queueing on the
      // same lock in lockstep. Every case of the batch is due: the order among them is free.
      // FIRE_CONCURRENCY cases at a time, each in its own transaction under its own lock:
      // a midnight, when every working-day clock of the day falls due at once, is fired
      // in parallel instead of one round trip after another.
      const queue = shuffled(due);
      const worker = async (): Promise<void> => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const { caseId, fireAt } = next;
          const failing = this.failures.get(caseId);
          if (failing && Date.now() < failing.retryAt) {
            run.failed += 1;
            continue;
          }
          try {
            const outcome = await this.fireCase(caseId, fireAt, now, watermark, pending);
            if (outcome !== 'nothing') run[outcome] += 1;
            this.failures.delete(caseId);
          } catch (error) {
            const count = (failing?.count ?? 0) + 1;
            this.failures.set(caseId, { count, retryAt: Date.now() + backoffOf(count) });
            run.failed += 1;
            this.onError(error, caseId);
          }
        }
      };
      await Promise.all(Array.from({ length: FIRE_CONCURRENCY }, worker));
      const last = due[due.length - 1];
      if (!last || due.length < DUE_BATCH) break;
      after = [last.fireAt, last.caseId];
    }
    if (run.fired > 0) this.ledger.runtime.relay.wake();
    this.rounds += 1;
    this.lastRun = run;
    return run;
  }

  /** Rounds run since the start, and what the last one did (for the metrics). */
  get progress(): { readonly rounds: number; readonly last: SchedulerRun | undefined } {
    return { rounds: this.rounds, last: this.lastRun };
  }

  /** The earliest pending instant (the next round need not start before it). */
  async nextDue(): Promise<Date | null> {
    const { rows } = await this.pool.query<{ fire_at: Date }>(
      `select fire_at from ${this.s}.case_timers order by fire_at limit 1`,
    );
    return rows[0]?.fire_at ?? null;
  }

  private async fireCase(
    caseId: string,
    fireAt: Date,
    now: Date,
    watermark: ((clock: Clock) => string | null) | undefined,
    pending: readonly PendingReschedule[],
  ): Promise<'fired' | 'skipped' | 'waiting' | 'nothing'> {
    try {
      return await inTransaction(this.pool, async (tx) => {
        if (!(await this.ledger.tryLock(tx, caseId))) return 'skipped';
        const before = await this.ledger.load(tx, caseId);
        if (before === null) return 'nothing';
        if (await this.ledger.hasParked(tx, caseId)) return 'waiting';
        if (pendingRescheduleOf(before, pending) !== undefined) return 'waiting';
        const ctx = await this.context.get();
        const settled = fire(before, now, watermark ? { ...ctx, watermark } : ctx);
        if (settled.events.length === 0) {
          const next = nextFireAt(before);
          // Due but held (a watermark behind its due time): leave the timer as it is.
          if (next !== null && next === fireAt.toISOString() && fireAt <= now) return 'waiting';
          // Nothing due after all (another instance fired it): just move the timer on.
          await this.ledger.save(tx, before);
          return 'nothing';
        }
        await this.ledger.record(tx, before, settled, {
          actor: 'system:supervision',
          correlationId: uuidv7(),
          now,
        });
        return 'fired';
      });
    } catch (error) {
      if (error instanceof ConcurrencyError) return 'skipped';
      throw error;
    }
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Lets the round in hand finish; nothing half-done is committed. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round().finally(() => (this.running = undefined));
    }, delayMs);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    let delay = this.pollIntervalMs;
    try {
      await this.runDue();
      const next = await this.nextDue();
      if (next) delay = Math.max(10, Math.min(delay, next.getTime() - this.clock.now().getTime()));
    } catch (error) {
      this.onError(error);
    }
    this.schedule(delay);
  }
}

/** A copy in random order (Fisher–Yates). */
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
