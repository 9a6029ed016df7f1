import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteSchema, type MigrationClass } from '@casegrid/event-store';

/**
 * The holiday calendars (domain-rules §0, §5), one row per year, administered through
 * `/calendars/{year}`: the State Council's days off and the weekend days worked instead
 * (调休). `version` makes `If-Match` on a replace possible.
 */
export const calendarsMigrations = (schema: string): MigrationClass[] => {
  const s = quoteSchema(schema);
  class IntakeCalendars1763900000005 implements MigrationInterface {
    readonly name = 'IntakeCalendars1763900000005';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        create table ${s}.calendars (
          year int primary key,
          holidays date[] not null,
          makeup_workdays date[] not null,
          source text,
          version int not null default 1,
          updated_at timestamptz not null default now()
        );`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`drop table ${s}.calendars`);
    }
  }
  return [IntakeCalendars1763900000005];
};
