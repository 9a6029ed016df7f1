import type { ServiceDefinition } from '@casegrid/runtime';
import { ledgerStatsMigrations } from './ledger/ledger-stats.migrations';
import { ledgerMigrations } from './ledger/ledger.migrations';
import { SupervisionModule } from './supervision.module';

export const supervisionService: ServiceDefinition = {
  name: 'supervision',
  title: 'Supervision',
  module: SupervisionModule,
  migrations: [...ledgerMigrations('supervision'), ...ledgerStatsMigrations('supervision')],
};

export { CaseEventsConsumer, CASE_EVENTS_GROUP } from './ledger/case-events.consumer';
export { DeadlineScheduler } from './clocks/deadline.scheduler';
export { LedgerStore } from './ledger/ledger.store';
export { LedgerRebuild, type RebuildReport } from './ledger/ledger.rebuild';
export { AuditStoreSource, type CanonicalSource } from './ledger/ledger.source';
export { backfillStatsColumns } from './ledger/ledger-stats.migrations';
