import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteSchema, type MigrationClass } from '@casegrid/event-store';

/**
 * The organisation (regions, departments, users) and the embedded issuer's signing keys,
 * in intake's schema: intake owns reference data (DESIGN.md, Services).
 */
export const identityMigrations = (schema: string): MigrationClass[] => {
  const s = quoteSchema(schema);
  class Identity1763900000001 implements MigrationInterface {
    readonly name = 'Identity1763900000001';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        create table ${s}.regions (
          code text primary key check (code ~ '^\\d{12}(\\d{3})?$'),
          name text not null,
          tier text not null,
          parent_code text references ${s}.regions (code),
          created_at timestamptz not null default now()
        );
        create table ${s}.departments (
          id uuid primary key,
          name text not null,
          type text not null,
          region_code text not null references ${s}.regions (code),
          created_at timestamptz not null default now()
        );
        create index departments_region on ${s}.departments (region_code text_pattern_ops);
        create table ${s}.users (
          id uuid primary key,
          username text not null,
          name text not null,
          department_id uuid not null references ${s}.departments (id),
          roles text[] not null,
          password_hash text,
          disabled boolean not null default false,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now()
        );
        create unique index users_username on ${s}.users (lower(username));
        -- The embedded issuer's keys: the private JWK sealed under its own data key, which
        -- is wrapped by the master key (the same envelope as personal data).
        create table ${s}.signing_keys (
          kid uuid primary key,
          kek_id text not null,
          wrapped_key bytea not null,
          sealed_private_jwk text not null,
          created_at timestamptz not null
        );`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(
        `drop table ${s}.signing_keys, ${s}.users, ${s}.departments, ${s}.regions`,
      );
    }
  }
  return [Identity1763900000001];
};
