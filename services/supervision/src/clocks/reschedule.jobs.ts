import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteSchema, type MigrationClass, type Queryable } from '@casegrid/event-store';
import type { ReferenceChangeHook } from '@casegrid/runtime';

/**
 * `reschedules`: one durable job per change of reference data that moves running clocks
 * (issue 17): a calendar year loaded or corrected, a policy version saved with
 * `applyToRunning`. Written by the reference replica in the transaction that takes the
 * change, so a change is never taken without its job; unique per (kind, key, version), so a
 * change delivered again adds none. The worker walks the cases in batches by `after_case_id`
 * and advances the job in each batch's transaction, with that batch's events: a crash
 * loses at most the batch in hand, which the next attempt does again from the same key.
 */
export const rescheduleMigrations = (schema: string): MigrationClass[] => {
  const s = quoteSchema(schema);
  class SupervisionReschedules1767100000001 implements MigrationInterface {
    readonly name = 'SupervisionReschedules1767100000001';
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        create table ${s}.reschedules (
          id bigint generated always as identity primary key,
          kind text not null,
          key text not null,
          version bigint not null,
          record jsonb not null,
          event_id text not null,
          correlation_id text not null,
          recorded_at timestamptz not null default clock_timestamp(),
          after_case_id uuid,
          cases int not null default 0,
          moved int not null default 0,
          outcome text,
          finished_at timestamptz,
          unique (kind, key, version)
        );
        create index reschedules_pending on ${s}.reschedules (id) where finished_at is null;`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`drop table ${s}.reschedules`);
    }
  }
  return [SupervisionReschedules1767100000001];
};

/** What recounts running clocks: every calendar year, and a policy saved for running clocks. */
const movesClocks = (kind: string, data: object): boolean =>
  kind === 'calendar' ||
  (kind === 'deadline_policy' && (data as { applyToRunning?: unknown }).applyToRunning === true);

/** supervision's `onReferenceChange`: the job of a change, in the replica's transaction. */
export const enqueueReschedule: ReferenceChangeHook = async (tx, change, schema) => {
  if (!movesClocks(change.kind, change.data)) return;
  await tx.query(
    `insert into ${quoteSchema(schema)}.reschedules
       (kind, key, version, record, event_id, correlation_id)
     values ($1, $2, $3, $4::jsonb, $5, $6)
     on conflict (kind, key, version) do nothing`,
    [
      change.kind,
      change.key,
      change.version,
      JSON.stringify(change.data),
      change.eventId,
      change.correlationId,
    ],
  );
};

export interface RescheduleJob {
  readonly id: string;
  readonly kind: 'calendar' | 'deadline_policy';
  readonly key: string;
  readonly version: number;
  readonly record: Readonly<Record<string, unknown>>;
  readonly eventId: string;
  readonly correlationId: string;
  /** The last case done; null before the first batch. */
  readonly afterCaseId: string | null;
}

/** A job not finished yet, as the scheduler sees it (what it may still move). */
export interface PendingReschedule {
  readonly kind: RescheduleJob['kind'];
  readonly key: string;
  readonly version: number;
  /** A policy's obligation (the clocks it may take over); null for a calendar year. */
  readonly obligation: string | null;
  /** The last case its walk has done; null before the first batch. */
  readonly afterCaseId: string | null;
  readonly recordedAt: Date;
}

export interface JobProgress {
  readonly outcome: 'done' | 'superseded';
  readonly finishedAt: Date;
  readonly cases: number;
  readonly moved: number;
}

export class RescheduleJobs {
  private readonly table: string;

  constructor(schema: string) {
    this.table = `${quoteSchema(schema)}.reschedules`;
  }

  /**
   * The oldest unfinished job recorded at least `settleMs` ago, locked for the caller's
   * transaction (skipping one another instance holds). The wait lets every writer's cached
   * reference data (`ClockContextSource`, a second) catch up with the change first, so that
   * no clock is started on the old data after the job has passed its case.
   */
  async next(tx: Queryable, settleMs: number): Promise<RescheduleJob | undefined> {
    const { rows } = await tx.query<{
      id: string;
      kind: RescheduleJob['kind'];
      key: string;
      version: string;
      record: RescheduleJob['record'];
      event_id: string;
      correlation_id: string;
      after_case_id: string | null;
    }>(
      `select id, kind, key, version, record, event_id, correlation_id, after_case_id
       from ${this.table}
       where finished_at is null and recorded_at <= clock_timestamp() - $1 * interval '1 millisecond'
       order by id limit 1 for update skip locked`,
      [settleMs],
    );
    const row = rows[0];
    return (
      row && {
        id: row.id,
        kind: row.kind,
        key: row.key,
        version: Number(row.version),
        record: row.record,
        eventId: row.event_id,
        correlationId: row.correlation_id,
        afterCaseId: row.after_case_id,
      }
    );
  }

  /** Every unfinished job, oldest first (read without locks). */
  async pending(db: Queryable): Promise<PendingReschedule[]> {
    const { rows } = await db.query<{
      kind: RescheduleJob['kind'];
      key: string;
      version: string;
      obligation: string | null;
      after_case_id: string | null;
      recorded_at: Date;
    }>(
      `select kind, key, version, record->>'obligation' as obligation, after_case_id, recorded_at
       from ${this.table} where finished_at is null order by id`,
    );
    return rows.map((r) => ({
      kind: r.kind,
      key: r.key,
      version: Number(r.version),
      obligation: r.kind === 'deadline_policy' ? r.obligation : null,
      afterCaseId: r.after_case_id,
      recordedAt: r.recorded_at,
    }));
  }

  /** Records a batch: the cases walked and clocks moved; `finished` ends the job. */
  async advance(
    tx: Queryable,
    job: RescheduleJob,
    batch: { afterCaseId: string | null; cases: number; moved: number },
    finished: JobProgress['outcome'] | null,
  ): Promise<void> {
    await tx.query(
      `update ${this.table}
         set after_case_id = $2, cases = cases + $3, moved = moved + $4,
             outcome = $5, finished_at = case when $5::text is null then null else now() end
       where id = $1`,
      [job.id, batch.afterCaseId, batch.cases, batch.moved, finished],
    );
  }

  /** How a change's job went (undefined: none, or not finished). */
  async progress(
    db: Queryable,
    kind: RescheduleJob['kind'],
    key: string,
    version: number,
  ): Promise<JobProgress | undefined> {
    const { rows } = await db.query<{
      outcome: JobProgress['outcome'];
      finished_at: Date;
      cases: number;
      moved: number;
    }>(
      `select outcome, finished_at, cases, moved from ${this.table}
       where kind = $1 and key = $2 and version = $3 and finished_at is not null`,
      [kind, key, version],
    );
    const row = rows[0];
    return (
      row && {
        outcome: row.outcome,
        finishedAt: row.finished_at,
        cases: row.cases,
        moved: row.moved,
      }
    );
  }
}
