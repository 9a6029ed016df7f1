import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteSchema, type MigrationClass } from '@casegrid/event-store';

/**
 * Intake's tables beside its event store:
 * - `persons`: one row per person, with the keyed blind index of their id number so a
 *   second case of the same citizen reuses their person (and key) without the id number
 *   ever being stored; erasure clears the index.
 * - `person_cases`: where each person is a party, so erasure can record itself on every
 *   case it touches.
 * - case numbers: one gapless series per county and year in the kernel's `numbering`
 *   (`case:<county>:<year>`), taken by the registration's last statement
 *   (`append_numbered`); until then `case_numbers` held them.
 */
/** The series of a county's case numbers in a year, as SQL over two columns. */
const caseSeriesSql = (county: string, year: string): string =>
  `'case:' || ${county} || ':' || ${year}`;

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
  /** The counters move to the kernel's numbering (created by its migration before this). */
  class IntakeCaseNumbersToNumbering1765000000007 implements MigrationInterface {
    readonly name = 'IntakeCaseNumbersToNumbering1765000000007';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        insert into ${s}.numbering (series, last_value)
        select ${caseSeriesSql('county_code', 'year')}, last_number from ${s}.case_numbers
        where last_number > 0;
        drop table ${s}.case_numbers;`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`
        create table ${s}.case_numbers (county_code text not null, year int not null,
          last_number int not null, primary key (county_code, year));
        insert into ${s}.case_numbers
        select split_part(series, ':', 2), split_part(series, ':', 3)::int, last_value
        from ${s}.numbering where series like 'case:%';
        delete from ${s}.numbering where series like 'case:%';`);
    }
  }
  return [IntakeCases1763900000002, IntakeCaseNumbersToNumbering1765000000007];
};
