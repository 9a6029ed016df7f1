import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Gauge, type Registry } from 'prom-client';
import type { ServiceName } from '@casegrid/contracts';
import { AuthModule } from '@casegrid/auth';
import { METRICS_REGISTRY, RATE_LIMITER, ReadinessRegistry } from '@casegrid/platform';
import { Infrastructure } from './infrastructure';
import { PERSONAL_DATA_KEYS } from './personal-data-keys';
import { referenceReader } from './reference/reference.reader';
import type { ServiceDefinition } from './service-definition';

export const INFRASTRUCTURE = Symbol('INFRASTRUCTURE');
export const TRANSPORT = Symbol('TRANSPORT');
const AFTER_SHUTDOWN = Symbol('AFTER_SHUTDOWN');

const runtimeTokens = new Map<ServiceName, symbol>();
/** Injection token of a service's `ServiceRuntime` (store, relay, database). */
export const serviceRuntime = (service: ServiceName): symbol => {
  let token = runtimeTokens.get(service);
  if (!token) runtimeTokens.set(service, (token = Symbol(`SERVICE_RUNTIME:${service}`)));
  return token;
};

@Injectable()
class RuntimeLifecycle implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(INFRASTRUCTURE) private readonly infra: Infrastructure,
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
    @Inject(METRICS_REGISTRY) private readonly metrics: Registry,
    @Inject(AFTER_SHUTDOWN) private readonly afterShutdown: () => Promise<void>,
  ) {}

  onModuleInit(): void {
    const { infra } = this;
    for (const runtime of infra.runtimes.values()) {
      this.readiness.register(`database:${runtime.service}`, async () => {
        await runtime.db.pool.query('select 1');
      });
    }
    this.readiness.register(`broker:${infra.transport.kind}`, () => infra.transport.check());
    const redis = infra.redis;
    if (redis) this.readiness.register('redis', async () => void (await redis.ping()));
    new Gauge({
      name: 'casegrid_outbox_backlog',
      help: 'Events written but not yet acknowledged by the broker, per service.',
      labelNames: ['service'],
      registers: [this.metrics],
      async collect() {
        for (const runtime of infra.runtimes.values()) {
          this.set({ service: runtime.service }, await runtime.relay.backlog());
        }
      },
    });
    this.registerConsumerMetrics();
  }

  /** Consumer lag per held partition and DLQ size per group (collected at each scrape). */
  private registerConsumerMetrics(): void {
    const { transport } = this.infra;
    // A scrape while the broker is away shows no series rather than failing /metrics.
    const quietly = async <T>(read: () => Promise<T[]>): Promise<T[]> => read().catch(() => []);
    new Gauge({
      name: 'casegrid_consumer_lag',
      help: 'Messages after the consumer group’s committed position, per partition this instance holds.',
      labelNames: ['group', 'topic', 'partition'],
      registers: [this.metrics],
      async collect() {
        this.reset();
        for (const p of await quietly(() => transport.lag())) {
          this.set({ group: p.group, topic: p.topic, partition: String(p.partition) }, p.lag);
        }
      },
    });
    new Gauge({
      name: 'casegrid_dlq_messages',
      help: 'Messages parked in the consumer group’s dead-letter topic.',
      labelNames: ['group'],
      registers: [this.metrics],
      async collect() {
        this.reset();
        for (const d of await quietly(() => transport.deadLetters())) {
          this.set({ group: d.group }, d.messages);
        }
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.infra.startRelays();
    await this.infra.startReplicas();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.infra.close();
    await this.afterShutdown();
  }
}

/**
 * Wires an opened `Infrastructure` into Nest: the runtime of each service under its token,
 * its reference-data copy under `referenceReader(service)`, the transport, the rate limiter
 * (`RATE_LIMITER`, for guards and the login endpoint), readiness checks and kernel metrics,
 * the start of relays and replica subscriptions once bootstrapped, and the order of
 * shutdown (HTTP first, then replicas, relays, transport and pools, then `afterShutdown` —
 * the embedded database).
 */
@Module({})
export class CasegridRuntimeModule {
  static forRoot(
    infra: Infrastructure,
    services: readonly ServiceDefinition[],
    afterShutdown: () => Promise<void> = async () => undefined,
  ): DynamicModule {
    const runtimes = [...infra.runtimes.values()].map((runtime) => ({
      provide: serviceRuntime(runtime.service),
      useValue: runtime,
    }));
    const readers = [...infra.replicas].map(([service, replica]) => ({
      provide: referenceReader(service),
      useValue: replica.reader,
    }));
    return {
      module: CasegridRuntimeModule,
      global: true,
      imports: [AuthModule, ...services.map((s) => s.module)],
      providers: [
        { provide: INFRASTRUCTURE, useValue: infra },
        { provide: TRANSPORT, useValue: infra.transport },
        { provide: RATE_LIMITER, useValue: infra.rateLimiter },
        { provide: PERSONAL_DATA_KEYS, useValue: infra.personalDataKeys },
        { provide: AFTER_SHUTDOWN, useValue: afterShutdown },
        ...runtimes,
        ...readers,
        RuntimeLifecycle,
      ],
      exports: [
        INFRASTRUCTURE,
        TRANSPORT,
        RATE_LIMITER,
        PERSONAL_DATA_KEYS,
        ...runtimes.map((r) => r.provide),
        ...readers.map((r) => r.provide),
      ],
    };
  }
}
