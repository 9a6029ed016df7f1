import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import { TEST_TOPICS } from './infra';
import { assertTestDatabase, mockKafkaControl, TEST_ENV, testInfra } from './infra-env';
import { createTestPool, dropSchemas, freshSchemaName } from './test-db';

describe('the infrastructure the global setup publishes', () => {
  let pool: Pool;

  beforeAll(() => {
    pool = createTestPool();
  });

  afterAll(async () => {
    await pool?.end();
  });

  it('names a test database, a Redis and Kafka brokers', () => {
    const infra = testInfra();
    expect(assertTestDatabase(infra.databaseUrl)).toMatch(/test/);
    expect(infra.redisUrl).toMatch(/^rediss?:\/\//);
    expect(infra.kafkaBrokers.length).toBeGreaterThan(0);
  });

  it('gives a pool on the test database', async () => {
    const { rows } = await pool.query<{ db: string }>('SELECT current_database() AS db');
    expect(rows[0]?.db).toMatch(/test/);
  });

  it('isolates specs in fresh schemas, and drops them', async () => {
    const a = freshSchemaName('Event Store!');
    const b = freshSchemaName('Event Store!');
    expect(a).toMatch(/^t_event_store_[0-9a-f]{12}$/);
    expect(a).not.toBe(b);

    await pool.query(`CREATE SCHEMA "${a}"`);
    const scoped = createTestPool({ schema: a, max: 1 });
    try {
      await scoped.query('CREATE TABLE probe (id int)');
      const { rows } = await pool.query<{ schema: string }>(
        `SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'probe'
           AND table_schema = $1`,
        [a],
      );
      expect(rows).toEqual([{ schema: a }]);
    } finally {
      await scoped.end();
    }
    await dropSchemas(pool, [a, b]);
    const { rowCount } = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [a]);
    expect(rowCount).toBe(0);
  });

  it('refuses to drop a schema it did not name', async () => {
    await expect(dropSchemas(pool, ['public'])).rejects.toThrow(/not a test schema/);
  });

  it('reaches Redis', async () => {
    const redis = new Redis(testInfra().redisUrl, { lazyConnect: true });
    await redis.connect();
    try {
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }
  });

  it('has created the run topics on the broker', async () => {
    const admin = new Kafka({
      clientId: 'infra-spec',
      brokers: [...testInfra().kafkaBrokers],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: TEST_TOPICS.map((t) => t.name) });
      expect(topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual(
        TEST_TOPICS.map((t) => [t.name, t.partitions]).sort(),
      );
    } finally {
      await admin.disconnect();
    }
  });

  it('offers fault injection exactly when the broker is the mock', async () => {
    if (testInfra().kafkaControl) {
      await mockKafkaControl().createTopic(`infra-spec.${Date.now()}`, 1);
    } else {
      expect(() => mockKafkaControl()).toThrow(/not the librdkafka mock/);
    }
  });
});

describe('assertTestDatabase', () => {
  it('refuses a database whose name does not say test', () => {
    expect(() => assertTestDatabase('postgres://u:secret@db:5432/casegrid')).toThrow(
      /refusing.*"casegrid".*\*\*\*/,
    );
    expect(() => assertTestDatabase('postgres://u@db:5432/')).toThrow(/refusing/);
  });

  it('accepts one that does', () => {
    expect(assertTestDatabase('postgres://u@db:5432/casegrid_TEST_2')).toBe('casegrid_TEST_2');
  });
});

describe('testInfra outside the int and e2e projects', () => {
  it('says how to run the spec', () => {
    const saved = process.env[TEST_ENV.redisUrl];
    delete process.env[TEST_ENV.redisUrl];
    try {
      expect(() => testInfra()).toThrow(/--selectProjects int/);
    } finally {
      process.env[TEST_ENV.redisUrl] = saved;
    }
  });
});
