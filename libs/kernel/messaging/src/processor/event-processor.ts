import { performance } from 'node:perf_hooks';
import { inTransaction, quoteSchema } from '@casegrid/event-store';
import {
  backoffMs,
  classifyError,
  deadLetterMessage,
  DEFAULT_RETRY,
  type ErrorClass,
  type RetryPolicy,
} from '../delivery';
import { sleep } from '../sleep';
import type { DeliveredBatch, DeliveredMessage, Subscription, Transport } from '../transport';
import {
  applyEvents,
  applyInTransaction,
  batchStatements,
  type BatchResult,
  type BatchStatements,
} from './batch-transaction';
import type { EventHandler } from './event-handler';
import {
  parkingStatements,
  toMessage,
  toParkedEvent,
  type ParkedCase,
  type ParkedEvent,
  type ParkedRow,
  type ParkingStatements,
} from './parking';

/** What a processor reports as it works (the runtime turns it into metrics). */
export interface ProcessorObserver {
  batch?(group: string, result: BatchResult, seconds: number): void;
  parked?(group: string, message: DeliveredMessage, error: unknown): void;
  error?(group: string, error: unknown, errorClass: ErrorClass, where: string): void;
}

export interface ProcessorOptions {
  readonly retry?: RetryPolicy;
  /**
   * How long inbox rows are kept. The group's position already absorbs what the transport
   * redelivers; the inbox is for the other source of duplicates, a producer's relay
   * publishing an event again (acknowledged by the broker, then the relay died before
   * marking it). That happens as soon as a relay of the producer runs again, so a week
   * covers any outage a centre would sit through. Default 7 days.
   */
  readonly inboxRetentionMs?: number;
  readonly pruneIntervalMs?: number;
  readonly observer?: ProcessorObserver;
}

export type ProcessorState = 'stopped' | 'subscribing' | 'running' | 'retrying';

export interface ProcessorStatus {
  readonly group: string;
  readonly state: ProcessorState;
  /** Since when it has been unable to make progress (subscribe or batches failing). */
  readonly failingSince: Date | undefined;
  readonly lastError: string | undefined;
}

const DAY_MS = 86_400_000;

/**
 * The one event processor: every consumer of the code base is an `EventHandler` run by
 * one of these, on either transport.
 *
 * - Batches: each batch the transport hands over is applied in one transaction
 *   (`applyInTransaction`: the handler's writes, the inbox rows, the group's position).
 *   The transport moves its own offset only after that commit; a crash in between makes
 *   it deliver the batch again, and the position skips what was applied.
 * - Failures: an infrastructure failure (database or broker away, a conflict with
 *   another writer) is retried with backoff for as long as it takes, holding the
 *   partition, because parking would reorder what follows. Any other failure splits the
 *   batch in halves, applied in order, until the message that fails is alone; it gets the
 *   retry policy's attempts and is then parked in the group's dead-letter topic, and the
 *   rest of the partition flows on.
 * - Subscribing that fails (broker away at boot) is retried with backoff forever; the
 *   status says so meanwhile (readiness).
 */
export class EventProcessor {
  readonly group: string;
  private readonly sql: BatchStatements;
  private readonly parking: ParkingStatements;
  private readonly retry: RetryPolicy;
  private subscription: Subscription | undefined;
  private stopping = new AbortController();
  private subscribing: Promise<void> | undefined;
  private pruner: NodeJS.Timeout | undefined;
  private state: ProcessorState = 'stopped';
  private failingSince: Date | undefined;
  private lastError: string | undefined;

  constructor(
    readonly handler: EventHandler,
    private readonly transport: Transport,
    private readonly options: ProcessorOptions = {},
  ) {
    this.group = handler.group;
    this.sql = batchStatements(handler.schema);
    this.parking = parkingStatements(handler.schema);
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  status(): ProcessorStatus {
    // A member the broker's client gave up on (kafkajs restarting or rejoining) is not
    // consuming either: as long as that lasts, the group is failing.
    const health = this.subscription?.health?.();
    const memberless = health && !health.working ? health.since : undefined;
    const failingSince =
      memberless && (!this.failingSince || memberless < this.failingSince)
        ? memberless
        : this.failingSince;
    return {
      group: this.group,
      state: this.state,
      failingSince,
      lastError: memberless
        ? `no working member of the group since ${memberless.toISOString()}`
        : this.lastError,
    };
  }

  /**
   * Subscribes; resolves after the first attempt, successful or not. A failed attempt is
   * retried in the background (the status is then `subscribing`), so a process whose
   * broker is away comes up, says it is not ready, and starts consuming when it can.
   */
  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.stopping = new AbortController();
    this.state = 'subscribing';
    let first: (() => void) | undefined;
    const attempted = new Promise<void>((resolve) => (first = resolve));
    this.subscribing = this.subscribeUntilDone(() => first?.());
    await attempted;
    const every = this.options.pruneIntervalMs ?? 600_000;
    this.pruner = setInterval(() => void this.prune().catch(() => undefined), every);
    this.pruner.unref();
  }

