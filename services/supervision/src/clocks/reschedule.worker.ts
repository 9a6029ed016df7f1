import type { Pool } from 'pg';
import { inTransaction } from '@casegrid/event-store';
import { UnavailableError } from '@casegrid/kernel';
import type { CasegridClock } from '@casegrid/platform';
import type { ReferenceReader } from '@casegrid/runtime';
import {
  rescheduleEvents,
  settle,
  type ClockContext,
  type Recount,
  type VersionedDeadlinePolicy,
} from '@casegrid/supervision';
import type { CaseRecord, LedgerStore } from '../ledger/ledger.store';
import { CONTEXT_TTL_MS, type ClockContextSource } from './clock-context';
import { candidateFilterOf, RecountCandidates } from './recount.candidates';
import { RescheduleJobs, type RescheduleJob } from './reschedule.jobs';

/** Cases per batch (one transaction each). */
export const RESCHEDULE_BATCH = 100;

/** How long a job waits after its change before it runs: the context cache's life, twice. */
export const RESCHEDULE_SETTLE_MS = 2 * CONTEXT_TTL_MS;

export type RescheduleStep = 'idle' | 'progress';

const ACTOR = 'system:supervision';

/**
 * Moves running clocks when reference data changes (issue 17): takes the oldest pending job
 * (`reschedules`), walks the cases that may have clocks to move in batches, decides each
 * case's moves with `rescheduleEvents` and records them.
 *
 * Transaction boundary: one batch. In it the job row is locked (another instance skips
 * it), the batch's cases are locked (sorted, as every writer of a case does), their
 * `DeadlineRescheduled` events appended with the outbox rows, the rows and timers written,
 * and the job advanced past the batch — all or nothing. Exactly once comes from both ends:
 * a committed batch is never walked again, and a case decided again (a batch that rolled
 * back, a job run twice) moves nothing, because its clocks already count as the change
 * says. A calendar job whose year has a newer version already is superseded by that
 * version's job: it finishes without moving anything.
 */
export class RescheduleWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  private readonly jobs: RescheduleJobs;
  private readonly candidates: RecountCandidates;

  constructor(
    private readonly pool: Pool,
    private readonly ledger: LedgerStore,
    private readonly context: ClockContextSource,
    private readonly reference: ReferenceReader,
    private readonly clock: CasegridClock,
    private readonly options: {
      readonly pollIntervalMs: number;
      readonly onError: (error: unknown) => void;
      readonly batchSize?: number;
      readonly settleMs?: number;
    },
  ) {
    this.jobs = new RescheduleJobs(ledger.schema);
    this.candidates = new RecountCandidates(ledger.schema);
  }

  /** One batch of the oldest pending job; `idle` when no job is due. */
  async step(): Promise<RescheduleStep> {
    const step = await inTransaction(this.pool, async (tx) => {
      const job = await this.jobs.next(tx, this.options.settleMs ?? RESCHEDULE_SETTLE_MS);
      if (job === undefined) return 'idle';
      const ctx = await this.context.load();
      const recount = await this.recountOf(job, ctx);
      if (recount === null) {
        await this.jobs.advance(
          tx,
          job,
          { afterCaseId: job.afterCaseId, cases: 0, moved: 0 },
          'superseded',
        );
        return 'progress';
      }
      const limit = this.options.batchSize ?? RESCHEDULE_BATCH;
      const ids = await this.candidates.page(
        tx,
        candidateFilterOf([recount]),
        job.afterCaseId,
        limit,
      );
      await this.ledger.lockMany(tx, ids);
      const rows = await this.ledger.loadMany(tx, ids);
      const now = this.clock.now();
      const records: CaseRecord[] = [];
      for (const before of rows.values()) {
        const events = rescheduleEvents(before, recount, now);
        if (events.length === 0) continue;
        const settled = settle(before, events, { actor: ACTOR, at: now.toISOString() }, ctx);
        const context = {
          actor: ACTOR,
          correlationId: job.correlationId,
          causationId: job.eventId,
        };
        records.push({
          before,
          state: settled.state,
          reactions: settled.events.map((event) => ({ event, context })),
        });
      }
      await this.ledger.recordMany(tx, records, now);
      const moved = records.reduce((sum, r) => sum + r.reactions.length, 0);
      await this.jobs.advance(
        tx,
        job,
        { afterCaseId: ids[ids.length - 1] ?? job.afterCaseId, cases: ids.length, moved },
        ids.length < limit ? 'done' : null,
      );
      return 'progress';
    });
    if (step === 'progress') this.ledger.runtime.relay.wake();
    return step;
  }

  /** Every pending job, batch after batch, until none is due. */
  async runPending(): Promise<void> {
    while ((await this.step()) === 'progress');
  }

  /**
   * The change as the clock engine counts it. A policy job carries the version it was saved
   * as (later versions do not apply to running clocks unless they ask to); a calendar job
   * counts on the calendar as it stands, which holds its version — or a newer one, whose
   * own job does the work.
   */
  private async recountOf(job: RescheduleJob, ctx: ClockContext): Promise<Recount | null> {
    if (job.kind === 'deadline_policy') {
      const policy = job.record as unknown as VersionedDeadlinePolicy;
      // Clocks are selected again among the policies as they stand, with this version.
      const policies = [...ctx.policies.filter((p) => p.code !== policy.code), policy];
      return { kind: 'deadline_policy', policy, policies, calendar: ctx.calendar };
    }
    const current = await this.reference.get('calendar', job.key);
    if (current === undefined || current.version > job.version) return null;
    return {
      kind: 'calendar',
      year: Number(job.key),
      version: job.version,
      calendar: ctx.calendar,
    };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Lets the batch in hand finish; nothing half-done is committed. */
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
    try {
      await this.runPending();
    } catch (error) {
      // Reference data still replicating (a first start): the job waits for it, quietly.
      if (!(error instanceof UnavailableError)) this.options.onError(error);
    }
    this.schedule(this.options.pollIntervalMs);
  }
}
