import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteSchema, type MigrationClass } from '@casegrid/event-store';

/**
 * Intake's tables beside its event store:
 * - `persons`: one row per person, with the keyed blind index of their id number so a
 *   second case of the same citizen reuses their person (and key) without the id number
 *   ever being stored; erasure clears the index.
 * - `person_cases`: where each person is a party, so erasure can record itself on every
 *   case it touches.
 * - `case_numbers`: the last number per county and year. The row lock taken by the
 *   increment is held until the registration commits, so numbers are gapless and unique
 *   under concurrency: a rolled-back registration gives its number back.
 */
export const casesMigrations = (schema: string): MigrationClass[] => {
  const s = quoteSchema(schema);
  class IntakeCases1763900000002 implements MigrationInterface {
    readonly name = 'IntakeCases1763900000002';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        create table ${s}.persons (
          person_id uuid primary key,
          id_number_index text unique,
          created_at timestamptz not null default now()
        );
        create table ${s}.person_cases (
          person_id uuid not null references ${s}.persons (person_id),
          case_id uuid not null,
          primary key (person_id, case_id)
        );
        create table ${s}.case_numbers (
          county_code text not null,
          year int not null,
          last_number int not null,
          primary key (county_code, year)
        );`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`drop table ${s}.case_numbers, ${s}.person_cases, ${s}.persons`);
    }
  }
  return [IntakeCases1763900000002];
};
