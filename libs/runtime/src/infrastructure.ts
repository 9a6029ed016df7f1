import { Redis } from 'ioredis';
import { CASE_EVENTS_TOPIC, EXTERNAL_PRODUCERS, type ServiceName } from '@casegrid/contracts';
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
  businessClockOf,
  type CasegridClock,
  databaseUrlFor,
  MemoryRateLimiter,
  RedisRateLimiter,
  type CasegridConfig,
  type RateLimiter,
} from '@casegrid/platform';
import { loadPersonalDataKeys, type PersonalDataKeys } from './personal-data-keys';
import { referenceReplicaMigrations } from './reference/reference.migrations';
import { ReferenceReplica } from './reference/reference.replica';
import { ProcessorHost } from './processor-host';
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
    /** Every consumer of this process, the replicas' and the services' own. */
    readonly processors: ProcessorHost,
    /** How long a consumer group may make no progress before readiness says so. */
    readonly stallGraceMs: number,
    /** The process's business clock (`CASEGRID_CLOCK` in Nest). */
    readonly clock: CasegridClock,
    private readonly owned: { close(): Promise<void> }[],
  ) {
    this.rateLimiter = redis ? new RedisRateLimiter(redis) : new MemoryRateLimiter();
    for (const replica of replicas.values()) processors.add(replica);
  }

  static async open(
    config: CasegridConfig,
    services: readonly ServiceDefinition[],
    log: Log,
  ): Promise<Infrastructure> {
    const owned: { close(): Promise<void> }[] = [];
    const clock = businessClockOf(config);
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
          peerTimeoutMs: config.database.peerTimeoutMs,
          serverTimeouts: config.database.serverTimeouts,
          migrations: [
            ...kernelMigrations(definition.name),
            ...referenceReplicaMigrations(definition.name),
            ...(definition.migrations ?? []),
          ],
        });
        owned.push(db);
        const relay = new OutboxRelay({
          pool: db.pool,
          leaseStaleAfterMs: config.database.peerTimeoutMs,
          // The services whose events can meet a deadline say how far they have published.
          ...((EXTERNAL_PRODUCERS as readonly string[]).includes(definition.name)
            ? { watermarks: { topic: CASE_EVENTS_TOPIC, now: () => clock.now() } }
            : {}),
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
        const hook = definition.onReferenceChange;
        replicas.set(
          definition.name,
          new ReferenceReplica({
            service: definition.name,
            pool: db.pool,
            schema: definition.name,
            ...(hook ? { onChange: (tx, change) => hook(tx, change, definition.name) } : {}),
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
      const processors = new ProcessorHost(transport, log);
      // A Kafka group without a working member for its session timeout has lost its
      // partitions anyway; without Kafka, ten seconds.
      const grace = config.kafka.brokers ? Math.max(10_000, config.kafka.sessionTimeoutMs) : 10_000;
      return new Infrastructure(
        runtimes,
        replicas,
        transport,
        redis,
        keys,
        processors,
        grace,
        clock,
        owned,
      );
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
   * Processors start once the application is up, like relays: a message can then only
   * meet a process that is ready.
   */
  async startProcessors(): Promise<void> {
    await this.processors.start();
  }

  /**
   * Stops the processors (each finishes or gives up the batch in hand, committing nothing
   * half-done) and the relays (each finishes its batch) before the transport and the pools
   * they use.
   */
  async close(): Promise<void> {
    await this.processors.stop();
    await Promise.all([...this.runtimes.values()].map((r) => r.relay.stop()));
    await closeAll([...this.owned].reverse());
  }
}

/** Connections of the in-process transport's pool (see openTransport). */
const TRANSPORT_POOL_SIZE = 10;

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
    peerTimeoutMs: config.database.peerTimeoutMs,
    serverTimeouts: config.database.serverTimeouts,
    migrations: inProcessTransportMigrations(),
    // One connection holds every group's lease, one reads the log's tail for all of them;
    // the rest publish (relays, dead letters), save positions and answer metrics.
    poolSize: TRANSPORT_POOL_SIZE,
  });
  owned.push(db);
  return new InProcessTransport({
    pool: db.pool,
    leaseStaleAfterMs: config.database.peerTimeoutMs,
    onError: (error, context) => log(`consumer ${context} failed`, error),
  });
};
