import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import { kernelMigrations, openServiceDatabase } from '@casegrid/event-store';
import type { PhaseResult, SeedSpec } from './phase-spec';

const SEED_CHUNK = 100_000;

/**
 * Events shaped like `sample-events.ts` (≈210-byte data, real metadata, UUIDv7-like ids in
 * time order), written by SQL: a million appends through the store would take longer than
 * the whole bench budget. Streams are interleaved (event g goes to stream g mod streams) so
 * a page holds many streams, as a live store's log does. Each chunk is its own transaction,
 * so the log spans several transaction ids. One md5 per event feeds both of its ids: the
 * generator, not the insert, is what makes seeding slow.
 */
const seedSql = (s: string): string => `
insert into ${s}.events (stream_id, stream_position, event_id, event_type, data, metadata)
select st.stream_id, k.position,
  (lpad(to_hex($4::bigint + g), 12, '0') || '7' || substr(k.h, 1, 3) || '8' || substr(k.h, 4, 15))::uuid,
  (array['CaseRegistered', 'CaseRouted', 'MediationScheduled', 'CaseFollowedUp'])[(k.position - 1) % 4 + 1],
  format('{"caseId": "%s", "category": "neighbourhood-dispute", "channel": "walk-in", '
    '"reporter": {"name": "Resident %s", "phone": "+86 138 0000 %s"}, '
    '"address": "Block %s, Unit %s, Riverside"}',
    st.stream_id, lpad((g % 100000)::text, 5, '0'), lpad((g % 10000)::text, 4, '0'), g % 40, g % 6
  )::jsonb,
  format('{"actor": "user:bench", "correlationId": "%s", "occurredAt": "%s.000Z"}',
    (substr(k.h, 17) || substr(k.h, 1, 16))::uuid,
    replace((timestamp '2025-01-01' + g * interval '1 second')::text, ' ', 'T')
  )::jsonb
from generate_series($1::bigint, $2::bigint) g
cross join lateral (select g / $3 + 1 as position, md5(g::text) as h) k
join ${s}.seed_streams st on st.n = g % $3
order by g`;

/** Bulk-load pattern: drop the indexes, load, rebuild them (several times faster). */
const withoutIndexes = async (pool: Pool, s: string, load: () => Promise<void>): Promise<void> => {
  const table = `${s}.events`;
  const { rows: foreign } = await pool.query<{ name: string; owner: string; def: string }>(
    `select conname as name, conrelid::regclass::text as owner, pg_get_constraintdef(oid) as def
     from pg_constraint where confrelid = $1::regclass`,
    [table],
  );
  const { rows: own } = await pool.query<{ name: string; def: string }>(
    `select conname as name, pg_get_constraintdef(oid) as def
     from pg_constraint where conrelid = $1::regclass and contype in ('p', 'u')`,
    [table],
  );
  for (const c of foreign) await pool.query(`alter table ${c.owner} drop constraint ${c.name}`);
  for (const c of own) await pool.query(`alter table ${table} drop constraint ${c.name}`);
  const { rows: indexes } = await pool.query<{ name: string; def: string }>(
    `select indexrelid::regclass::text as name, pg_get_indexdef(indexrelid) as def
     from pg_index where indrelid = $1::regclass`,
    [table],
  );
  for (const i of indexes) await pool.query(`drop index ${i.name}`);
  await load();
  for (const i of indexes) await pool.query(i.def);
  for (const c of own) await pool.query(`alter table ${table} add constraint ${c.name} ${c.def}`);
  for (const c of foreign) {
    await pool.query(`alter table ${c.owner} add constraint ${c.name} ${c.def}`);
  }
};

export const runSeed = async (spec: SeedSpec): Promise<PhaseResult> => {
  const began = performance.now();
  const db = await openServiceDatabase({
    url: spec.url,
    schema: spec.schema,
    migrations: kernelMigrations(spec.schema),
    poolSize: 2,
  });
  try {
    const s = `"${spec.schema}"`;
    const pool = db.pool;
    await pool.query(
      `create unlogged table ${s}.seed_streams as
       select n, 'case-' || md5('s' || n)::uuid as stream_id from generate_series(0, $1 - 1) n`,
      [spec.streams],
    );
    await pool.query(`alter table ${s}.seed_streams add primary key (n)`);
    await withoutIndexes(pool, s, async () => {
      const sql = seedSql(s);
      const firstMillis = Date.now() - spec.events;
      for (let from = 0; from < spec.events; from += SEED_CHUNK) {
        const to = Math.min(spec.events, from + SEED_CHUNK) - 1;
        await pool.query(sql, [from, to, spec.streams, firstMillis]);
      }
    });
    await pool.query(
      `insert into ${s}.streams (stream_id, version, last_transaction_id)
       select stream_id, ($1::bigint - 1 - n) / $2 + 1, pg_current_xact_id()
       from ${s}.seed_streams where n < $1`,
      [spec.events, spec.streams],
    );
    await pool.query(`drop table ${s}.seed_streams`);
    // As on a long-lived store: hint bits set and statistics fresh before anyone replays.
    await pool.query(`vacuum (analyze) ${s}.events`);
    return { kind: 'seed', events: spec.events, seconds: (performance.now() - began) / 1000 };
  } finally {
    await db.close();
  }
};
