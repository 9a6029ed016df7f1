import { Module } from '@nestjs/common';
import { serviceRuntime, type ServiceRuntime } from '@casegrid/runtime';
import { AuditController } from './http/audit.controller';
import { AuditQueries } from './http/audit.queries';
import { AuditEventsConsumer } from './log/audit-events.consumer';
import { AuditLogStore } from './log/audit-log.store';

/**
 * The audit service: the append-only, hash-chained copy of every case event; replay,
 * point-in-time state, integrity checks, responsibility trace and export. Its kernel
 * (schema `audit`) is provided by `CasegridRuntimeModule` under `serviceRuntime('audit')`;
 * it appends nothing to its own event store (it emits nothing but alerts). Its event
 * handler is found and run by the runtime's processors.
 */
@Module({
  controllers: [AuditController],
  providers: [
    {
      provide: AuditLogStore,
      inject: [serviceRuntime('audit')],
      useFactory: (runtime: ServiceRuntime) => new AuditLogStore(runtime.db.pool, runtime.service),
    },
    {
      provide: AuditEventsConsumer,
      inject: [AuditLogStore],
      useFactory: (store: AuditLogStore) => new AuditEventsConsumer(store),
    },
    AuditQueries,
  ],
})
export class AuditModule {}
