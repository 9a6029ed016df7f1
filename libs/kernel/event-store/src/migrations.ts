import type { Pool } from 'pg';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { eventStoreDdl } from './event-store.ddl';
import { idempotencyDdl } from './idempotency.ddl';
import { numberingDdl } from './numbering.ddl';
import { quoteSchema } from './sql-identifier';

export type MigrationClass = new () => MigrationInterface;

/** The kernel's tables (event store, outbox, inbox, processor positions) in a service's schema. */
export const kernelMigrations = (schema: string): MigrationClass[] => {
  class KernelEventStore1763800000000 implements MigrationInterface {
    readonly name = 'KernelEventStore1763800000000';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(eventStoreDdl(schema));
    }
    async down(runner: QueryRunner): Promise<void> {
      const s = quoteSchema(schema);
      await runner.query(
        `drop function ${s}.append_batch; drop table ${s}.inbox, ${s}.outbox, ${s}.events, ${s}.streams`,
      );
    }
  }
  /** Idempotency-Key records, written in each command's own transaction (idempotency.ts). */
  class KernelIdempotencyKeys1763800000002 implements MigrationInterface {
    readonly name = 'KernelIdempotencyKeys1763800000002';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(idempotencyDdl(schema));
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`drop table ${quoteSchema(schema)}.idempotency_keys`);
    }
  }
  /**
   * The event processor's positions: per consumer group, topic and partition, the offset of
   * the last message whose effects committed, written in the same transaction as those
   * effects (processor/batch-transaction.ts). Replaces the first round's `checkpoints`,
   * which nothing wrote. The inbox gets the index its pruning reads.
   */
  class KernelProcessorPositions1765000000003 implements MigrationInterface {
    readonly name = 'KernelProcessorPositions1765000000003';
    async up(runner: QueryRunner): Promise<void> {
      const s = quoteSchema(schema);
      await runner.query(`
        drop table if exists ${s}.checkpoints;
        create table ${s}.checkpoints (
          processor text not null,
          topic text not null,
          partition int not null,
          position bigint not null,
          updated_at timestamptz not null default now(),
          primary key (processor, topic, partition)
        );
        create index inbox_pruning on ${s}.inbox (consumer, processed_at);`);
    }
    async down(runner: QueryRunner): Promise<void> {
      const s = quoteSchema(schema);
      await runner.query(`drop index ${s}.inbox_pruning; drop table ${s}.checkpoints`);
    }
  }
  /** Gapless numbers, taken in the statement that appends the events carrying them. */
  class KernelNumbering1765000000005 implements MigrationInterface {
    readonly name = 'KernelNumbering1765000000005';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(numberingDdl(schema));
    }
    async down(runner: QueryRunner): Promise<void> {
      const s = quoteSchema(schema);
      await runner.query(`drop function ${s}.append_numbered; drop table ${s}.numbering`);
    }
  }
  /**
   * Events a consumer group parked, per case: the one that failed (its dead letter) and
   * every later event of the same case, held behind it in order until an operator replays
   * them (`npm run dlq`). Other cases flow on (processor/parking.ts).
   */
  class KernelParkedEvents1765000000008 implements MigrationInterface {
    readonly name = 'KernelParkedEvents1765000000008';
    async up(runner: QueryRunner): Promise<void> {
      const s = quoteSchema(schema);
      await runner.query(`
        create table ${s}.parked (
          processor text not null,
          topic text not null,
          partition int not null,
          position bigint not null,
          message_key text not null,
          event_id text not null,
          headers jsonb not null,
          value text not null,
          reason text not null check (reason in ('failed', 'held')),
          error text,
          attempts int,
          parked_at timestamptz not null default now(),
          primary key (processor, topic, partition, position)
        );
        create index parked_by_case on ${s}.parked (processor, message_key, partition, position);`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`drop table ${quoteSchema(schema)}.parked`);
    }
  }
  /**
   * The producers' watermarks a consumer group has seen, per partition: "everything the
   * producer committed before `at` came before this" (contracts' watermark.ts), written in
   * the batch's transaction, so a watermark here means the events before it are applied.
   */
  class KernelWatermarks1765000000010 implements MigrationInterface {
    readonly name = 'KernelWatermarks1765000000010';
    async up(runner: QueryRunner): Promise<void> {
      const s = quoteSchema(schema);
      await runner.query(`
        create table ${s}.watermarks (
          processor text not null,
          topic text not null,
          partition int not null,
          producer text not null,
          at timestamptz not null,
          updated_at timestamptz not null default now(),
          primary key (processor, topic, partition, producer)
        );`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`drop table ${quoteSchema(schema)}.watermarks`);
    }
  }
  return [
    KernelEventStore1763800000000,
    KernelIdempotencyKeys1763800000002,
    KernelProcessorPositions1765000000003,
    KernelNumbering1765000000005,
    KernelParkedEvents1765000000008,
    KernelWatermarks1765000000010,
  ];
};

