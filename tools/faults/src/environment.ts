import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  startMockKafka,
  startTcpProxy,
  TEST_TOPICS,
  type MockKafka,
  type TcpProxy,
} from '@casegrid/testing';
import { SERVICES, type ServiceName } from '@casegrid/contracts';
import { Checker, type Database } from './checks';
import {
  LEADER_APP,
  STANDBY_APP,
  startEmbeddedSystem,
  type SystemUnderTest,
} from './embedded-system';
import type { FaultTargets, SystemKind } from './faults';
import { CasegridClient } from './http-client';
import { Load, MEDIATOR } from './load';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres';
import { redisServerBinary, startPrivateRedis, type PrivateRedis } from './private-redis';
import { startTopologySystem } from './topology-system';

/** The demo organisation's password (services/intake/src/identity/seed). */
export const DEMO_PASSWORD = 'casegrid-demo';

const DATABASE = 'casegrid_faults';

const LABELS: Readonly<Record<SystemKind, string>> = {
  'in-process': 'embedded default, in-process transport',
  kafka: 'embedded default, Kafka (mock cluster, 3 brokers)',
  pair: 'embedded default, in-process transport, a second process on the same database behind the first',
  topology: 'topology: five service processes, Kafka (mock cluster), nginx',
};

export interface EnvironmentOptions {
  readonly root: string;
  readonly workDir: string;
  readonly transport: SystemKind;
  readonly clients: number;
  readonly commandTimeoutMs: number;
}

/** A system under test with everything a fault acts on, its load and its checks. */
export interface Environment {
  readonly transport: SystemKind;
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
    if (options.transport === 'topology') {
      return await openTopology(options, postgres, closers, close, started);
    }
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
    let leader: SystemUnderTest | undefined;
    let proxy: TcpProxy | undefined;
    if (options.transport === 'pair') {
      // Both processes decrypt what the other encrypted: one master key for the two.
      env['CASEGRID_MASTER_KEY'] = randomBytes(32).toString('base64');
      proxy = await startTcpProxy({ host: '127.0.0.1', port: postgres.port });
      closers.push(() => proxy!.close());
      const proxied = new URL(databaseUrl);
      proxied.port = String(proxy.port);
      leader = await startEmbeddedSystem({
        root: options.root,
        workDir: join(dir, 'leader'),
        label: 'embedded default, the process holding the leases (through a TCP proxy)',
        databaseUrl: proxied.toString(),
        env: { ...env, PGAPPNAME: LEADER_APP },
      });
      closers.push(() => leader!.stop());
    }
    const system = await startEmbeddedSystem({
      root: options.root,
      workDir: leader ? join(dir, 'standby') : dir,
      label: LABELS[options.transport],
      databaseUrl,
      env: leader ? { ...env, PGAPPNAME: STANDBY_APP } : env,
    });
    closers.push(() => system.stop());
    const targets: FaultTargets = {
      system,
      postgres,
      databases: [DATABASE],
      ...(kafka ? { kafka, topics: TEST_TOPICS } : {}),
      ...(redis ? { redis } : {}),
      ...(leader ? { leader } : {}),
      ...(proxy ? { proxy } : {}),
    };
    const everyDatabase = Object.fromEntries(
      (['intake', 'mediation', 'petition', 'supervision', 'audit'] as const).map((d) => [
        d,
        databaseUrl,
      ]),
    ) as Record<Database, string>;
    return await withLoad(options, targets, everyDatabase, closers, close, started);
  } catch (error) {
    await close();
    throw error;
  }
};

/** The topology on databases of its own (one per service), with a Redis of its own. */
const openTopology = async (
  options: EnvironmentOptions,
  postgres: PrivatePostgres,
  closers: (() => Promise<void>)[],
  close: () => Promise<void>,
  started: number,
): Promise<Environment> => {
  const binary = redisServerBinary();
  if (!binary) throw new Error('the topology needs redis-server, which this machine lacks');
  const redis = await startPrivateRedis(binary);
  closers.push(() => redis.stop());
  const urls = {} as Record<ServiceName, string>;
  for (const service of SERVICES) {
    urls[service] = await postgres.createDatabase(`${DATABASE}_${service}`);
  }
  const { system, kafka, topics } = await startTopologySystem({
    root: options.root,
    workDir: join(options.workDir, 'topology'),
    databaseUrls: urls,
    redisUrl: redis.url,
    env: { CASEGRID_MASTER_KEY: randomBytes(32).toString('base64') },
  });
  closers.push(() => system.stop());
  const targets: FaultTargets = {
    system,
    postgres,
    databases: SERVICES.map((s) => `${DATABASE}_${s}`),
    kafka,
    topics,
    redis,
  };
  return withLoad(options, targets, urls, closers, close, started);
};

/** The client, the load and the checks of a started system. */
const withLoad = async (
  options: EnvironmentOptions,
  targets: FaultTargets,
  databases: Readonly<Record<Database, string>>,
  closers: (() => Promise<void>)[],
  close: () => Promise<void>,
  started: number,
): Promise<Environment> => {
  const { system } = targets;
  const startSeconds = (Date.now() - started) / 1000;
  const client = new CasegridClient(system.baseUrl, DEMO_PASSWORD);
  closers.push(async () => client.close());
  const me = await client.command('GET', '/api/v1/me', {
    user: MEDIATOR,
    untilMs: Date.now() + 30_000,
  });
  if (me.status !== 200) throw new Error(`GET /api/v1/me as ${MEDIATOR}: ${me.status} ${me.body}`);
  const mediatorId = (JSON.parse(me.body) as { user: { id: string } }).user.id;
  const load = new Load(client, {
    clients: options.clients,
    mediatorId,
    commandTimeoutMs: options.commandTimeoutMs,
    tag: options.transport,
  });
  closers.push(() => load.stop());
  const checker = new Checker(databases, client);
  closers.push(() => checker.close());
  return {
    transport: options.transport,
    system,
    targets,
    load,
    checker,
    client,
    startSeconds,
    close,
  };
};
