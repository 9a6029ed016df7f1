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
  return [
    KernelEventStore1763800000000,
    KernelIdempotencyKeys1763800000002,
    KernelProcessorPositions1765000000003,
    KernelNumbering1765000000005,
  ];
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
}

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
    extra: { max: options.poolSize ?? 10 },
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
  return { dataSource, pool, close: () => dataSource.destroy() };
};
