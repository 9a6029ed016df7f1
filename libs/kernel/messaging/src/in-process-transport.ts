import type { Pool, PoolClient } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { TransportMessage } from '@casegrid/contracts';
import {
  horizonSql,
  quoteSchema,
  readAfter,
  START,
  type ReadCheckpoint,
} from '@casegrid/event-store';
import { tracedHandler } from './consumer-span';
import { deliver, DEFAULT_RETRY, type RetryPolicy } from './delivery';
import { deadLetterTopic } from '@casegrid/contracts';
import type {
  DeadLetterCount,
  DeliveredMessage,
  PartitionLag,
  Subscription,
  SubscriptionSpec,
  Transport,
} from './transport';
import { releaseLease, tryLease } from './advisory-lease';
import { sleep } from './sleep';
import { Wakeup } from './wakeup';

export const TRANSPORT_SCHEMA = 'transport';

/**
 * The embedded default's broker: a durable log table in PostgreSQL with one partition per
 * topic, read in the event store's horizon order (so a late commit is never skipped), and
 * a committed position per consumer group. It gives what the Kafka transport gives:
 * all-or-nothing publish, at-least-once in-order delivery that survives restarts, the
 * same retry/DLQ policy, and one active consumer per group (a session advisory lock,
 * like a partition assignment).
 */
