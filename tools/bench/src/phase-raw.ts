import { uuidv7 } from '@casegrid/kernel';
import { Pool } from 'pg';
import { runClosedLoop } from './closed-loop';
import { withCpuMeter } from './cpu-meter';
import { peakRssMb, type PhaseResult, type BaselineSpec } from './phase-spec';
import { sampleData } from './sample-events';

/**
 * (c) The floor every durable append pays: one single-row INSERT per call, autocommit
 * (one round trip, one commit, one WAL flush shared only by PostgreSQL's own group flush).
 */
export const runRaw = async (spec: BaselineSpec): Promise<PhaseResult> => {
  const pool = new Pool({ connectionString: spec.url, max: spec.poolSize });
  try {
    await pool.query(`create schema if not exists ${spec.schema}`);
    await pool.query(
      `create table ${spec.schema}.t (id uuid primary key, type text not null, data jsonb not null)`,
    );
    const sql = `insert into ${spec.schema}.t (id, type, data) values ($1, $2, $3)`;
    const load = await withCpuMeter(spec.url, (meter) =>
      runClosedLoop(
        spec.load,
        (worker) => {
          let serial = 0;
          return async () => {
            const id = uuidv7();
            serial += 1;
            await pool.query(sql, [
              id,
              'CaseRegistered',
              JSON.stringify(sampleData(id, worker * 1_000_000 + serial)),
            ]);
          };
        },
        meter,
      ),
    );
    return { kind: 'load', load, peakRssMb: peakRssMb() };
  } finally {
    await pool.end();
  }
};