  /** Lets the batch in hand finish (or give up between transactions); commits nothing half-done. */
  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.pruner) clearInterval(this.pruner);
    await this.subscribing;
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
    this.state = 'stopped';
  }

  /** Handles one batch as a transport hands it over; public so specs can redeliver by hand. */
  async handleBatch(batch: DeliveredBatch): Promise<number> {
    const done = await this.applyRange(batch, batch.messages);
    if (done > 0) this.handler.afterCommit?.();
    return done;
  }

  /** Deletes inbox rows older than the retention (see ProcessorOptions). */
  async prune(): Promise<number> {
    const s = quoteSchema(this.handler.schema);
    const before = new Date(Date.now() - (this.options.inboxRetentionMs ?? 7 * DAY_MS));
    let total = 0;
    for (;;) {
      const { rowCount } = await this.handler.pool.query(
        `delete from ${s}.inbox where (consumer, event_id) in (
           select consumer, event_id from ${s}.inbox where consumer = $1 and processed_at < $2
           limit 5000)`,
        [this.group, before],
      );
      total += rowCount ?? 0;
      if ((rowCount ?? 0) < 5000) return total;
    }
  }

  private async subscribeUntilDone(attempted: () => void): Promise<void> {
    for (let attempt = 1; !this.stopping.signal.aborted; attempt += 1) {
      try {
        this.subscription = await this.transport.subscribe({
          group: this.group,
          topics: this.handler.topics,
          handle: (batch) => this.handleBatch(batch),
          ...(this.handler.maxBatchSize ? { maxBatchSize: this.handler.maxBatchSize } : {}),
        });
        this.state = 'running';
        this.healthy();
        attempted();
        return;
      } catch (error) {
        this.failing(error, `${this.group} subscribe`);
        attempted();
        await sleep(backoffMs(this.retry, Math.min(attempt, 20)), this.stopping.signal);
      }
    }
    attempted();
  }

  /** Applies `messages` in order; resolves with how many leading ones are done. */
  private async applyRange(
    batch: DeliveredBatch,
    messages: readonly DeliveredMessage[],
  ): Promise<number> {
    for (let attempt = 1; ; attempt += 1) {
      if (!this.active(batch)) return 0;
      const started = performance.now();
      try {
        const result = await applyInTransaction(
          this.handler,
          this.sql,
          batch.topic,
          batch.partition,
          messages,
        );
        this.options.observer?.batch?.(this.group, result, (performance.now() - started) / 1000);
        this.healthy();
        return messages.length;
      } catch (error) {
        const errorClass = classifyError(error);
        const where = `${this.group} ${batch.topic}/${batch.partition}@${messages[0]!.offset}`;
        if (errorClass === 'transient') {
          this.failing(error, where);
          await this.pause(batch, attempt);
          continue;
        }
        this.options.observer?.error?.(this.group, error, errorClass, where);
        if (messages.length > 1) {
          // Find the message that fails: halves in order, each in its own transaction.
          const mid = Math.ceil(messages.length / 2);
          const first = await this.applyRange(batch, messages.slice(0, mid));
          if (first < mid) return first;
          return mid + (await this.applyRange(batch, messages.slice(mid)));
        }
        if (errorClass === 'unknown' && attempt < this.retry.maxAttempts) {
          await this.pause(batch, attempt);
          continue;
        }
        return (await this.park(batch, messages[0]!, error, attempt)) ? 1 : 0;
      }
    }
  }

  /** Cases with parked events (`npm run dlq -- list`). */
  async parkedCases(): Promise<ParkedCase[]> {
    const { rows } = await this.handler.pool.query<{
      case_id: string;
      events: number;
      since: Date;
      error: string | null;
    }>(this.parking.cases.with([this.group]));
    return rows.map((r) => ({
      caseId: r.case_id,
      events: r.events,
      since: r.since.toISOString(),
      error: r.error,
    }));
  }

  /** How many events and cases are parked now (metrics). */
  async parkedCount(): Promise<{ events: number; cases: number }> {
    const { rows } = await this.handler.pool.query<{ events: number; cases: number }>(
      this.parking.count.with([this.group]),
    );
    return rows[0] ?? { events: 0, cases: 0 };
  }

  /** A case's parked events in order (`npm run dlq -- show <case>`). */
  async parkedEvents(caseId: string): Promise<ParkedEvent[]> {
    const { rows } = await this.handler.pool.query<ParkedRow>(
      // FOR UPDATE needs a transaction to mean anything; here it only reads.
      this.parking.ofCase.with([this.group, caseId]),
    );
    return rows.map(toParkedEvent);
  }

  /**
   * Applies a case's parked events in order, once their cause is fixed, and lets the case
   * flow again (`npm run dlq -- replay <case>`). Transaction boundary: per round, the rows
   * read (locked), the handler's effects, their inbox rows and the rows' removal commit
   * together; a failure rolls the round back and leaves every row parked, and throws.
   * Rounds repeat until none is left: a batch may have held one more meanwhile.
   *
   * `skip` names a failed event that can never be applied (a malformed message): it is
   * dropped instead (its dead letter stays in the group's DLQ topic as the record) and the
   * events held behind it are applied.
   */
  async replay(
    caseId: string,
    options: { skip?: string } = {},
  ): Promise<{ replayed: number; skipped: number }> {
    let replayed = 0;
    let skipped = 0;
    for (;;) {
      const round = await inTransaction(this.handler.pool, async (tx) => {
        const { rows: all } = await tx.query<ParkedRow>(
          this.parking.ofCase.with([this.group, caseId]),
        );
        if (all.length === 0) return 0;
        const dropped = all.filter((r) => r.reason === 'failed' && r.event_id === options.skip);
        skipped += dropped.length;
        const rows = all.filter((r) => !dropped.includes(r));
        const ids = rows.map((r) => r.event_id);
        const done = new Set(
          (
            await tx.query<{ event_id: string }>(this.parking.inInbox.with([this.group, ids]))
          ).rows.map((r) => r.event_id),
        );
        const fresh = rows.filter((r) => !done.has(r.event_id)).map(toMessage);
        if (fresh.length > 0) await applyEvents(this.handler, tx, fresh);
        await tx.query(
          this.parking.remember.with([this.group, fresh.map((m) => m.headers['ce_id'] ?? '')]),
        );
        for (const [key, group] of groupBy(all, (r) => `${r.topic}\u0000${r.partition}`)) {
          const [topic = '', partition = '0'] = key.split('\u0000');
          await tx.query(
            this.parking.forget.with([
              this.group,
              topic,
              Number(partition),
              group.map((r) => r.position),
            ]),
          );
        }
        return all.length;
      });
      if (round === 0) break;
      replayed += round;
    }
    if (replayed > 0) this.handler.afterCommit?.();
    return { replayed: replayed - skipped, skipped };
  }

  /**
   * Parks a message that cannot be applied: its dead-letter record first (durably), then
   * the parked row and the group's position past it in one transaction, so that neither a
   * crash nor a redelivery applies it, and the case's later events wait behind it.
   */
  private async park(
    batch: DeliveredBatch,
    message: DeliveredMessage,
    error: unknown,
    attempts: number,
  ): Promise<boolean> {
    const record = deadLetterMessage(this.group, message, error, attempts, new Date());
    for (let attempt = 1; this.active(batch); attempt += 1) {
      try {
        await this.transport.publish([record]);
        await this.handler.pool.query(
          this.parking.failed.with([
            this.group,
            batch.topic,
            batch.partition,
            message.offset,
            message.key,
            message.headers['ce_id'] ?? '',
            JSON.stringify(message.headers),
            message.value,
            record.headers['dlq_error_message'] ?? null,
            attempts,
          ]),
        );
        this.options.observer?.parked?.(this.group, message, error);
        return true;
      } catch (parkError) {
        this.failing(parkError, `${this.group} dead-lettering`);
        await this.pause(batch, attempt);
      }
    }
    return false;
  }

  private active(batch: DeliveredBatch): boolean {
    return !this.stopping.signal.aborted && batch.isActive();
  }

  /** Backs off while keeping the group membership alive; cut short by a stop. */
  private async pause(batch: DeliveredBatch, attempt: number): Promise<void> {
    const until = performance.now() + backoffMs(this.retry, Math.min(attempt, 20));
    while (this.active(batch) && performance.now() < until) {
      await sleep(Math.min(1_000, until - performance.now()), this.stopping.signal);
      await batch.heartbeat().catch(() => undefined);
    }
  }

  private healthy(): void {
    this.failingSince = undefined;
    if (this.state === 'retrying') this.state = 'running';
  }

  /** Something keeps it from making progress: reported, and visible in the status. */
  private failing(error: unknown, where: string): void {
    this.failingSince ??= new Date();
    this.lastError = `${where}: ${error instanceof Error ? error.message : String(error)}`;
    if (this.state === 'running') this.state = 'retrying';
    this.options.observer?.error?.(this.group, error, 'transient', where);
  }
}

/** Messages of one partition as a batch handed over by hand (specs, operators' tools). */
export const batchOf = (messages: readonly DeliveredMessage[]): DeliveredBatch => {
  const first = messages[0];
  if (!first) throw new Error('a batch needs at least one message');
  return {
    topic: first.topic,
    partition: first.partition,
    messages,
    heartbeat: () => Promise.resolve(),
    isActive: () => true,
  };
};

const groupBy = <T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> => {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
};
