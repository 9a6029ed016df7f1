import type { Pool } from 'pg';
import { deadLetterTopic, type TransportMessage } from '@casegrid/contracts';
import { prepared, quoteSchema } from '@casegrid/event-store';
import { LeaseSession } from './lease-session';
import { LogTail } from './in-process/log-tail';
import { TRANSPORT_SCHEMA } from './in-process/log.migrations';
import type {
  DeadLetterCount,
  PartitionLag,
  Subscription,
  SubscriptionSpec,
  Transport,
} from './transport';
import { Wakeup } from './wakeup';

export { inProcessTransportMigrations, TRANSPORT_SCHEMA } from './in-process/log.migrations';

export interface InProcessTransportOptions {
  /** A pool on the database that holds the transport's schema (migrated). */
  readonly pool: Pool;
  /** Defaults to `transport`. */
  readonly schema?: string;
  /** How often the log is read for what other processes published (local publishes wake it). */
  readonly pollIntervalMs?: number;
  /** How long a silent holder of a group is presumed alive (`LeaseSession`; default 30 s). */
  readonly leaseStaleAfterMs?: number;
  /** How often a group that another process holds tries to take it over. */
  readonly leaseRetryMs?: number;
  /**
   * How often a group's position is saved at most (and always on a stop). The processor's
   * own position, committed with its effects, is what makes a redelivery harmless; this
   * one only decides where a restarted group starts reading.
   */
  readonly commitIntervalMs?: number;
  readonly onError?: (error: unknown, context: string) => void;
}

/** The statements of the transport on the (quoted) schema `T`; exported for its specs. */
export const inProcessStatements = (T: string) => ({
  publish: prepared(`select ${T}.publish($1::text[], $2::text[], $3::jsonb[], $4::text[])`),
  // In position order by the index, one page at a time (log.migrations.ts, read_after).
  after: prepared(`select * from ${T}.read_after($1, $2::bigint, $3::int)`),
  head: `select max(position) as head from ${T}.log where topic = $1`,
  offset: `select position from ${T}.consumer_offsets where group_id = $1 and topic = $2`,
  commit:
    prepared(`insert into ${T}.consumer_offsets (group_id, topic, position) values ($1, $2, $3)
    on conflict (group_id, topic) do update set position = excluded.position, updated_at = now()`),
  check: `select 1 from ${T}.log limit 1`,
  lag: `select count(*)::int as lag from ${T}.log where topic = $1 and position > $2::bigint`,
  size: `select count(*)::int as n from ${T}.log where topic = $1`,
  // Watermarks say where a producer stood; once every group is past one it says nothing.
  pruneWatermarks: `delete from ${T}.log l where l.headers ? 'casegrid_watermark'
    and l.position < (select min(o.position) from ${T}.consumer_offsets o where o.topic = l.topic)`,
});

interface Group {
  readonly spec: SubscriptionSpec;
  readonly lease: string;
  readonly wakeup: Wakeup;
  readonly stop: AbortController;
  /** Per topic: delivered and done up to here, and saved up to `saved`. */
  readonly positions: Map<string, { done: bigint; saved: bigint }>;
  savedAt: number;
  loop?: Promise<void>;
}

/**
 * The embedded default's broker: a durable log table in PostgreSQL with one partition per
 * topic, positions in commit order, and a saved position per consumer group. It gives what
 * the Kafka transport gives: all-or-nothing publish, at-least-once in-order delivery in
 * batches that survives restarts, and one active member per group (a session advisory
 * lock, like a partition assignment), so several processes on one database share it.
 */
export class InProcessTransport implements Transport {
  readonly kind = 'in-process' as const;
  private readonly sql: ReturnType<typeof inProcessStatements>;
  private readonly groups = new Set<Group>();
  private readonly tails = new Map<string, Promise<LogTail>>();
  private readonly tailWakeup = new Wakeup();
  private readonly leases: LeaseSession;
  private tailLoop: Promise<void> | undefined;
  private closed = false;
  private readonly pruner: NodeJS.Timeout;

  constructor(private readonly options: InProcessTransportOptions) {
    this.sql = inProcessStatements(quoteSchema(options.schema ?? TRANSPORT_SCHEMA));
    this.leases = new LeaseSession(options.pool, {
      ...(options.leaseStaleAfterMs ? { staleAfterMs: options.leaseStaleAfterMs } : {}),
      onLost: (error) =>
        options.onError?.(
          error,
          'the in-process log lost its lease session; taking the groups again',
        ),
    });
    this.pruner = setInterval(() => {
      void this.options.pool
        .query(this.sql.pruneWatermarks)
        .catch((error: unknown) => options.onError?.(error, 'pruning watermarks'));
    }, 60_000);
    this.pruner.unref();
  }

  async publish(messages: readonly TransportMessage[]): Promise<void> {
    if (messages.length === 0) return;
    // One statement: the batch is in the log entirely or not at all, in commit order.
    await this.options.pool.query(
      this.sql.publish.with([
        messages.map((m) => m.topic),
        messages.map((m) => m.key),
        messages.map((m) => JSON.stringify(m.headers)),
        messages.map((m) => m.value),
      ]),
    );
    this.tailWakeup.wake();
  }

