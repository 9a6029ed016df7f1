import { Kafka, logLevel } from 'kafkajs';
import Redis from 'ioredis';
import { Client } from 'pg';
import {
  dockerAvailable,
  startKafkaContainer,
  startPostgresContainer,
  startRedisContainer,
  type Started,
} from './infra-docker';
import { assertTestDatabase, redactUrl, splitBrokers, TEST_ENV, type TestInfra } from './infra-env';
import { connectMockKafkaControl, startMockKafka } from './kafka-mock/mock-kafka';

/** What a machine without Docker is expected to run (DESIGN.md, Testing). */
export const LOCAL_DEFAULTS = {
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/casegrid_test',
  // Db 15: specs may FLUSHDB it without touching a developer's db 0.
  redisUrl: 'redis://127.0.0.1:6379/15',
} as const;

/** The topics every run gets, whichever broker it uses. */
export const TEST_TOPICS: readonly { name: string; partitions: number }[] = [
  { name: 'casegrid.case-events', partitions: 3 },
  { name: 'casegrid.reference', partitions: 1 },
];

const MOCK_BROKERS = 3;

export type InfraSource = 'env' | 'docker' | 'local' | 'mock';

export interface ProvisionedInfra {
  readonly infra: TestInfra;
  readonly sources: { postgres: InfraSource; redis: InfraSource; kafka: InfraSource };
  stop(): Promise<void>;
}

type Env = Record<string, string | undefined>;

/**
 * Resolves PostgreSQL, Redis and Kafka for one test run: each from its environment
 * variable if set, else from testcontainers if a Docker engine answers, else the
 * machine's local PostgreSQL/Redis and a librdkafka mock cluster. Unreachable
 * PostgreSQL or Redis is an error: integration specs must never silently skip.
 */
