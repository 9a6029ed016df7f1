import type { MigrationClass } from '@casegrid/event-store';
import type { ServiceDefinition } from '@casegrid/runtime';
import { ledgerStatsMigrations } from './ledger/ledger-stats.migrations';
import { ledgerMigrations } from './ledger/ledger.migrations';
import { enqueueReschedule, rescheduleMigrations } from './clocks/reschedule.jobs';
import { SupervisionModule } from './supervision.module';

/** supervision's own tables beside its event store (also what `npm run bench` migrates). */
export const supervisionMigrations = (schema: string): MigrationClass[] => [
  ...ledgerMigrations(schema),
  ...ledgerStatsMigrations(schema),
  ...rescheduleMigrations(schema),
];

export const supervisionService: ServiceDefinition = {
  name: 'supervision',
  title: 'Supervision',
  module: SupervisionModule,
  migrations: supervisionMigrations('supervision'),
  // A calendar year, or a policy saved for running clocks, queues the clocks' recount.
  onReferenceChange: enqueueReschedule,
};

export { CaseEventsConsumer, CASE_EVENTS_GROUP } from './ledger/case-events.consumer';
export { DeadlineScheduler } from './clocks/deadline.scheduler';
export { WatermarkReader } from './clocks/watermarks';
export { LedgerStore } from './ledger/ledger.store';
export { LedgerRebuild, type RebuildOptions, type RebuildReport } from './ledger/ledger.rebuild';
export {
  AuditStoreSource,
  type CanonicalSource,
  type LiveConsumer,
  type LoggedEvent,
  type SourceReader,
} from './ledger/ledger.source';
export { TopicSource, type TopicSourceOptions } from './ledger/topic.source';
export { ClockContextSource } from './clocks/clock-context';
export {
  DUE_BATCH,
  FIRE_CONCURRENCY,
  dueCasesSql,
  findDueCases,
} from './clocks/deadline.scheduler';
export { backfillStatsColumns } from './ledger/ledger-stats.migrations';
export { RescheduleWorker, RESCHEDULE_SETTLE_MS } from './clocks/reschedule.worker';
export { RescheduleJobs } from './clocks/reschedule.jobs';
