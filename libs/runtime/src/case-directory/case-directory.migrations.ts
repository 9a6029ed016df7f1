import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteSchema, type MigrationClass } from '@casegrid/event-store';

/**
 * A consuming service's `known_cases` (case-directory.ts): what it knows of each case from
 * intake's events — where it is, who leads and co-handles it, on which track. One row per
 * case; `version` is intake's stream version of the last event applied, so an older or
 * replayed event never overwrites a newer one. Disposable: rebuilt by replaying
 * `casegrid.case-events`.
 */
export const caseDirectoryMigrations = (schema: string): MigrationClass[] => {
  const s = quoteSchema(schema);
  class CaseDirectory1765000000000 implements MigrationInterface {
    readonly name = 'CaseDirectory1765000000000';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        create table ${s}.known_cases (
          case_id uuid primary key,
          kind text not null,
          region_code text not null,
          received_at timestamptz not null,
          lead_department_id uuid,
          co_department_ids uuid[] not null default '{}',
          track text,
          handler_id uuid,
          status text not null,
          version bigint not null check (version > 0),
          updated_at timestamptz not null default now()
        );`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`drop table ${s}.known_cases`);
    }
  }
  return [CaseDirectory1765000000000];
};