  async subscribe(spec: SubscriptionSpec): Promise<Subscription> {
    for (const topic of spec.topics) await this.tail(topic);
    const group: Group = {
      spec,
      lease: `casegrid:group:${spec.group}`,
      wakeup: new Wakeup(),
      stop: new AbortController(),
      positions: new Map(),
      savedAt: 0,
    };
    this.groups.add(group);
    group.loop = this.consume(group);
    this.tailLoop ??= this.followTails();
    return {
      close: async () => {
        group.stop.abort();
        group.wakeup.wake();
        await group.loop;
        this.groups.delete(group);
      },
    };
  }

  async lag(): Promise<PartitionLag[]> {
    const out: PartitionLag[] = [];
    for (const { spec, positions } of this.groups) {
      for (const topic of spec.topics) {
        const after = positions.get(topic)?.done ?? (await this.savedPosition(spec.group, topic));
        const { rows } = await this.options.pool.query<{ lag: number }>(this.sql.lag, [
          topic,
          after.toString(),
        ]);
        out.push({ group: spec.group, topic, partition: 0, lag: rows[0]?.lag ?? 0 });
      }
    }
    return out;
  }

  async deadLetters(): Promise<DeadLetterCount[]> {
    const out: DeadLetterCount[] = [];
    for (const { spec } of this.groups) {
      const { rows } = await this.options.pool.query<{ n: number }>(this.sql.size, [
        deadLetterTopic(spec.group),
      ]);
      out.push({ group: spec.group, messages: rows[0]?.n ?? 0 });
    }
    return out;
  }

  /** One partition per topic. */
  partitions(): Promise<number> {
    return Promise.resolve(1);
  }

  async check(): Promise<void> {
    await this.options.pool.query(this.sql.check);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pruner);
    await Promise.all(
      [...this.groups].map(async (group) => {
        group.stop.abort();
        group.wakeup.wake();
        await group.loop;
      }),
    );
    this.tailWakeup.wake();
    await this.tailLoop;
    await this.leases.close();
  }

  private tail(topic: string): Promise<LogTail> {
    let tail = this.tails.get(topic);
    if (!tail) {
      const created = new LogTail(this.options.pool, this.sql, topic);
      tail = created.open().then(() => created);
      tail.catch(() => this.tails.delete(topic));
      this.tails.set(topic, tail);
    }
    return tail;
  }

  /** One reader of the log for every group here: reads what is new, then wakes them. */
  private async followTails(): Promise<void> {
    while (!this.closed) {
      let grew = false;
      try {
        for (const tail of this.tails.values()) grew = (await (await tail).refresh()) || grew;
      } catch (error) {
        this.options.onError?.(error, 'reading the in-process log');
      }
      if (grew) for (const group of this.groups) group.wakeup.wake();
      await this.tailWakeup.wait(this.options.pollIntervalMs ?? 250);
    }
  }

  private async consume(group: Group): Promise<void> {
    const { spec, stop } = group;
    while (!stop.signal.aborted) {
      try {
        if (!this.leases.holds(group.lease)) {
          group.positions.clear();
          if (!(await this.leases.tryAcquire(group.lease))) {
            await group.wakeup.wait(this.options.leaseRetryMs ?? 1_000);
            continue;
          }
        }
        let handed = 0;
        for (const topic of spec.topics) {
          if (stop.signal.aborted) break;
          handed = Math.max(handed, await this.deliverNext(group, topic));
        }
        await this.save(group, false);
        // Batches grow with the load by themselves: what arrives while one is applied is
        // the next (waiting for more measured slower: the consumers then trail the load).
        if (handed === 0) await group.wakeup.wait(this.options.pollIntervalMs ?? 250);
      } catch (error) {
        this.options.onError?.(error, spec.group);
        await group.wakeup.wait((this.options.pollIntervalMs ?? 250) * 4);
      }
    }
    await this.save(group, true).catch((error: unknown) =>
      this.options.onError?.(error, spec.group),
    );
    await this.leases.release(group.lease);
  }

  /** Hands the group its next batch of `topic`; how many it finished (0: none, or stopped). */
  private async deliverNext(group: Group, topic: string): Promise<number> {
    let position = group.positions.get(topic);
    if (!position) {
      const saved = await this.savedPosition(group.spec.group, topic);
      position = { done: saved, saved };
      group.positions.set(topic, position);
    }
    const tail = await this.tail(topic);
    const messages = await tail.read(position.done, group.spec.maxBatchSize ?? 500);
    if (messages.length === 0) return 0;
    const handled = await group.spec.handle({
      topic,
      partition: 0,
      messages,
      heartbeat: () => Promise.resolve(),
      isActive: () => !group.stop.signal.aborted && this.leases.holds(group.lease),
    });
    if (handled > 0) position.done = BigInt(messages[handled - 1]!.offset);
    return handled === messages.length ? handled : 0;
  }

  private async savedPosition(group: string, topic: string): Promise<bigint> {
    const { rows } = await this.options.pool.query<{ position: string }>(this.sql.offset, [
      group,
      topic,
    ]);
    return rows[0] ? BigInt(rows[0].position) : 0n;
  }

  /** Saves positions that moved, at most every commit interval unless `now`. */
  private async save(group: Group, now: boolean): Promise<void> {
    if (!now && Date.now() - group.savedAt < (this.options.commitIntervalMs ?? 1_000)) return;
    if (!this.leases.holds(group.lease)) return;
    for (const [topic, position] of group.positions) {
      if (position.done === position.saved) continue;
      await this.options.pool.query(
        this.sql.commit.with([group.spec.group, topic, position.done.toString()]),
      );
      position.saved = position.done;
    }
    group.savedAt = Date.now();
  }
}
