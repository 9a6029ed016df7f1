import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteSchema, type MigrationClass } from '@casegrid/event-store';
import type { LedgerCase } from '@casegrid/supervision';
import { STATS_COLUMNS, statsValues } from './ledger-stats.columns';

const BATCH = 500;

/**
 * Fills the statistics columns of every ledger row from its `state`, in batches by key:
 * what the migration does to rows already there, and how to redo it after the facts'
 * definition changes.
 */
export async function backfillStatsColumns(
  query: (sql: string, params: unknown[]) => Promise<unknown>,
  schema: string,
): Promise<void> {
  const s = quoteSchema(schema);
  const set = STATS_COLUMNS.map((c, i) => `${c} = $${i + 2}`).join(', ');
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = (await query(
      `select case_id, state from ${s}.ledger where case_id > $1 order by case_id limit ${BATCH}`,
      [after],
    )) as { case_id: string; state: LedgerCase }[];
    for (const row of rows) {
      await query(`update ${s}.ledger set ${set} where case_id = $1`, [
        row.case_id,
        ...statsValues(row.state),
      ]);
    }
    if (rows.length < BATCH) break;
    after = rows[rows.length - 1]!.case_id;
  }
}

/**
 * The statistics columns of `ledger` (docs/statistics.md): what each case contributes to
 * the counts and rates, kept beside its view so that a period's figures are one GROUP BY.
 * Rows already there are filled from their `state` by the same function the store writes
 * with (`backfillStatsColumns`).
 *
 * `ledger_stats` serves the common query: a region's subtree (a supervisor's jurisdiction
 * or the `regionCode` asked for) over a range of registrations, with every column the
 * aggregate reads included, so it can answer from the index alone.
 */
export const ledgerStatsMigrations = (schema: string): MigrationClass[] => {
  const s = quoteSchema(schema);
  class SupervisionLedgerStats1764600000001 implements MigrationInterface {
    readonly name = 'SupervisionLedgerStats1764600000001';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        alter table ${s}.ledger
          add column dispatched boolean not null default false,
          add column accepted boolean not null default false,
          add column outcome_status text,
          add column responded_on_time boolean not null default false,
          add column follow_up_count int not null default 0,
          add column follow_up_satisfaction text,
          add column reopen_count int not null default 0,
          add column submission_count int not null default 1,
          add column clocks_ended int not null default 0,
          add column clocks_met_on_time int not null default 0,
          add column clocks_breached int not null default 0;
        create index ledger_stats on ${s}.ledger (region_code text_pattern_ops, registered_at)
          include (lead_department_id, co_department_ids, category, status, ${STATS_COLUMNS.join(', ')});`);
      await backfillStatsColumns((sql, params) => runner.query(sql, params), schema);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`
        drop index ${s}.ledger_stats;
        alter table ${s}.ledger ${STATS_COLUMNS.map((c) => `drop column ${c}`).join(', ')};`);
    }
  }
  return [SupervisionLedgerStats1764600000001];
};