/**
 * Refuses a store whose recorded transaction ids are ahead of the server's: after a dump
 * restored into another cluster, or a failover to an asynchronous replica that was behind,
 * new transactions get ids below what the store recorded, every append to those streams
 * is refused as out of order (ADR 0001) and every reader by position waits for rows that
 * seem to lie in the future — silently, for ever. Stopping at boot with what to do is the
 * only honest answer (docs/operations.md, Transaction ids).
 */
export const assertTransactionIdsBehindServer = async (
  pool: Pool,
  schema: string,
): Promise<void> => {
  const s = quoteSchema(schema);
  const { rows: found } = await pool.query<{ store: string | null }>(
    'select to_regclass($1) as store',
    [`${s}.outbox`],
  );
  if (!found[0]?.store) return; // not an event store's schema (the in-process log's)
  const { rows } = await pool.query<{ recorded: string | null; next: string }>(
    `select greatest(
       (select transaction_id from ${s}.events order by transaction_id desc limit 1),
       (select transaction_id from ${s}.outbox order by transaction_id desc limit 1)
     )::text as recorded, pg_snapshot_xmax(pg_current_snapshot())::text as next`,
  );
  const recorded = rows[0]?.recorded;
  const next = rows[0]?.next;
  if (!recorded || !next || BigInt(recorded) < BigInt(next)) return;
  throw new Error(
    `the event store in schema ${schema} records transaction ids up to ${recorded}, but this ` +
      `PostgreSQL server has only reached ${next} (a dump restored into another cluster, or a ` +
      `failover to a replica that was behind): appends would be refused as out of order and ` +
      `readers would wait for ever. Stop every process on this database and move the server's ` +
      `transaction id counter past ${recorded} (docs/operations.md, Transaction ids), then start again.`,
  );
};

export interface ServiceDatabase {
  /** TypeORM: migrations and read models. */
  readonly dataSource: DataSource;
  /** The same connections, for the event store's hand-written SQL. */
  readonly pool: Pool;
  close(): Promise<void>;
}

export interface ServiceDatabaseOptions {
  readonly url: string;
  readonly schema: string;
  readonly migrations: readonly MigrationClass[];
  readonly poolSize?: number;
  /**
   * How long the peer of a connection may be silent before it is presumed gone, on both
   * ends (default 20 s): the client sends TCP keepalives and gives up connecting after a
   * third of it; the server is asked (startup options) to probe the client the same way and
   * to drop it when what it sent stays unacknowledged that long, which ends the sessions
   * — and the leases — of a machine that vanished. `serverTimeouts: false` leaves the
   * server's settings alone (a pooler that refuses startup options).
   */
  readonly peerTimeoutMs?: number;
  readonly serverTimeouts?: boolean;
}

/** The pg options of `openServiceDatabase`'s pool, for pools opened elsewhere too. */
export const connectionSettings = (
  peerTimeoutMs = 20_000,
  serverTimeouts = true,
): Record<string, unknown> => {
  const probe = Math.max(1, Math.floor(peerTimeoutMs / 6000));
  return {
    keepAlive: true,
    keepAliveInitialDelayMillis: Math.min(10_000, Math.floor(peerTimeoutMs / 3)),
    connectionTimeoutMillis: Math.max(1_000, Math.floor(peerTimeoutMs / 3)),
    ...(serverTimeouts
      ? {
          options: [
            `-c tcp_keepalives_idle=${Math.max(1, Math.floor(peerTimeoutMs / 3000))}`,
            `-c tcp_keepalives_interval=${probe}`,
            '-c tcp_keepalives_count=3',
            `-c tcp_user_timeout=${peerTimeoutMs}`,
            `-c idle_in_transaction_session_timeout=${peerTimeoutMs}`,
          ].join(' '),
        }
      : {}),
  };
};

/**
 * Opens a service's database and brings its schema up to date. Migrations run under a
 * session advisory lock so that instances starting together migrate once, in order.
 */
export const openServiceDatabase = async (
  options: ServiceDatabaseOptions,
): Promise<ServiceDatabase> => {
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    migrations: [...options.migrations],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: {
      max: options.poolSize ?? 10,
      ...connectionSettings(options.peerTimeoutMs, options.serverTimeouts),
    },
  });
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('select pg_advisory_lock(hashtext($1))', [
      `casegrid:migrate:${options.schema}`,
    ]);
    await runner.query(`create schema if not exists ${quoteSchema(options.schema)}`);
    await dataSource.runMigrations();
  } catch (error) {
    await runner.release();
    await dataSource.destroy();
    throw error;
  }
  await runner.query('select pg_advisory_unlock(hashtext($1))', [
    `casegrid:migrate:${options.schema}`,
  ]);
  await runner.release();
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  try {
    await assertTransactionIdsBehindServer(pool, options.schema);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return { dataSource, pool, close: () => dataSource.destroy() };
};
