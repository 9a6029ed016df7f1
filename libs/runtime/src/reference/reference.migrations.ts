import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteSchema, type MigrationClass } from '@casegrid/event-store';

/**
 * A service's read-only copy of reference data (reference.replica.ts), added to every
 * service's schema by the runtime like the kernel's tables. One row per record: `data` is
 * the record as last published, `version` the owner's stream version of it (newest wins),
 * `occurred_at` when the owner changed it. Disposable: rebuilt by replaying the compacted
 * topic from the start.
 */
export const referenceReplicaMigrations = (schema: string): MigrationClass[] => {
  const s = quoteSchema(schema);
  class ReferenceReplica1764000000000 implements MigrationInterface {
    readonly name = 'ReferenceReplica1764000000000';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        create table ${s}.reference_data (
          kind text not null,
          key text not null,
          data jsonb not null,
          version bigint not null check (version > 0),
          occurred_at timestamptz not null,
          updated_at timestamptz not null default now(),
          primary key (kind, key)
        );`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`drop table ${s}.reference_data`);
    }
  }
  return [ReferenceReplica1764000000000];
};