export const inProcessTransportMigrations = (
  schema: string = TRANSPORT_SCHEMA,
): (new () => MigrationInterface)[] => {
  const T = quoteSchema(schema);
  class InProcessTransport1763800000001 implements MigrationInterface {
    readonly name = 'InProcessTransport1763800000001';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        create table ${T}.log (
          position bigint generated always as identity primary key,
          transaction_id xid8 not null default pg_current_xact_id(),
          topic text not null,
          message_key text not null,
          headers jsonb not null,
          value text not null,
          published_at timestamptz not null default now()
        );
        create index log_read_order on ${T}.log (topic, transaction_id, position);
        create table ${T}.consumer_offsets (
          group_id text not null,
          topic text not null,
          transaction_id xid8 not null,
          position bigint not null,
          updated_at timestamptz not null default now(),
          primary key (group_id, topic)
        );`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`drop table ${T}.consumer_offsets, ${T}.log`);
    }
  }
  return [InProcessTransport1763800000001];
};

export interface InProcessTransportOptions {
  /** A pool on the database that holds the transport's schema (migrated). */
  readonly pool: Pool;
  /** Defaults to `transport`. */
  readonly schema?: string;
  readonly retry?: RetryPolicy;
  readonly pollIntervalMs?: number;
  readonly batchSize?: number;
  readonly onError?: (error: unknown, context: string) => void;
}

interface LogRow extends Record<string, unknown> {
  position: string;
  transaction_id: string;
  message_key: string;
  headers: Record<string, string>;
  value: string;
}

const statements = (T: string) => ({
  publish: `insert into ${T}.log (topic, message_key, headers, value)
  select m.topic, m.message_key, m.headers, m.value
  from unnest($1::text[], $2::text[], $3::jsonb[], $4::text[]) with ordinality
    as m(topic, message_key, headers, value, n)
  order by m.n`,
  read: horizonSql({
    from: `l.position, l.transaction_id::text, l.message_key, l.headers, l.value from ${T}.log l`,
    transactionColumn: 'l.transaction_id',
    positionColumn: 'l.position',
    where: 'and l.topic = $4',
  }),
  offset: `select transaction_id::text, position from ${T}.consumer_offsets
  where group_id = $1 and topic = $2`,
  check: `select 1 from ${T}.log limit 1`,
  lag: `select count(*)::int as lag from ${T}.log l
  left join ${T}.consumer_offsets o on o.group_id = $1 and o.topic = l.topic
  where l.topic = $2 and (o.group_id is null or l.transaction_id > o.transaction_id
    or (l.transaction_id = o.transaction_id and l.position > o.position))`,
  size: `select count(*)::int as n from ${T}.log where topic = $1`,
  commit: `insert into ${T}.consumer_offsets (group_id, topic, transaction_id, position)
  values ($1, $2, $3::xid8, $4) on conflict (group_id, topic) do update
  set transaction_id = excluded.transaction_id, position = excluded.position, updated_at = now()`,
});

export class InProcessTransport implements Transport {
  readonly kind = 'in-process' as const;
  private readonly wakeups = new Set<Wakeup>();
  private readonly subscriptions = new Set<Subscription>();
  /** The groups subscribed here, with their topics (one partition each: 0). */
  private readonly groups = new Map<string, readonly string[]>();

  private readonly sql: ReturnType<typeof statements>;

  constructor(private readonly options: InProcessTransportOptions) {
    this.sql = statements(quoteSchema(options.schema ?? TRANSPORT_SCHEMA));
  }

  async publish(messages: readonly TransportMessage[]): Promise<void> {
    if (messages.length === 0) return;
    // One statement: the batch is in the log entirely or not at all.
    await this.options.pool.query(this.sql.publish, [
      messages.map((m) => m.topic),
      messages.map((m) => m.key),
      messages.map((m) => JSON.stringify(m.headers)),
      messages.map((m) => m.value),
    ]);
    for (const wakeup of this.wakeups) wakeup.wake();
  }

  async subscribe(spec: SubscriptionSpec): Promise<Subscription> {
    const wakeup = new Wakeup();
    this.wakeups.add(wakeup);
    const stop = new AbortController();
    const loop = this.consume(spec, wakeup, stop.signal);
    this.groups.set(spec.group, spec.topics);
    const subscription: Subscription = {
      close: async () => {
        stop.abort();
        wakeup.wake();
        await loop;
        this.wakeups.delete(wakeup);
        this.subscriptions.delete(subscription);
        this.groups.delete(spec.group);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async lag(): Promise<PartitionLag[]> {
    const out: PartitionLag[] = [];
    for (const [group, topics] of this.groups) {
      for (const topic of topics) {
        const { rows } = await this.options.pool.query<{ lag: number }>(this.sql.lag, [
          group,
          topic,
        ]);
        out.push({ group, topic, partition: 0, lag: rows[0]?.lag ?? 0 });
      }
    }
    return out;
  }

  async deadLetters(): Promise<DeadLetterCount[]> {
    const out: DeadLetterCount[] = [];
    for (const group of this.groups.keys()) {
      const { rows } = await this.options.pool.query<{ n: number }>(this.sql.size, [
        deadLetterTopic(group),
      ]);
      out.push({ group, messages: rows[0]?.n ?? 0 });
    }
    return out;
  }

  async check(): Promise<void> {
    await this.options.pool.query(this.sql.check);
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
  }

  private async consume(spec: SubscriptionSpec, wakeup: Wakeup, stop: AbortSignal): Promise<void> {
    const lease = `casegrid:group:${spec.group}`;
    const poll = this.options.pollIntervalMs ?? 250;
    let owner: PoolClient | undefined;
    while (!stop.aborted) {
      try {
        owner ??= await tryLease(this.options.pool, lease);
        const busy = owner ? await this.drain(owner, spec, stop) : false;
        if (!busy) await wakeup.wait(owner ? poll : poll * 4);
      } catch (error) {
        this.options.onError?.(error, spec.group);
        if (owner) await releaseLease(owner, lease);
        owner = undefined;
        await wakeup.wait(poll * 4);
      }
    }
    if (owner) await releaseLease(owner, lease);
  }

  /** Delivers one batch per topic; true when there may be more right away. */
  private async drain(
    owner: PoolClient,
    spec: SubscriptionSpec,
    stop: AbortSignal,
  ): Promise<boolean> {
    const limit = this.options.batchSize ?? 200;
    let more = false;
    for (const topic of spec.topics) {
      const saved = (
        await owner.query<{ transaction_id: string; position: string }>(this.sql.offset, [
          spec.group,
          topic,
        ])
      ).rows[0];
      const after: ReadCheckpoint = saved
        ? { transactionId: saved.transaction_id, position: Number(saved.position) }
        : START;
      const rows = await readAfter<LogRow>(owner, this.sql.read, after, limit, [topic]);
      for (const row of rows) {
        const message: DeliveredMessage = {
          topic,
          partition: 0,
          offset: row.position,
          key: row.message_key,
          headers: row.headers,
          value: row.value,
        };
        const outcome = await deliver(
          spec.group,
          message,
          tracedHandler(spec.group, spec.handle),
          {
            deadLetter: (record) => this.publish([record]),
            sleep: (ms) => sleep(ms, stop),
            running: () => !stop.aborted,
            onError: (error) =>
              this.options.onError?.(error, `${spec.group} ${topic}@${row.position}`),
          },
          this.options.retry ?? DEFAULT_RETRY,
        );
        if (outcome === 'stopped') return false;
        // Position moves only after the handler committed (at-least-once, like Kafka).
        await owner.query(this.sql.commit, [spec.group, topic, row.transaction_id, row.position]);
      }
      more ||= rows.length === limit;
    }
    return more;
  }
}
