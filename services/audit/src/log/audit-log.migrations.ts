import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteSchema, type MigrationClass } from '@casegrid/event-store';

/**
 * The role audit writes as: it may read and append, never change or remove (DESIGN.md:
 * inspectors trust the record without trusting the services that wrote it). Roles are
 * global to the PostgreSQL cluster; the grants are per database.
 */
export const AUDIT_WRITER_ROLE = 'casegrid_audit_writer';

/**
 * `case_events`: every case event in its case's canonical order (`position`), with the
 * global order in which audit recorded it (`global_seq`), the CloudEvent as received
 * (`event`), and the per-case SHA-256 chain (`prev_hash`, `hash`; docs/audit.md).
 * `region_code` is the case's region copied from its registration, so that an inspector's
 * export is filtered by territory in the query; it is derived and not hashed.
 *
 * Append-only three times over: nothing in the service issues UPDATE or DELETE; the
 * writer role has INSERT and SELECT only; a trigger refuses UPDATE, DELETE and TRUNCATE
 * even to the table's owner (a superuser can still disable triggers — the chain is what
 * makes that visible).
 */
export const auditLogMigrations = (schema: string): MigrationClass[] => {
  const s = quoteSchema(schema);
  const role = `"${AUDIT_WRITER_ROLE}"`;
  class AuditCaseEvents1765000000001 implements MigrationInterface {
    readonly name = 'AuditCaseEvents1765000000001';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        create table ${s}.case_events (
          case_id text not null,
          position int not null check (position > 0),
          global_seq bigint generated always as identity,
          event jsonb not null,
          prev_hash text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
          hash text not null check (hash ~ '^[0-9a-f]{64}$'),
          region_code text,
          recorded_at timestamptz not null default now(),
          primary key (case_id, position)
        );
        create unique index case_events_event_id on ${s}.case_events ((event->>'id'));
        create unique index case_events_global_seq on ${s}.case_events (global_seq);
        create index case_events_recorded on ${s}.case_events (recorded_at, global_seq);

        create function ${s}.refuse_change() returns trigger language plpgsql as $$
        begin
          raise exception 'audit.case_events is append-only: % refused', tg_op
            using errcode = 'insufficient_privilege';
        end $$;
        create trigger case_events_append_only before update or delete on ${s}.case_events
          for each row execute function ${s}.refuse_change();
        create trigger case_events_no_truncate before truncate on ${s}.case_events
          for each statement execute function ${s}.refuse_change();

        do $$ begin
          if not exists (select from pg_roles where rolname = '${AUDIT_WRITER_ROLE}') then
            create role ${role} nologin;
          end if;
        exception when duplicate_object or unique_violation then null; -- created concurrently
        end $$;
        revoke all on ${s}.case_events from ${role};
        grant usage on schema ${s} to ${role};
        grant select, insert on ${s}.case_events, ${s}.inbox to ${role};
        -- The login that runs migrations may act as the writer (a no-op for a superuser).
        grant ${role} to current_user;`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`drop table ${s}.case_events; drop function ${s}.refuse_change()`);
    }
  }
  /**
   * The event processor writes the batch's inbox rows and the group's position after the
   * append, in the same transaction, so still as the writer role.
   */
  class AuditWriterPositions1765000000004 implements MigrationInterface {
    readonly name = 'AuditWriterPositions1765000000004';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`grant select, insert, update on ${s}.checkpoints to ${role}`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`revoke all on ${s}.checkpoints from ${role}`);
    }
  }
  /**
   * The events of a case held behind a parked one are written in the batch's transaction,
   * and removed by a replay's, both after the append: still as the writer role. The
   * parked rows are the processor's bookkeeping, not the record: the chain is.
   */
  class AuditWriterParked1765000000009 implements MigrationInterface {
    readonly name = 'AuditWriterParked1765000000009';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`grant select, insert, delete on ${s}.parked to ${role}`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`revoke all on ${s}.parked from ${role}`);
    }
  }
  /**
   * The read order of every reader by position (the export, a ledger rebuild): the writing
   * transaction's id beside `global_seq`, read as `(transaction_id, global_seq)` below the
   * snapshot horizon (the event store's rule, ADR 0001). `global_seq` alone is handed out
   * before commit: a page after 2 never returns 1 when 1 commits after 2 was read. Rows
   * already here get this migration's id (fast default, no rewrite, no trigger): they all
   * committed before it and are read in `global_seq` order among themselves.
   */
  class AuditCaseEventsReadOrder1765000000012 implements MigrationInterface {
    readonly name = 'AuditCaseEventsReadOrder1765000000012';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        alter table ${s}.case_events
          add column transaction_id xid8 not null default pg_current_xact_id();
        create index case_events_read_order on ${s}.case_events (transaction_id, global_seq);`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`alter table ${s}.case_events drop column transaction_id`);
    }
  }
  return [
    AuditCaseEvents1765000000001,
    AuditWriterPositions1765000000004,
    AuditWriterParked1765000000009,
    AuditCaseEventsReadOrder1765000000012,
  ];
};
