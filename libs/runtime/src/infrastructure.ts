import { Redis } from 'ioredis';
import type { ServiceName } from '@casegrid/contracts';
import {
  kernelMigrations,
  openServiceDatabase,
  PgEventStore,
  type ServiceDatabase,
} from '@casegrid/event-store';
import {
  InProcessTransport,
  inProcessTransportMigrations,
  KafkaTransport,
  OutboxRelay,
  TRANSPORT_SCHEMA,
  type Transport,
} from '@casegrid/messaging';
import {
  databaseUrlFor,
  MemoryRateLimiter,
  RedisRateLimiter,
  type CasegridConfig,
  type RateLimiter,
} from '@casegrid/platform';
import { loadPersonalDataKeys, type PersonalDataKeys } from './personal-data-keys';
import { referenceReplicaMigrations } from './reference/reference.migrations';
import { ReferenceReplica } from './reference/reference.replica';
import type { ServiceDefinition } from './service-definition';

/** What one service gets from the kernel in this process. */
export interface ServiceRuntime {
  readonly service: ServiceName;
  readonly db: ServiceDatabase;
  readonly store: PgEventStore;
  readonly relay: OutboxRelay;
}

type Log = (message: string, error?: unknown) => void;

/**
 * Everything a process connects to, opened before Nest starts (so a missing database
 * fails the boot with its own message) and closed after Nest stopped: per service its
 * schema (migrated), event store, outbox relay and reference-data replica; one transport;
 * Redis when configured.
 */
export class Infrastructure {
  /**
   * Shared by every instance through Redis when there is one; otherwise this process's
   * own counters, which is right for the embedded default (one process serves everything).
   */
  readonly rateLimiter: RateLimiter;

  private constructor(
    readonly runtimes: ReadonlyMap<ServiceName, ServiceRuntime>,
    /** Every service of the process keeps its copy of reference data, intake too. */
    readonly replicas: ReadonlyMap<ServiceName, ReferenceReplica>,
    readonly transport: Transport,
    readonly redis: Redis | undefined,
    readonly personalDataKeys: PersonalDataKeys,
    private readonly owned: { close(): Promise<void> }[],
  ) {
    this.rateLimiter = redis ? new RedisRateLimiter(redis) : new MemoryRateLimiter();
  }

  static async open(
    config: CasegridConfig,
    services: readonly ServiceDefinition[],
    log: Log,
  ): Promise<Infrastructure> {
    const owned: { close(): Promise<void> }[] = [];
    try {
      const transport = await openTransport(config, log, owned);
      const runtimes = new Map<ServiceName, ServiceRuntime>();
      const replicas = new Map<ServiceName, ReferenceReplica>();
      for (const definition of services) {
        const url = databaseUrlFor(config, definition.name);
        if (!url) throw new Error(`no database for service ${definition.name}`);
        const db = await openServiceDatabase({
          url,
          schema: definition.name,
          migrations: [
            ...kernelMigrations(definition.name),
            ...referenceReplicaMigrations(definition.name),
            ...(definition.migrations ?? []),
          ],
        });
        owned.push(db);
        const relay = new OutboxRelay({
          pool: db.pool,
          schema: definition.name,
          service: definition.name,
          transport,
          onError: (error) => log(`outbox relay of ${definition.name} failed; retrying`, error),
        });
        const store = new PgEventStore({
          pool: db.pool,
          schema: definition.name,
          onAppended: () => relay.wake(),
        });
        runtimes.set(definition.name, { service: definition.name, db, store, relay });
        replicas.set(
          definition.name,
          new ReferenceReplica({
            service: definition.name,
            pool: db.pool,
            schema: definition.name,
            transport,
          }),
        );
      }
      const redis = config.redisUrl
        ? new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 })
        : undefined;
      if (redis) {
        await redis.connect();
        owned.push({ close: async () => void redis.disconnect() });
      }
      owned.push(transport);
      const keys = await loadPersonalDataKeys(config);
      return new Infrastructure(runtimes, replicas, transport, redis, keys, owned);
    } catch (error) {
      await closeAll(owned);
      throw error;
    }
  }

  /** Relays start once the HTTP side is up; before, nothing new can have been appended. */
  startRelays(): void {
    for (const runtime of this.runtimes.values()) runtime.relay.start();
  }

  /**
   * Replicas subscribe once the application is up, like relays start: a message can then
   * only meet a process that is ready. All or none: one that cannot subscribe stops the rest.
   */
  async startReplicas(): Promise<void> {
    const replicas = [...this.replicas.values()];
    try {
      await Promise.all(replicas.map((replica) => replica.start()));
    } catch (error) {
      await Promise.allSettled(replicas.map((replica) => replica.stop()));
      throw error;
    }
  }

  /**
   * Stops the replicas' subscriptions (each finishes the message in hand) and the relays
   * (each finishes its batch) before the transport and the pools they use.
   */
  async close(): Promise<void> {
    await Promise.allSettled([...this.replicas.values()].map((r) => r.stop()));
    await Promise.all([...this.runtimes.values()].map((r) => r.relay.stop()));
    await closeAll([...this.owned].reverse());
  }
}

/** Connections of the in-process transport's pool (see openTransport). */
const TRANSPORT_POOL_SIZE = 32;

const closeAll = async (owned: readonly { close(): Promise<void> }[]): Promise<void> => {
  for (const resource of owned) await resource.close().catch(() => undefined);
};

const openTransport = async (
  config: CasegridConfig,
  log: Log,
  owned: { close(): Promise<void> }[],
): Promise<Transport> => {
  if (config.kafka.brokers) {
    return new KafkaTransport({
      brokers: config.kafka.brokers,
      clientId: config.kafka.clientId,
      instanceId: config.kafka.instanceId,
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
      heartbeatIntervalMs: Math.max(100, Math.floor(config.kafka.sessionTimeoutMs / 10)),
      onError: (error, context) => log(`consumer ${context} failed`, error),
    });
  }
  // Without Kafka, the log lives in the shared database's `transport` schema, which every
  // service of every process on that database reaches: the same guarantees, no broker.
  const url = config.database.url;
  if (!url)
    throw new Error('the in-process transport needs DATABASE_URL (or the embedded database)');
  const db = await openServiceDatabase({
    url,
    schema: TRANSPORT_SCHEMA,
    migrations: inProcessTransportMigrations(),
    // Every consumer group holds one connection for as long as it runs (its lease is a
    // session advisory lock), and publishing needs one more: with eleven groups in the
    // embedded default (five replicas, two case directories, supervision, intake's
    // reopened cases, audit) a pool of ten left the relays waiting for a connection
    // forever. Groups + headroom for publishing and metrics.
    poolSize: TRANSPORT_POOL_SIZE,
  });
  owned.push(db);
  return new InProcessTransport({
    pool: db.pool,
    onError: (error, context) => log(`consumer ${context} failed`, error),
  });
};
