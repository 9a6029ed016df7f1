import { connectMockKafkaControl, type MockKafkaControl } from './kafka-mock/mock-kafka';

/**
 * The contract between the Jest global setup (one process) and the specs (worker
 * processes): the setup resolves the infrastructure and publishes it in these variables,
 * which workers inherit. Set them yourself to point a run at other services.
 */
export const TEST_ENV = {
  databaseUrl: 'CASEGRID_TEST_DATABASE_URL',
  redisUrl: 'CASEGRID_TEST_REDIS_URL',
  kafkaBrokers: 'CASEGRID_TEST_KAFKA_BROKERS',
  /** Control URL of the librdkafka mock; unset when the broker is a real Kafka. */
  kafkaControl: 'CASEGRID_TEST_KAFKA_CONTROL',
  /**
   * The run's database, as the global setup published it, kept by a worker before it
   * points `databaseUrl` at its own (`workerDatabaseUrl`).
   */
  runDatabaseUrl: 'CASEGRID_TEST_RUN_DATABASE_URL',
} as const;

export interface TestInfra {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly kafkaBrokers: readonly string[];
  readonly kafkaControl: string | undefined;
}

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set. Integration and e2e specs get their infrastructure from the ` +
        `Jest global setup: run them in the 'int' or 'e2e' project ` +
        `(npx jest --selectProjects int), or set the CASEGRID_TEST_* variables.`,
    );
  }
  return value;
};

/** The infrastructure of this run, as published by the global setup. */
export const testInfra = (): TestInfra => {
  const databaseUrl = required(TEST_ENV.databaseUrl);
  assertTestDatabase(databaseUrl);
  return {
    databaseUrl,
    redisUrl: required(TEST_ENV.redisUrl),
    kafkaBrokers: splitBrokers(required(TEST_ENV.kafkaBrokers)),
    kafkaControl: process.env[TEST_ENV.kafkaControl] || undefined,
  };
};

export const splitBrokers = (list: string): string[] =>
  list
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');

/** The database name in a postgres:// URL (its path), or '' when the URL names none. */
export const databaseName = (url: string): string => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`not a database URL: ${redactUrl(url)}`);
  }
  return decodeURIComponent(parsed.pathname.replace(/^\//, ''));
};

/**
 * Specs create schemas, rows and streams freely; this guard keeps them off any database
 * whose name does not say it is for tests.
 */
export const assertTestDatabase = (url: string): string => {
  const name = databaseName(url);
  if (!name.toLowerCase().includes('test')) {
    throw new Error(
      `refusing to run tests against database "${name}" (${redactUrl(url)}): ` +
        `its name must contain "test"`,
    );
  }
  return name;
};

/**
 * The database of one Jest worker on the run's server: `<run's database>_w<worker>`.
 * Suites of two workers run at the same time, and a transaction one leaves open holds
 * back the horizon (horizon-reader.ts) of every reader in its database; on databases of
 * their own, one worker's suites never wait on the other's.
 */
export const workerDatabaseUrl = (runUrl: string, workerId: string | number): string => {
  const parsed = new URL(runUrl);
  parsed.pathname = `/${encodeURIComponent(`${databaseName(runUrl)}_w${workerId}`)}`;
  return parsed.toString();
};

/** Strips the password, for messages. */
export const redactUrl = (url: string): string => {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
};

/** Fault injection on the run's shared mock broker; throws when the broker is a real one. */
export const mockKafkaControl = (): MockKafkaControl => {
  const url = process.env[TEST_ENV.kafkaControl];
  if (!url) {
    throw new Error(
      `the Kafka broker of this run (${process.env[TEST_ENV.kafkaBrokers] ?? 'none'}) is not ` +
        `the librdkafka mock, so it takes no fault injection (${TEST_ENV.kafkaControl} is unset)`,
    );
  }
  return connectMockKafkaControl(url);
};
