import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteSchema, type MigrationClass } from '@casegrid/event-store';

/**
 * supervision's read side beside its event store:
 * - `ledger`: one row per case, the ledger view folded from the case's stream (`state`,
 *   the reducer's output) and the columns the ledger filters and pages on. Written in the
 *   transaction that folds an event into it, so it never disagrees with supervision's
 *   own events; disposable, rebuilt from the log like every projection.
 * - `case_timers`: each case's next due instant (warning, breach, escalation). The
 *   scheduler reads the earliest rows by an index on `fire_at`, so finding due clocks
 *   costs the same with a million open clocks as with a thousand.
 * - `notices`: 通报 issued at the top of the escalation ladder (`GET /notices`).
 */
export const ledgerMigrations = (schema: string): MigrationClass[] => {
  const s = quoteSchema(schema);
  class SupervisionLedger1764500000001 implements MigrationInterface {
    readonly name = 'SupervisionLedger1764500000001';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        create table ${s}.ledger (
          case_id uuid primary key,
          number text not null,
          kind text not null,
          channel text not null,
          category text not null,
          title text not null,
          region_code text not null,
          status text not null,
          track text,
          lead_department_id uuid,
          co_department_ids uuid[] not null default '{}',
          handler_id uuid,
          light text not null,
          supervision_level text not null,
          registered_at timestamptz not null,
          resolved_at timestamptz,
          closed_at timestamptz,
          version int not null,
          state jsonb not null,
          updated_at timestamptz not null default now()
        );
        create index ledger_page on ${s}.ledger (registered_at desc, case_id desc);
        create index ledger_region on ${s}.ledger (region_code text_pattern_ops);
        create index ledger_lead on ${s}.ledger (lead_department_id);
        create index ledger_co on ${s}.ledger using gin (co_department_ids);
        create index ledger_status on ${s}.ledger (status, registered_at desc);
        create index ledger_light on ${s}.ledger (light) where light <> 'green';

        create table ${s}.case_timers (
          case_id uuid primary key,
          fire_at timestamptz not null
        );
        create index case_timers_due on ${s}.case_timers (fire_at, case_id);

        create table ${s}.notices (
          notice_id uuid primary key,
          case_id uuid not null,
          case_number text not null,
          region_code text not null,
          case_region_code text not null,
          department_id uuid,
          obligations text[] not null,
          text text not null,
          issued_at timestamptz not null
        );
        create index notices_region on ${s}.notices (region_code text_pattern_ops, issued_at desc);`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`drop table ${s}.notices, ${s}.case_timers, ${s}.ledger`);
    }
  }
  return [SupervisionLedger1764500000001];
};
