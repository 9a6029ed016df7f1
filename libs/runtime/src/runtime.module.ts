import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { isEventHandler } from '@casegrid/messaging';
import { AuthModule } from '@casegrid/auth';
import { METRICS_REGISTRY, RATE_LIMITER, ReadinessRegistry } from '@casegrid/platform';
import { Infrastructure } from './infrastructure';
import { PERSONAL_DATA_KEYS } from './personal-data-keys';
import { referenceReader } from './reference/reference.reader';
import { DeadLettersController } from './dead-letters.controller';
import { INFRASTRUCTURE, serviceRuntime, TRANSPORT } from './runtime-tokens';
import type { ServiceDefinition } from './service-definition';

const AFTER_SHUTDOWN = Symbol('AFTER_SHUTDOWN');
/** How long a scrape waits for the broker's figures (lag, DLQ sizes) before it leaves them out. */
const SCRAPE_BUDGET_MS = 2_000;

@Injectable()
class RuntimeLifecycle implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(INFRASTRUCTURE) private readonly infra: Infrastructure,
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
    @Inject(METRICS_REGISTRY) private readonly metrics: Registry,
    @Inject(AFTER_SHUTDOWN) private readonly afterShutdown: () => Promise<void>,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
  ) {}

  onModuleInit(): void {
    const { infra } = this;
    // Every event handler a service module provides runs on the processors, beside the
    // replicas: a new consumer is a provider, not plumbing.
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (isEventHandler(instance)) infra.processors.add(instance);
    }
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
    this.registerProcessors();
  }

  /**
   * Per group: a readiness check (red while it cannot subscribe, or has made no progress
   * for longer than the grace because something it needs is away) and its metrics.
   */
  private registerProcessors(): void {
    const { processors } = this.infra;
    const graceMs = this.infra.stallGraceMs;
    this.readiness.register('consumers', () => {
      const now = Date.now();
      const stuck = processors
        .statuses()
        .filter(
          (s) =>
            s.state === 'subscribing' ||
            (s.failingSince !== undefined && now - s.failingSince.getTime() > graceMs),
        );
      if (stuck.length > 0) {
        throw new Error(stuck.map((s) => `${s.group}: ${s.lastError ?? s.state}`).join('; '));
      }
      return Promise.resolve();
    });
    const events = new Counter({
      name: 'casegrid_processor_events_total',
      help: 'Events a consumer group took from the transport: applied, skipped (applied before) or passed over (not its type).',
      labelNames: ['group', 'outcome'],
      registers: [this.metrics],
    });
    const batches = new Histogram({
      name: 'casegrid_processor_batch_seconds',
      help: 'Time of one batch transaction of a consumer group.',
      labelNames: ['group'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.metrics],
    });
    const parked = new Counter({
      name: 'casegrid_processor_parked_total',
      help: 'Messages a consumer group parked in its dead-letter topic.',
      labelNames: ['group'],
      registers: [this.metrics],
    });
    const errors = new Counter({
      name: 'casegrid_processor_errors_total',
      help: 'Failed attempts of a consumer group, by class (transient: retried; unknown, poison: toward the DLQ).',
      labelNames: ['group', 'class'],
      registers: [this.metrics],
    });
    new Gauge({
      name: 'casegrid_processor_failing_seconds',
      help: 'How long a consumer group has been unable to subscribe or make progress (0: working).',
      labelNames: ['group'],
      registers: [this.metrics],
      collect() {
        const now = Date.now();
        for (const s of processors.statuses()) {
          this.set(
            { group: s.group },
            s.failingSince ? (now - s.failingSince.getTime()) / 1000 : 0,
          );
        }
      },
    });
    new Gauge({
      name: 'casegrid_parked_events',
      help: 'Events a consumer group parked and holds for an operator (npm run dlq), per group.',
      labelNames: ['group'],
      registers: [this.metrics],
      async collect() {
        this.reset();
        for (const p of processors.all()) {
          const count = await p.parkedCount().catch(() => undefined);
          if (count) this.set({ group: p.group }, count.events);
        }
      },
    });
    new Gauge({
      name: 'casegrid_parked_cases',
      help: 'Cases whose events a consumer group holds behind a parked one, per group.',
      labelNames: ['group'],
      registers: [this.metrics],
      async collect() {
        this.reset();
        for (const p of processors.all()) {
          const count = await p.parkedCount().catch(() => undefined);
          if (count) this.set({ group: p.group }, count.cases);
        }
      },
    });
    processors.observe({
      batch: (group, result, seconds) => {
        events.inc({ group, outcome: 'applied' }, result.applied);
        events.inc({ group, outcome: 'skipped' }, result.skipped);
        events.inc({ group, outcome: 'passed' }, result.passed);
        events.inc({ group, outcome: 'held' }, result.held);
        batches.observe({ group }, seconds);
      },
      parked: (group) => parked.inc({ group }),
      error: (group, _error, errorClass) => errors.inc({ group, class: errorClass }),
    });
  }

  /** Consumer lag per held partition and DLQ size per group (collected at each scrape). */
  private registerConsumerMetrics(): void {
    const { transport } = this.infra;
    // A scrape while the broker is away shows no series rather than failing /metrics.
    // …and within a scrape's time: the broker client retries for a minute and more before
    // it gives up, and a scrape that waits for it gets nothing at all.
    const quietly = async <T>(read: () => Promise<T[]>): Promise<T[]> => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<T[]>((resolve) => {
        timer = setTimeout(() => resolve([]), SCRAPE_BUDGET_MS);
      });
      try {
        return await Promise.race([read().catch(() => []), late]);
      } finally {
        clearTimeout(timer);
      }
    };
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
    await this.infra.startProcessors();
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
 * the event handlers of every service module (found among its providers) and the start of
 * relays and processors once bootstrapped, and the order of shutdown (HTTP first, then
 * processors, relays, transport and pools, then `afterShutdown` — the embedded database).
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
      controllers: [DeadLettersController],
      imports: [AuthModule, DiscoveryModule, ...services.map((s) => s.module)],
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
