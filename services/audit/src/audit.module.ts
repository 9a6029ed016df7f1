import {
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Transport } from '@casegrid/messaging';
import { serviceRuntime, TRANSPORT, type ServiceRuntime } from '@casegrid/runtime';
import { AuditController } from './http/audit.controller';
import { AuditQueries } from './http/audit.queries';
import { AuditEventsConsumer } from './log/audit-events.consumer';
import { AuditLogStore } from './log/audit-log.store';

/** Starts the consumer once the process is up; stops it first on the way down. */
@Injectable()
class AuditLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(private readonly consumer: AuditEventsConsumer) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer.stop();
  }
}

/**
 * The audit service: the append-only, hash-chained copy of every case event; replay,
 * point-in-time state, integrity checks, responsibility trace and export. Its kernel
 * (schema `audit`) is provided by `CasegridRuntimeModule` under `serviceRuntime('audit')`;
 * it appends nothing to its own event store (it emits nothing but alerts).
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
      inject: [AuditLogStore, TRANSPORT],
      useFactory: (store: AuditLogStore, transport: Transport) =>
        new AuditEventsConsumer(store, transport),
    },
    AuditQueries,
    AuditLifecycle,
  ],
})
export class AuditModule {}
