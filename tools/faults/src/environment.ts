import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startMockKafka, TEST_TOPICS, type MockKafka } from '@casegrid/testing';
import { Checker } from './checks';
import { startEmbeddedSystem, type SystemUnderTest } from './embedded-system';
import type { FaultTargets, Transport } from './faults';
import { CasegridClient } from './http-client';
import { Load, MEDIATOR } from './load';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres';
import { redisServerBinary, startPrivateRedis, type PrivateRedis } from './private-redis';

/** The demo organisation's password (services/intake/src/identity/seed). */
export const DEMO_PASSWORD = 'casegrid-demo';

const DATABASE = 'casegrid_faults';

export interface EnvironmentOptions {
  readonly root: string;
  readonly workDir: string;
  readonly transport: Transport;
  readonly clients: number;
  readonly commandTimeoutMs: number;
}

/** A system under test with everything a fault acts on, its load and its checks. */
export interface Environment {
  readonly transport: Transport;
  readonly system: SystemUnderTest;
  readonly targets: FaultTargets;
  readonly load: Load;
  readonly checker: Checker;
  readonly client: CasegridClient;
  /** Seconds from nothing to `/health/ready` 200 (PostgreSQL and broker included). */
  readonly startSeconds: number;
  close(): Promise<void>;
}

/**
 * The embedded default on a PostgreSQL server of its own: with the in-process transport
 * and a Redis of its own (when the machine has redis-server), or with KAFKA_BROKERS on a
 * mock cluster of its own (three brokers, so that leaders can move).
 */
export const openEnvironment = async (options: EnvironmentOptions): Promise<Environment> => {
  const started = Date.now();
  const dir = join(options.workDir, options.transport);
  await mkdir(dir, { recursive: true });
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const closer of closers.splice(0).reverse()) await closer().catch(() => undefined);
  };
  try {
    const postgres: PrivatePostgres = await startPrivatePostgres(join(dir, 'postgres'));
    closers.push(() => postgres.stop());
    const databaseUrl = await postgres.createDatabase(DATABASE);
    let kafka: MockKafka | undefined;
    let redis: PrivateRedis | undefined;
    const env: Record<string, string> = {};
    if (options.transport === 'kafka') {
      kafka = await startMockKafka({ brokers: 3, topics: [...TEST_TOPICS] });
      closers.push(() => kafka!.stop());
      env['KAFKA_BROKERS'] = kafka.bootstrap.join(',');
      // As the topology and the e2e specs: the mock holds a rebalance for the session less 1 s.
      env['KAFKA_SESSION_TIMEOUT_MS'] = '6000';
    } else {
      const binary = redisServerBinary();
      if (binary) {
        redis = await startPrivateRedis(binary);
        closers.push(() => redis!.stop());
        env['REDIS_URL'] = redis.url;
      }
    }
    const system = await startEmbeddedSystem({
      root: options.root,
      workDir: dir,
      label: `embedded default, ${options.transport === 'kafka' ? 'Kafka (mock cluster, 3 brokers)' : 'in-process transport'}`,
      databaseUrl,
      env,
    });
    closers.push(() => system.stop());
    const startSeconds = (Date.now() - started) / 1000;
    const client = new CasegridClient(system.baseUrl, DEMO_PASSWORD);
    closers.push(async () => client.close());
    const me = await client.command('GET', '/api/v1/me', {
      user: MEDIATOR,
      untilMs: Date.now() + 30_000,
    });
    if (me.status !== 200)
      throw new Error(`GET /api/v1/me as ${MEDIATOR}: ${me.status} ${me.body}`);
    const mediatorId = (JSON.parse(me.body) as { user: { id: string } }).user.id;
    const load = new Load(client, {
      clients: options.clients,
      mediatorId,
      commandTimeoutMs: options.commandTimeoutMs,
      tag: options.transport,
    });
    closers.push(() => load.stop());
    const checker = new Checker(
      {
        intake: databaseUrl,
        mediation: databaseUrl,
        petition: databaseUrl,
        supervision: databaseUrl,
        audit: databaseUrl,
      },
      client,
    );
    closers.push(() => checker.close());
    return {
      transport: options.transport,
      system,
      targets: {
        system,
        postgres,
        database: DATABASE,
        ...(kafka ? { kafka } : {}),
        ...(redis ? { redis } : {}),
      },
      load,
      checker,
      client,
      startSeconds,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
};
