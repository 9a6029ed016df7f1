import type { Pool } from 'pg';
import { logLevel } from 'kafkajs';
import { deadLetterTopic, type TransportMessage } from '@casegrid/contracts';
import { uuidv7 } from '@casegrid/kernel';
import {
  kernelMigrations,
  openServiceDatabase,
  PgEventStore,
  type ServiceDatabase,
} from '@casegrid/event-store';
import {
  connectMockKafkaControl,
  createTestPool,
  dropSchemas,
  freshSchemaName,
  testInfra,
} from '@casegrid/testing';
import { inProcessTransportMigrations, InProcessTransport } from '../in-process-transport';
import { KafkaTransport } from '../kafka-transport';
import { defineEventHandler } from '../processor/event-handler';
import { EventProcessor } from '../processor/event-processor';
import {
  eachMessage,
  type DeliveredMessage,
  type Subscription,
  type Transport,
} from '../transport';

/** Polls until `check` passes (never a fixed sleep): the failure is the last one seen. */
export const eventually = async (
  check: () => Promise<void> | void,
  timeoutMs = 20_000,
): Promise<void> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
};

export interface TransportUnderTest {
  readonly name: 'kafka' | 'in-process';
  /** A transport for one "process"; every call makes an independent client. */
  create(): Transport;
  /** Makes sure the topics exist (the mock broker cannot create them on request). */
  prepareTopics(topics: readonly string[]): Promise<void>;
  /** How another process reaches the same broker (`crash-consumer.ts`). */
  readonly reach: { kind: 'kafka'; brokers: string[] } | { kind: 'in-process'; schema: string };
  close(): Promise<void>;
}

/** On the run's broker, or on `broker` (a spec's own, for faults the shared one must not see). */
export const kafkaUnderTest = (
  broker: {
    readonly kafkaBrokers: readonly string[];
    readonly kafkaControl?: string;
  } = testInfra(),
): TransportUnderTest => {
  const infra = broker;
  const created: Transport[] = [];
  return {
    name: 'kafka',
    reach: { kind: 'kafka', brokers: [...infra.kafkaBrokers] },
    create: () => {
      const t = new KafkaTransport({
        brokers: infra.kafkaBrokers,
        clientId: `casegrid-test-${uuidv7().slice(-8)}`,
        logLevel: process.env['CRASH_DEBUG'] ? logLevel.INFO : logLevel.NOTHING,
        sessionTimeoutMs: 2_500,
        heartbeatIntervalMs: 250,
        // librdkafka's mock never answers a JoinGroup that arrived while a killed member
        // was still in the group (a real broker answers once the rebalance timeout ran
        // out): kafkajs must give up on it and join again. Above every member's session
        // timeout here (the crash consumer's 6 s).
        requestTimeoutMs: 10_000,
      });
      created.push(t);
      return t;
    },
    prepareTopics: async (topics) => {
      if (!infra.kafkaControl) return;
      const control = connectMockKafkaControl(infra.kafkaControl);
      for (const topic of topics) await control.createTopic(topic, 3);
    },
    close: async () => {
      await Promise.all(created.map((t) => t.close()));
    },
  };
};

export const inProcessUnderTest = async (): Promise<TransportUnderTest> => {
  const schema = freshSchemaName('transport');
  const db = await openServiceDatabase({
    url: testInfra().databaseUrl,
    schema,
    migrations: inProcessTransportMigrations(schema),
  });
  const created: Transport[] = [];
  return {
    name: 'in-process',
    reach: { kind: 'in-process', schema },
    create: () => {
      const t = new InProcessTransport({
        pool: db.pool,
        schema,
        pollIntervalMs: 20,
      });
      created.push(t);
      return t;
    },
    prepareTopics: async () => undefined,
    close: async () => {
      await Promise.all(created.map((t) => t.close()));
      const admin = createTestPool();
      await db.close();
      await dropSchemas(admin, [schema]);
      await admin.end();
    },
  };
};

