import type { Pool } from 'pg';
import { inTransaction, quoteSchema, type Queryable } from '@casegrid/event-store';
import { ConcurrencyError, uuidv7 } from '@casegrid/kernel';
import { fire } from '@casegrid/supervision';
import type { CasegridClock } from '@casegrid/platform';
import type { LedgerStore } from '../ledger/ledger.store';
import type { ClockContextSource } from './clock-context';

/** Due cases taken per query; a round queries again until fewer come back. */
export const DUE_BATCH = 100;

/**
 * The find-due statement: the earliest timers at or before `$1`, a range scan of
 * `case_timers_due (fire_at, case_id)` that stops after a batch, so its cost does not grow
 * with the number of open clocks. Exported so that `npm run bench` measures (and
 * EXPLAINs) the very statement the scheduler runs.
 */
export const dueCasesSql = (schema: string): string =>
  `select case_id from ${quoteSchema(schema)}.case_timers where fire_at <= $1
   order by fire_at, case_id limit ${DUE_BATCH}`;

/** Up to `DUE_BATCH` cases due at `now`, earliest first. */
export const findDueCases = async (db: Queryable, schema: string, now: Date): Promise<string[]> => {
  const { rows } = await db.query<{ case_id: string }>(dueCasesSql(schema), [now]);
  return rows.map((r) => r.case_id);
};

export interface SchedulerRun {
  /** Cases whose due clocks were fired (events recorded). */
  readonly fired: number;
  /** Cases another instance was working on, left to it. */
  readonly skipped: number;
}

/**
 * Fires what is due: warnings (黄灯), breaches (红灯) and the escalation ladder, each once.
 *
 * Finding due work is an index range scan of `case_timers` by `fire_at` (at most a batch
 * of rows), whatever the number of open clocks. Each due case is fired in its own
 * transaction under the case's advisory lock, taken with try-lock: a case locked by
 * another instance (or by the consumer) is left for this round. Exactly once comes from
 * the state, not from the lock: the ledger row says which warnings and breaches were
 * emitted, so a case fired twice yields nothing the second time, and the expected
 * version refuses a stale append. A crash before commit leaves the timer due: the next
 * round, here or on another instance, fires it. After an outage the first round catches
 * up on everything whose time passed.
 */
export class DeadlineScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  private readonly s: string;

  constructor(
    private readonly pool: Pool,
    readonly ledger: LedgerStore,
    readonly context: ClockContextSource,
    private readonly clock: CasegridClock,
    private readonly pollIntervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {
    this.s = quoteSchema(ledger.schema);
  }

  /** One round: fire every case due at the clock's now (in batches). */
  async runDue(): Promise<SchedulerRun> {
    let fired = 0;
    let skipped = 0;
    const now = this.clock.now();
    const seen = new Set<string>();
    for (;;) {
      const due = await findDueCases(this.pool, this.ledger.schema, now);
      const fresh = due.filter((caseId) => !seen.has(caseId));
      if (fresh.length === 0) break;
      // Instances read the same earliest batch; each works through it in its own random
      // order, so two instances mostly take different cases instead of queueing on the
      // same lock in lockstep. Every case of the batch is due: the order among them is free.
      for (const caseId of shuffled(fresh)) {
        seen.add(caseId);
        const outcome = await this.fireCase(caseId, now);
        if (outcome === 'fired') fired += 1;
        if (outcome === 'skipped') skipped += 1;
      }
      if (due.length < DUE_BATCH) break;
    }
    if (fired > 0) this.ledger.runtime.relay.wake();
    return { fired, skipped };
  }

  /** The earliest pending instant (the next round need not start before it). */
  async nextDue(): Promise<Date | null> {
    const { rows } = await this.pool.query<{ fire_at: Date }>(
      `select fire_at from ${this.s}.case_timers order by fire_at limit 1`,
    );
    return rows[0]?.fire_at ?? null;
  }

  private async fireCase(caseId: string, now: Date): Promise<'fired' | 'skipped' | 'nothing'> {
    try {
      return await inTransaction(this.pool, async (tx) => {
        if (!(await this.ledger.tryLock(tx, caseId))) return 'skipped';
        const before = await this.ledger.load(tx, caseId);
        if (before === null) return 'nothing';
        const settled = fire(before, now, await this.context.get());
        if (settled.events.length === 0) {
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
