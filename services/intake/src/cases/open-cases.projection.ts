import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { PoolClient } from 'pg';
import { quoteSchema, type MigrationClass } from '@casegrid/event-store';
import { isOpen, type IntakeCase, type IntakeEvent } from '@casegrid/intake';

/**
 * Intake's open cases, for repeat linking: who applied (person ids, never id numbers),
 * which category and village, when the last submission came. Written in the transaction
 * that appends the events, so it never disagrees with them; a case leaves it when
 * resolved or referred here. Rebuildable from the log like any projection.
 */
export const openCasesMigrations = (schema: string): MigrationClass[] => {
  const s = quoteSchema(schema);
  class IntakeOpenCases1763900000004 implements MigrationInterface {
    readonly name = 'IntakeOpenCases1763900000004';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        create table ${s}.open_cases (
          case_id uuid primary key,
          number text not null,
          status text not null,
          applicant_person_ids uuid[] not null,
          category text not null,
          village_code text not null,
          last_submission_at timestamptz not null,
          submission_count int not null
        );
        create index open_cases_applicants on ${s}.open_cases using gin (applicant_person_ids);`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`drop table ${s}.open_cases`);
    }
  }
  /**
   * The number is not the view's: nothing reads it here, and a registration writes this
   * row before its number is taken (the number is the last thing a registration takes).
   */
  class IntakeOpenCasesWithoutNumber1765000000006 implements MigrationInterface {
    readonly name = 'IntakeOpenCasesWithoutNumber1765000000006';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`alter table ${s}.open_cases drop column number`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`alter table ${s}.open_cases add column number text not null default ''`);
    }
  }
  return [IntakeOpenCases1763900000004, IntakeOpenCasesWithoutNumber1765000000006];
};

export async function projectOpenCases(
  client: PoolClient,
  schema: string,
  events: readonly IntakeEvent[],
  state: IntakeCase,
): Promise<void> {
  const s = quoteSchema(schema);
  let inserted = false;
  for (const event of events) {
    if (event.type === 'CaseRegistered') {
      const d = event.data;
      const applicants = d.parties.filter((p) => p.role === 'applicant').map((p) => p.personId);
      // Already with the status the registration ends in (routed: dispatched), so the
      // common case is one statement.
      const status = isOpen(state) && state.status !== 'unregistered' ? state.status : 'registered';
      await client.query(
        `insert into ${s}.open_cases (case_id, status, applicant_person_ids, category, village_code,
           last_submission_at, submission_count)
         values ($1, $6, $2, $3, $4, $5, 1) on conflict do nothing`,
        [d.caseId, applicants, d.category, d.regionCode.slice(0, 12), d.receivedAt, status],
      );
      inserted = true;
    } else if (event.type === 'RepeatSubmissionRecorded') {
      await client.query(
        `update ${s}.open_cases set submission_count = $2, last_submission_at = greatest(last_submission_at, $3) where case_id = $1`,
        [event.data.caseId, event.data.submissionCount, event.data.receivedAt],
      );
    }
  }
  if (state.status === 'unregistered' || events.length === 0) return;
  if (isOpen(state)) {
    if (inserted) return;
    await client.query(`update ${s}.open_cases set status = $2 where case_id = $1`, [
      state.caseId,
      state.status,
    ]);
  } else {
    await client.query(`delete from ${s}.open_cases where case_id = $1`, [state.caseId]);
  }
}

/** The window in which a submission counts as a repeat of the same matter (API.md, Intake). */
export const REPEAT_WINDOW_DAYS = 90;

export interface OpenCaseMatch {
  readonly caseId: string;
}

/**
 * The open case the same applicant(s) raised about the same category in the same village
 * within the window, most recent first. The caller holds the advisory locks of
 * `lockRepeatKeys`, so two identical submissions racing each other link, not fork.
 */
export async function findRepeatOf(
  client: PoolClient,
  schema: string,
  key: {
    readonly personIds: readonly string[];
    readonly category: string;
    readonly regionCode: string;
    readonly now: Date;
  },
): Promise<OpenCaseMatch | undefined> {
  if (key.personIds.length === 0) return undefined;
  const { rows } = await client.query<{ case_id: string }>(
    `select case_id from ${quoteSchema(schema)}.open_cases
      where applicant_person_ids && $1::uuid[] and category = $2 and village_code = $3
        and last_submission_at > $4::timestamptz - make_interval(days => $5)
      order by last_submission_at desc limit 1`,
    [key.personIds, key.category, key.regionCode.slice(0, 12), key.now, REPEAT_WINDOW_DAYS],
  );
  return rows[0] ? { caseId: rows[0].case_id } : undefined;
}

export async function lockRepeatKeys(
  client: PoolClient,
  idNumberIndexes: readonly string[],
  category: string,
  regionCode: string,
): Promise<void> {
  // Sorted, so two submissions naming the same applicants lock in the same order.
  for (const index of [...new Set(idNumberIndexes)].sort()) {
    await client.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `repeat:${index}:${category}:${regionCode.slice(0, 12)}`,
    ]);
  }
}
