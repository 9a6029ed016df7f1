import type { Pool } from 'pg';
import {
  toBinaryMessage,
  watermarkMessage,
  type ServiceName,
  type TransportMessage,
} from '@casegrid/contracts';
import {
  horizonSql,
  prepared,
  quoteSchema,
  readAfter,
  START,
  toRecordedEvent,
  type Prepared,
  type ReadCheckpoint,
} from '@casegrid/event-store';
import { toCloudEvent } from './to-cloud-event';
import type { Transport } from './transport';
import { LeaseSession } from './lease-session';
import { Wakeup } from './wakeup';

export interface OutboxRelayOptions {
  readonly pool: Pool;
  readonly schema: string;
  readonly service: ServiceName;
  readonly transport: Transport;
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
  /** How long a silent leader is presumed alive (`LeaseSession`; default 30 s). */
  readonly leaseStaleAfterMs?: number;
  /** How often a relay that is not the leader tries to become it. */
  readonly leaderRetryMs?: number;
  readonly onError?: (error: unknown) => void;
  /**
   * Publishes this service's watermark on `topic` at most every `intervalMs` (default 500)
   * while its outbox is drained: `now` is the business clock (contracts' watermark.ts).
   */
  readonly watermarks?: {
    readonly topic: string;
    readonly now: () => Date;
    readonly intervalMs?: number;
  };
  /** Test seam: runs after the broker acknowledged a batch, before it is marked. */
  readonly afterPublish?: (messages: readonly TransportMessage[]) => Promise<void>;
}

type OutboxRow = Parameters<typeof toRecordedEvent>[0] & {
  outbox_position: string;
  outbox_transaction_id: string;
  topic: string;
};

/**
 * Publishes a service's outbox in order. One relay per service publishes at a time: the
 * leader holds a lease (`LeaseSession`: a session advisory lock on a connection of its
 * own, taken over from a leader whose machine vanished) and does all its reads and
 * deletes on that session, so a relay that lost it cannot mark anything.
 * Delivery is at least once: rows are deleted only after the broker acknowledged them; a
 * crash in between publishes them again and consumers' inboxes absorb the duplicate.
 */
export class OutboxRelay {
  private readonly readSql: Prepared;
  private readonly deleteSql: Prepared;
  private readonly lockKey: string;
  private readonly wakeup = new Wakeup();
  private readonly session: LeaseSession;
  private readonly drainedSql: Prepared | undefined;
  private watermarkedAt = 0;
  private partitionCount: number | undefined;
  private after: ReadCheckpoint = START;
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: OutboxRelayOptions) {
    const s = quoteSchema(options.schema);
    this.readSql = prepared(
      horizonSql({
        from: `o.position as outbox_position, o.transaction_id::text as outbox_transaction_id,
        o.topic, e.event_id, e.stream_id, e.stream_position, e.global_position,
        e.transaction_id::text, e.event_type, e.schema_version, e.data, e.metadata, e.recorded_at
        from ${s}.outbox o join ${s}.events e on e.global_position = o.event_position`,
        transactionColumn: 'o.transaction_id',
        positionColumn: 'o.position',
      }),
    );
    this.deleteSql = prepared(`delete from ${s}.outbox where position = any($1::bigint[])`);
    this.lockKey = `casegrid:relay:${options.schema}`;
    this.drainedSql = options.watermarks
      ? prepared(`select not exists (select 1 from ${s}.outbox where topic = $1) as drained`)
      : undefined;
    this.session = new LeaseSession(options.pool, {
      ...(options.leaseStaleAfterMs ? { staleAfterMs: options.leaseStaleAfterMs } : {}),
    });
  }

  get isLeader(): boolean {
    return this.session.holds(this.lockKey);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Hint that new rows were committed: publish now rather than at the next poll. */
  wake(): void {
    this.wakeup.wake();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeup.wake();
    await this.loop;
    await this.resign();
    await this.session.close();
  }

  /** Rows not yet acknowledged by the broker. */
  async backlog(): Promise<number> {
    const { rows } = await this.options.pool.query<{ n: string }>(
      `select count(*) as n from ${quoteSchema(this.options.schema)}.outbox`,
    );
    return Number(rows[0]!.n);
  }

  /** Publishes one batch if this relay is (or becomes) the leader; returns its size. */
  async relayOnce(): Promise<number> {
    if (!(await this.lead())) return 0;
    const limit = this.options.batchSize ?? 500;
    const rows = await readAfter<OutboxRow>(this.session, this.readSql, this.after, limit);
    if (rows.length === 0) return 0;
    const messages = rows.map((row) =>
      toBinaryMessage(row.topic, toCloudEvent(this.options.service, toRecordedEvent(row))),
    );
    await this.options.transport.publish(messages);
    await this.options.afterPublish?.(messages);
    // Mark: the broker has them. Rows below the horizon never reappear behind `after`,
    // so the next read may start there.
    await this.session.query(this.deleteSql.with([rows.map((row) => row.outbox_position)]));
    const last = rows[rows.length - 1]!;
    this.after = {
      transactionId: last.outbox_transaction_id,
      position: Number(last.outbox_position),
    };
    return rows.length;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let published = 0;
      try {
        published = await this.relayOnce();
      } catch (error) {
        this.options.onError?.(error);
        await this.resign();
      }
      if (published === (this.options.batchSize ?? 500)) continue;
      await this.publishWatermark().catch((error: unknown) => this.options.onError?.(error));
      const idle = this.isLeader
        ? (this.options.pollIntervalMs ?? 200)
        : (this.options.leaderRetryMs ?? 1000);
      await this.wakeup.wait(idle);
    }
  }

  /**
   * "Everything this service committed before `at` is published": true once the outbox
   * holds no row for the topic in a snapshot taken AFTER `at` was read from the clock — a
   * transaction that committed before `at` is in that snapshot, and its rows are deleted
   * only once the broker has them. Rows committed but held back by the horizon (a long
   * transaction elsewhere) keep the outbox non-empty, so the watermark waits with them.
   * Sent to every partition, after the events, so a consumer that sees it has seen them.
   */
  private async publishWatermark(): Promise<void> {
    const watermarks = this.options.watermarks;
    if (!watermarks || !this.drainedSql || !this.isLeader) return;
    if (Date.now() - this.watermarkedAt < (watermarks.intervalMs ?? 500)) return;
    const at = watermarks.now().toISOString();
    const { rows } = await this.session.query<{ drained: boolean }>(
      this.drainedSql.with([watermarks.topic]),
    );
    if (rows[0]?.drained !== true) return;
    this.partitionCount ??= await this.options.transport.partitions(watermarks.topic);
    const messages = Array.from({ length: Math.max(1, this.partitionCount) }, (_, partition) =>
      watermarkMessage(watermarks.topic, partition, { producer: this.options.service, at }),
    );
    await this.options.transport.publish(messages);
    this.watermarkedAt = Date.now();
  }

  /** True when this relay holds the lease (taking it if it is free, or its holder gone). */
  private async lead(): Promise<boolean> {
    if (this.session.holds(this.lockKey)) return true;
    if (!(await this.session.tryAcquire(this.lockKey))) return false;
    // A new leader reads from the start: a predecessor may have published rows it never
    // marked, and what is below the horizon and not deleted is all still to publish.
    this.after = START;
    return true;
  }

  /** Gives up leadership: unlocks, so a successor can take over at once. */
  private async resign(): Promise<void> {
    await this.session.release(this.lockKey);
  }
}
