import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteSchema, type MigrationClass } from '@casegrid/event-store';

/**
 * One wrapped data key per person. Erasure keeps the row (who erased, when, why: the
 * record an inspector asks for) and drops the key; the CHECK makes "erased" and "has a
 * key" exclusive, so no code path can leave a shredded person with a readable key.
 *
 * Note: PostgreSQL keeps the old row version until VACUUM, and backups keep it for their
 * lifetime; both remain useless without the key-encryption key.
 */
export const personKeysDdl = (schema: string): string => {
  const s = quoteSchema(schema);
  return `
    create table ${s}.person_keys (
      person_id uuid primary key,
      kek_id text not null,
      wrapped_key bytea,
      created_at timestamptz not null default now(),
      erased_at timestamptz,
      erased_by text,
      erasure_reason text,
      constraint person_keys_erased_xor_key check ((erased_at is null) = (wrapped_key is not null)),
      constraint person_keys_erasure_has_actor check (erased_at is null or erased_by is not null)
    )`;
};

/** The vault's table in the owning service's schema; list it beside `kernelMigrations`. */
export const personalDataMigrations = (schema: string): MigrationClass[] => {
  class PersonalDataPersonKeys1763900000000 implements MigrationInterface {
    readonly name = 'PersonalDataPersonKeys1763900000000';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(personKeysDdl(schema));
    }
    // Dropping the table shreds every person at once; down exists for development only.
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`drop table ${quoteSchema(schema)}.person_keys`);
    }
  }
  return [PersonalDataPersonKeys1763900000000];
};