export const provisionTestInfra = async (env: Env = process.env): Promise<ProvisionedInfra> => {
  const given = {
    databaseUrl: env[TEST_ENV.databaseUrl] || undefined,
    redisUrl: env[TEST_ENV.redisUrl] || undefined,
    kafkaBrokers: env[TEST_ENV.kafkaBrokers] || undefined,
    kafkaControl: env[TEST_ENV.kafkaControl] || undefined,
  };
  // Fail before starting anything if the named database is not a test database.
  if (given.databaseUrl) assertTestDatabase(given.databaseUrl);

  const missing = !given.databaseUrl || !given.redisUrl || !given.kafkaBrokers;
  const docker = missing && (await dockerAvailable());
  const started: Started<unknown>[] = [];
  const stop = async (): Promise<void> => {
    const all = started.splice(0).reverse();
    await Promise.allSettled(all.map((s) => s.stop()));
  };
  const track = async <T>(start: Promise<Started<T>>): Promise<T> => {
    const s = await start;
    started.push(s);
    return s.value;
  };

  try {
    // allSettled, not all: a failure must not leave another start running past `stop`.
    const [databaseUrl, redisUrl, kafka] = settled(
      await Promise.allSettled([
        given.databaseUrl !== undefined
          ? Promise.resolve(given.databaseUrl)
          : docker
            ? track(startPostgresContainer())
            : Promise.resolve(LOCAL_DEFAULTS.databaseUrl),
        given.redisUrl !== undefined
          ? Promise.resolve(given.redisUrl)
          : docker
            ? track(startRedisContainer())
            : Promise.resolve(LOCAL_DEFAULTS.redisUrl),
        resolveKafka(given.kafkaBrokers, given.kafkaControl, docker, track),
      ] as const),
    );
    assertTestDatabase(databaseUrl);
    await Promise.all([ensureDatabase(databaseUrl), checkRedis(redisUrl)]);
    if (kafka.source !== 'mock') await ensureTopics(kafka.brokers, kafka.control);

    const local: InfraSource = docker ? 'docker' : 'local';
    return {
      infra: {
        databaseUrl,
        redisUrl,
        kafkaBrokers: kafka.brokers,
        kafkaControl: kafka.control,
      },
      sources: {
        postgres: given.databaseUrl ? 'env' : local,
        redis: given.redisUrl ? 'env' : local,
        kafka: kafka.source,
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
};

const settled = <T extends readonly unknown[]>(results: {
  [K in keyof T]: PromiseSettledResult<T[K]>;
}): T => {
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
};

const resolveKafka = async (
  brokers: string | undefined,
  control: string | undefined,
  docker: boolean,
  track: <T>(start: Promise<Started<T>>) => Promise<T>,
): Promise<{ brokers: string[]; control: string | undefined; source: InfraSource }> => {
  if (brokers) return { brokers: splitBrokers(brokers), control, source: 'env' };
  if (docker)
    return { brokers: await track(startKafkaContainer()), control: undefined, source: 'docker' };
  const mock = await startMockKafka({ brokers: MOCK_BROKERS, topics: [...TEST_TOPICS] });
  await track(Promise.resolve({ value: mock, stop: () => mock.stop() }));
  return { brokers: mock.bootstrap, control: mock.control.url, source: 'mock' };
};

const CONNECT_TIMEOUT_MS = 5_000;

const unreachable = (what: string, where: string, variable: string, e: unknown): Error =>
  new Error(
    `${what} is not reachable at ${where}: ${(e instanceof Error ? e.message : String(e)).replace(/\.+$/, '')}. ` +
      `Integration and e2e specs need it: start it, set ${variable}, or make a Docker engine ` +
      `available for testcontainers.`,
    { cause: e },
  );

const withDatabase = (url: string, name: string): string => {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(name)}`;
  return parsed.toString();
};

/** Creates the test database when missing, through the server's `postgres` database. */
export const ensureDatabase = async (url: string): Promise<void> => {
  const name = assertTestDatabase(url);
  const tryConnect = async (target: string): Promise<Client> => {
    const client = new Client({
      connectionString: target,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    try {
      await client.connect();
      return client;
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
  };
  try {
    const client = await tryConnect(url);
    await client.end();
    return;
  } catch (e) {
    if (pgCode(e) !== '3D000')
      throw unreachable('PostgreSQL', redactUrl(url), TEST_ENV.databaseUrl, e);
  }
  const admin = await tryConnect(withDatabase(url, 'postgres')).catch((e: unknown) => {
    throw unreachable('PostgreSQL', redactUrl(url), TEST_ENV.databaseUrl, e);
  });
  try {
    await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } catch (e) {
    // Another run created it in the meantime.
    if (pgCode(e) !== '42P04' && pgCode(e) !== '23505') throw e;
  } finally {
    await admin.end();
  }
};

const pgCode = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
    ? e.code
    : undefined;

const checkRedis = async (url: string): Promise<void> => {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The event carries the cause (ECONNREFUSED…); the rejection only says "closed".
  let cause: unknown;
  redis.on('error', (e: unknown) => (cause ??= e));
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw unreachable('Redis', redactUrl(url), TEST_ENV.redisUrl, cause ?? e);
  } finally {
    redis.disconnect();
  }
};

/** Creates the run's topics on a broker that was given or started in Docker. */
const ensureTopics = async (brokers: string[], control: string | undefined): Promise<void> => {
  if (control) {
    // A mock started elsewhere: it has no CreateTopics, but its control API creates them.
    const mock = connectMockKafkaControl(control);
    for (const t of TEST_TOPICS) {
      await mock.createTopic(t.name, t.partitions).catch((e: unknown) => {
        if (!(e instanceof Error && e.message.includes('TOPIC_ALREADY_EXISTS'))) throw e;
      });
    }
    return;
  }
  const admin = new Kafka({
    clientId: 'casegrid-test-setup',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 3 },
  }).admin();
  try {
    await admin.connect();
    // Only the missing ones: a broker without CreateTopics (a mock) may have them already.
    const existing = new Set(await admin.listTopics());
    const missing = TEST_TOPICS.filter((t) => !existing.has(t.name));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions })),
        waitForLeaders: true,
      });
    }
  } catch (e) {
    throw new Error(
      `Kafka at ${brokers.join(',')} is unreachable or cannot create the test topics: ` +
        `${e instanceof Error ? e.message : String(e)}. If it is a librdkafka mock, also set ` +
        `${TEST_ENV.kafkaControl} to its control URL.`,
      { cause: e },
    );
  } finally {
    await admin.disconnect();
  }
};
