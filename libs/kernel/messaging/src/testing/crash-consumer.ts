import { Pool } from 'pg';
import { logLevel } from 'kafkajs';
import { InProcessTransport } from '../in-process-transport';
import { KafkaTransport } from '../kafka-transport';
import { defineEventHandler } from '../processor/event-handler';
import { EventProcessor } from '../processor/event-processor';

/**
 * A consumer process that kills itself (SIGKILL, no clean-up of any kind) right after its
 * Nth batch committed and before the transport commits the offset: the window in which a
 * crash must not make a redelivery apply anything twice. Run by
 * `event-processor.int.spec.ts` from a build of the libraries; configured through
 * CRASH_CONSUMER (JSON).
 */
interface Config {
  readonly databaseUrl: string;
  readonly schema: string;
  readonly group: string;
  readonly topic: string;
  readonly transport: { kind: 'kafka'; brokers: string[] } | { kind: 'in-process'; schema: string };
  readonly killAfterBatches: number;
  readonly maxBatchSize: number;
}

const config = JSON.parse(process.env['CRASH_CONSUMER'] ?? '{}') as Config;
const pool = new Pool({ connectionString: config.databaseUrl, max: 4 });
pool.on('error', () => undefined);
const transport =
  config.transport.kind === 'kafka'
    ? new KafkaTransport({
        brokers: config.transport.brokers,
        clientId: `crash-${process.pid}`,
        logLevel: process.env['CRASH_DEBUG'] ? logLevel.INFO : logLevel.NOTHING,
        sessionTimeoutMs: 6_000,
        heartbeatIntervalMs: 500,
      })
    : new InProcessTransport({ pool, schema: config.transport.schema, pollIntervalMs: 20 });
let batches = 0;
const handler = defineEventHandler({
  group: config.group,
  topics: [config.topic],
  pool,
  schema: config.schema,
  maxBatchSize: config.maxBatchSize,
  apply: async (tx, event) => {
    await tx.query(`insert into "${config.schema}".applied (event_id, by_pid) values ($1, $2)`, [
      event.id,
      process.pid,
    ]);
  },
  afterCommit: () => {
    debug(`batch ${batches + 1} committed`);
    batches += 1;
    if (batches >= config.killAfterBatches) process.kill(process.pid, 'SIGKILL');
  },
});
const debug = (line: string): void => {
  if (process.env['CRASH_DEBUG']) process.stderr.write(`crash-consumer: ${line}\n`);
};
void new EventProcessor(handler, transport, {
  observer: { error: (_group, error, _class, where) => debug(`${where}: ${String(error)}`) },
}).start();
