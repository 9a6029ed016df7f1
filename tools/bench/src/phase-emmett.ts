import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { uuidv7 } from '@casegrid/kernel';
import { Pool } from 'pg';
import { runClosedLoop } from './closed-loop';
import { withCpuMeter } from './cpu-meter';
import { peakRssMb, type PhaseResult, type BaselineSpec } from './phase-spec';
import { eventTypeAt, sampleData, sampleMetadata } from './sample-events';

/**
 * (b) Emmett's PostgreSQL store, same workload. Emmett has no pool-size option of its own
 * (its default pool is a `pg.Pool` with pg's default of 10), so it gets an ambient pool of
 * the same size as ours. Its SQL names tables unqualified, so the pool's `search_path`
 * keeps them in the bench schema. Runs in its own process: dumbo replaces pg's global type
 * parsers (int8 -> BigInt, jsonb reviver), which must not leak into the other workloads.
 */
export const runEmmett = async (spec: BaselineSpec): Promise<PhaseResult> => {
  const pool = new Pool({
    connectionString: spec.url,
    max: spec.poolSize,
    options: `-c search_path=${spec.schema}`,
  });
  try {
    await pool.query(`create schema if not exists ${spec.schema}`);
    const store = getPostgreSQLEventStore(spec.url, { connectionOptions: { pool } });
    try {
      // Emmett migrates lazily on first use; do it before the clock starts.
      await store.schema.migrate();
      const load = await withCpuMeter(spec.url, (meter) =>
        runClosedLoop(
          spec.load,
          (worker) => {
            const streamName = `case-${uuidv7()}`;
            let version = 0n;
            return async () => {
              const position = Number(version) + 1;
              const result = await store.appendToStream(
                streamName,
                [
                  {
                    type: eventTypeAt(position),
                    data: sampleData(streamName, worker * 1_000_000 + position - 1),
                    metadata: sampleMetadata(),
                  },
                ],
                { expectedStreamVersion: version },
              );
              version = result.nextExpectedStreamVersion;
            };
          },
          meter,
        ),
      );
      return { kind: 'load', load, peakRssMb: peakRssMb() };
    } finally {
      await store.close();
    }
  } finally {
    await pool.end();
  }
};
