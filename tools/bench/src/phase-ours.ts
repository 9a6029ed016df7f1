import { kernelMigrations, openServiceDatabase, PgEventStore } from '@casegrid/event-store';
import { uuidv7 } from '@casegrid/kernel';
import { runClosedLoop } from './closed-loop';
import { withCpuMeter } from './cpu-meter';
import { peakRssMb, type PhaseResult, type OursSpec } from './phase-spec';
import { eventTypeAt, sampleData, sampleMetadata } from './sample-events';

/** (a) Our store as production uses it: exact expected version, outbox row per event. */
export const runOurs = async (spec: OursSpec): Promise<PhaseResult> => {
  const db = await openServiceDatabase({
    url: spec.url,
    schema: spec.schema,
    migrations: kernelMigrations(spec.schema),
    poolSize: spec.poolSize,
  });
  try {
    const store = new PgEventStore({
      pool: db.pool,
      schema: spec.schema,
      groupCommit: spec.groupCommit,
    });
    const load = await withCpuMeter(spec.url, (meter) =>
      runClosedLoop(
        spec.load,
        (worker) => {
          const streamId = `case-${uuidv7()}`;
          let version = 0;
          return async () => {
            const result = await store.append({
              streamId,
              expectedVersion: version,
              events: [
                {
                  id: uuidv7(),
                  type: eventTypeAt(version + 1),
                  data: sampleData(streamId, worker * 1_000_000 + version),
                  metadata: sampleMetadata(),
                },
              ],
              publishTo: 'casegrid.case-events',
            });
            version = result.nextVersion;
          };
        },
        meter,
      ),
    );
    return { kind: 'load', load, peakRssMb: peakRssMb() };
  } finally {
    await db.close();
  }
};
