import type { Pool } from 'pg';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { eventStoreDdl } from './event-store.ddl';
import { idempotencyDdl } from './idempotency.ddl';
import { quoteSchema } from './sql-identifier';

export type MigrationClass = new () => MigrationInterface;

/** The kernel's tables (event store, outbox, inbox, checkpoints) in a service's schema. */
export const kernelMigrations = (schema: string): MigrationClass[] => {
  class KernelEventStore1763800000000 implements MigrationInterface {
    readonly name = 'KernelEventStore1763800000000';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(eventStoreDdl(schema));
    }
    async down(runner: QueryRunner): Promise<void> {
      const s = quoteSchema(schema);
      await runner.query(
        `drop function ${s}.append_batch; drop table ${s}.checkpoints, ${s}.inbox, ${s}.outbox, ${s}.events, ${s}.streams`,
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
  return [KernelEventStore1763800000000, KernelIdempotencyKeys1763800000002];
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
