import {
  Logger,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  CASEGRID_CLOCK,
  CASEGRID_CONFIG,
  type CasegridClock,
  type CasegridConfig,
} from '@casegrid/platform';
import {
  referenceReader,
  serviceRuntime,
  TRANSPORT,
  type ReferenceReader,
  type ServiceRuntime,
} from '@casegrid/runtime';
import { CASE_EVENTS_TOPIC } from '@casegrid/contracts';
import type { Transport } from '@casegrid/messaging';
import { ClockContextSource } from './clocks/clock-context';
import { WatermarkReader } from './clocks/watermarks';
import { ClockMetrics } from './clocks/clock.metrics';
import { DeadlineScheduler } from './clocks/deadline.scheduler';
import { ReschedulePreview } from './clocks/reschedule.preview';
import { RescheduleJobs } from './clocks/reschedule.jobs';
import { RescheduleWorker } from './clocks/reschedule.worker';
import { ReschedulePreviewController } from './http/reschedule-preview.controller';
import { SupervisionCommands } from './http/supervision-commands.service';
import { SupervisionController } from './http/supervision.controller';
import { CaseEventsConsumer } from './ledger/case-events.consumer';
import { LedgerQueries } from './ledger/ledger.queries';
import { LedgerStore } from './ledger/ledger.store';
import { NoticesQueries } from './ledger/notices.queries';
import { StatsController } from './stats/stats.controller';
import { StatsQueries } from './stats/stats.queries';

/** The scheduler's and the worker's failures, as JSON lines of the process's logger. */
const log = new Logger();
const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** Starts the scheduler and the reschedule worker once the process is up; stops them first on the way down. */
@Injectable()
class SupervisionLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly scheduler: DeadlineScheduler,
    private readonly reschedules: RescheduleWorker,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.start();
    this.reschedules.start();
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.scheduler.stop(), this.reschedules.stop()]);
  }
}

/**
 * The supervision service: clocks, warnings, breaches, escalation, supervision orders,
 * follow-ups, closure, the ledger and its statistics. Its kernel (event store in schema
 * `supervision`, outbox relay, transport) is provided by `CasegridRuntimeModule` under
 * `serviceRuntime('supervision')`, which also runs its event handler.
 */
@Module({
  controllers: [SupervisionController, StatsController, ReschedulePreviewController],
  providers: [
    ClockMetrics,
    {
      provide: LedgerStore,
      inject: [serviceRuntime('supervision')],
      useFactory: (runtime: ServiceRuntime) => new LedgerStore(runtime),
    },
    {
      provide: ClockContextSource,
      inject: [referenceReader('supervision'), CASEGRID_CONFIG],
      useFactory: (reference: ReferenceReader, config: CasegridConfig) =>
        new ClockContextSource(reference, config.supervision.escalationInterval),
    },
    {
      provide: CaseEventsConsumer,
      inject: [LedgerStore, ClockContextSource, CASEGRID_CLOCK],
      useFactory: (ledger: LedgerStore, context: ClockContextSource, clock: CasegridClock) =>
        new CaseEventsConsumer(ledger.runtime.db.pool, ledger, context, clock),
    },
    {
      provide: WatermarkReader,
      inject: [LedgerStore, TRANSPORT],
      useFactory: (ledger: LedgerStore, transport: Transport) => {
        let partitions: Promise<number> | undefined;
        return new WatermarkReader(ledger.schema, () => {
          partitions ??= transport.partitions(CASE_EVENTS_TOPIC).catch((error: unknown) => {
            partitions = undefined;
            throw error;
          });
          return partitions;
        });
      },
    },
    {
      provide: DeadlineScheduler,
      inject: [LedgerStore, ClockContextSource, CASEGRID_CLOCK, CASEGRID_CONFIG, WatermarkReader],
      useFactory: (
        ledger: LedgerStore,
        context: ClockContextSource,
        clock: CasegridClock,
        config: CasegridConfig,
        watermarks: WatermarkReader,
      ) =>
        new DeadlineScheduler(
          ledger.runtime.db.pool,
          ledger,
          context,
          clock,
          config.supervision.pollIntervalMs,
          (error, caseId) =>
            log.error(
              `${caseId ? `case ${caseId}, backing off: ` : ''}${messageOf(error)}`,
              'supervision.scheduler',
            ),
          watermarks,
          new RescheduleJobs(ledger.schema),
        ),
    },
    {
      provide: RescheduleWorker,
      inject: [
        LedgerStore,
        ClockContextSource,
        referenceReader('supervision'),
        CASEGRID_CLOCK,
        CASEGRID_CONFIG,
      ],
      useFactory: (
        ledger: LedgerStore,
        context: ClockContextSource,
        reference: ReferenceReader,
        clock: CasegridClock,
        config: CasegridConfig,
      ) =>
        new RescheduleWorker(ledger.runtime.db.pool, ledger, context, reference, clock, {
          pollIntervalMs: config.supervision.pollIntervalMs,
          onError: (error) => log.error(messageOf(error), 'supervision.reschedules'),
        }),
    },
    {
      provide: ReschedulePreview,
      inject: [LedgerStore, ClockContextSource, referenceReader('supervision'), CASEGRID_CLOCK],
      useFactory: (
        ledger: LedgerStore,
        context: ClockContextSource,
        reference: ReferenceReader,
        clock: CasegridClock,
      ) => new ReschedulePreview(ledger.runtime.db.pool, ledger, context, reference, clock),
    },
    SupervisionCommands,
    LedgerQueries,
    NoticesQueries,
    StatsQueries,
    SupervisionLifecycle,
  ],
})
export class SupervisionModule {}
