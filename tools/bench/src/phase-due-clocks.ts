import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import { kernelMigrations, openServiceDatabase, quoteSchema } from '@casegrid/event-store';
import { dueCasesSql, findDueCases, supervisionMigrations } from '@casegrid/service-supervision';
import { percentile } from './closed-loop';
import type { DueClocksSpec, DueLatency, PhaseResult } from './phase-spec';

const WARMUP_QUERIES = 200;
const DAY_SECONDS = 86_400;

/**
 * `open` timers in the future (spread over 90 days, as accept, handling and follow-up
 * clocks are) and `due` timers in the hour before `now`, written set-based: a million
 * rows take seconds this way, against minutes through the ledger.
 */
const seedTimers = async (pool: Pool, schema: string, open: number, due: number, now: Date) => {
  const s = quoteSchema(schema);
  await pool.query(
    `insert into ${s}.case_timers (case_id, fire_at)
     select md5($2 || ':open:' || n)::uuid,
            $1::timestamptz + interval '1 minute' + ((n::bigint * 7919) % (90 * ${DAY_SECONDS})) * interval '1 second'
     from generate_series(1, $3::int) n`,
    [now, schema, open],
  );
  await pool.query(
    `insert into ${s}.case_timers (case_id, fire_at)
     select md5($2 || ':due:' || n)::uuid, $1::timestamptz - n * interval '30 seconds'
     from generate_series(1, $3::int) n`,
    [now, schema, due],
  );
  await pool.query(`vacuum (analyze) ${s}.case_timers`);
};

interface Population {
  readonly schema: string;
  readonly open: number;
  readonly pool: Pool;
  readonly seedSeconds: number;
  readonly samples: number[];
  rows: number;
}

/**
 * (e) Finding due clocks: the scheduler's own find-due statement (`findDueCases`), one
 * call at a time on one connection, against a small and a large population of open timers.
 * Both return the same batch of due cases; the claim under test is that the large
 * population costs no more. The populations take turns query by query, so load from
 * elsewhere on the machine hits both alike.
 */
export const runDueClocks = async (spec: DueClocksSpec): Promise<PhaseResult> => {
  const now = new Date();
  const dbs = [];
  try {
    const populations: Population[] = [];
    for (const { schema, open } of spec.populations) {
      const db = await openServiceDatabase({
        url: spec.url,
        schema,
        migrations: [...kernelMigrations(schema), ...supervisionMigrations(schema)],
        // Two: migrating holds one connection under a lock while it runs on another.
        poolSize: 2,
      });
      dbs.push(db);
      const began = performance.now();
      await seedTimers(db.pool, schema, open, spec.due, now);
      const seedSeconds = (performance.now() - began) / 1000;
      populations.push({ schema, open, pool: db.pool, seedSeconds, samples: [], rows: 0 });
    }
    for (const p of populations) {
      for (let i = 0; i < WARMUP_QUERIES; i += 1) await findDueCases(p.pool, p.schema, now);
    }
    for (let i = 0; i < spec.queries; i += 1) {
      for (const p of populations) {
        const began = performance.now();
        const found = await findDueCases(p.pool, p.schema, now);
        p.samples.push(performance.now() - began);
        p.rows = found.length;
      }
    }
    const results: DueLatency[] = [];
    for (const p of populations) {
      const { rows } = await p.pool.query<{ 'QUERY PLAN': string }>(
        `explain (analyze, buffers, costs off, summary off) ${dueCasesSql(p.schema)}`,
        [now, '-infinity', '00000000-0000-0000-0000-000000000000'],
      );
      const sorted = Float64Array.from(p.samples).sort();
      results.push({
        schema: p.schema,
        open: p.open,
        due: spec.due,
        rows: p.rows,
        queries: sorted.length,
        p50Ms: percentile(sorted, 0.5),
        p99Ms: percentile(sorted, 0.99),
        seedSeconds: p.seedSeconds,
        plan: rows.map((r) => r['QUERY PLAN']),
      });
    }
    return { kind: 'due-clocks', populations: results };
  } finally {
    for (const db of dbs) await db.close();
  }
};
