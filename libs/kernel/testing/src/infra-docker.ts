/**
 * The testcontainers path of the infrastructure resolution. The modules are loaded on
 * demand: they are heavy, and machines without Docker never need them.
 */

const PROBE_TIMEOUT_MS = 5_000;

/** Whether a Docker (or compatible) engine answers; never throws. */
export const dockerAvailable = async (): Promise<boolean> => {
  // An explicit opt-out, for machines where the probe itself is unwelcome or slow.
  if (process.env['CASEGRID_TEST_DOCKER'] === '0') return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
    });
    const probe = getContainerRuntimeClient().then(
      () => true,
      () => false,
    );
    const answer = await Promise.race([probe, timeout]);
    clearTimeout(timer);
    return answer;
  } catch {
    return false;
  }
};

export interface Started<T> {
  readonly value: T;
  stop(): Promise<void>;
}

export const startPostgresContainer = async (): Promise<Started<string>> => {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer('postgres:16-alpine')
    .withDatabase('casegrid_test')
    .withUsername('postgres')
    .withPassword('postgres')
    .start();
  return {
    value: container.getConnectionUri(),
    stop: async () => {
      await container.stop();
    },
  };
};

export const startRedisContainer = async (): Promise<Started<string>> => {
  const { RedisContainer } = await import('@testcontainers/redis');
  const container = await new RedisContainer('redis:7-alpine').start();
  return {
    value: container.getConnectionUrl(),
    stop: async () => {
      await container.stop();
    },
  };
};

export const startKafkaContainer = async (): Promise<Started<string[]>> => {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const container = await new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start();
  return {
    value: [`${container.getHost()}:${container.getMappedPort(9093)}`],
    stop: async () => {
      await container.stop();
    },
  };
};