/** A producing service: its own schema with the kernel tables and an event store. */
export const startProducer = async (
  name: string,
): Promise<{ db: ServiceDatabase; store: PgEventStore }> => {
  const schema = freshSchemaName(name);
  const db = await openServiceDatabase({
    url: testInfra().databaseUrl,
    schema,
    migrations: kernelMigrations(schema),
  });
  return { db, store: new PgEventStore({ pool: db.pool, schema }) };
};

export interface ReceivedRow {
  event_id: string;
  case_id: string;
  stream_version: number;
}

/**
 * A consuming service: its own schema, inbox and a table of what it received, written in
 * the inbox's transaction. `deliveries` counts raw deliveries, duplicates included.
 */
export const startConsumer = async (transport: Transport, topic: string, group: string) => {
  const schema = freshSchemaName('consumer');
  const db = await openServiceDatabase({
    url: testInfra().databaseUrl,
    schema,
    migrations: kernelMigrations(schema),
  });
  await db.pool.query(`create table "${schema}".received (
    seq bigint generated always as identity, event_id text primary key, case_id text not null,
    stream_version int not null, type text not null)`);
  const deliveries: DeliveredMessage[] = [];
  const handler = defineEventHandler({
    group,
    topics: [topic],
    pool: db.pool,
    schema,
    apply: async (tx, event) => {
      await tx.query(
        `insert into "${schema}".received (event_id, case_id, stream_version, type) values ($1, $2, $3, $4)`,
        [event.id, event.subject, event.streamversion, event.type],
      );
    },
  });
  const processor = new EventProcessor(handler, countingDeliveries(transport, deliveries), {
    retry: TEST_RETRY,
  });
  await processor.start();
  const subscription: Subscription = { close: () => processor.stop() };
  const received = async (): Promise<ReceivedRow[]> =>
    (
      await db.pool.query<ReceivedRow>(
        `select event_id, case_id, stream_version from "${schema}".received order by seq`,
      )
    ).rows;
  return {
    deliveries,
    received,
    close: async () => {
      await subscription.close();
      const admin = createTestPool();
      await db.close();
      await dropSchemas(admin, [schema]);
      await admin.end();
    },
  };
};

/** Collects what a group parked in its dead-letter topic. */
export const collectDeadLetters = async (transport: Transport, group: string) => {
  const parked: DeliveredMessage[] = [];
  const subscription = await transport.subscribe({
    group: `${group}-dlq-reader`,
    topics: [deadLetterTopic(group)],
    handle: eachMessage(async (message) => {
      parked.push(message);
    }),
  });
  return { parked, close: () => subscription.close() };
};

/** Test-speed retries: a few attempts, short backoff. */
export const TEST_RETRY = { maxAttempts: 3, initialBackoffMs: 20, maxBackoffMs: 200 } as const;

/** The transport, counting every message it hands to a subscriber (duplicates included). */
const countingDeliveries = (transport: Transport, deliveries: DeliveredMessage[]): Transport => ({
  kind: transport.kind,
  publish: (messages) => transport.publish(messages),
  subscribe: (spec) =>
    transport.subscribe({
      ...spec,
      handle: (batch) => {
        deliveries.push(...batch.messages);
        return spec.handle(batch);
      },
    }),
  lag: () => transport.lag(),
  deadLetters: () => transport.deadLetters(),
  partitions: (topic) => transport.partitions(topic),
  check: () => transport.check(),
  close: () => transport.close(),
});

export const poisonMessage = (topic: string, key: string): TransportMessage => ({
  topic,
  key,
  headers: { ce_specversion: '1.0', ce_id: uuidv7() },
  value: '{not json',
});

export const dropProducer = async (
  db: ServiceDatabase,
  schema: string,
  admin: Pool,
): Promise<void> => {
  await db.close();
  await dropSchemas(admin, [schema]);
};
