import type { ServiceDefinition } from '@casegrid/runtime';
import { AuditModule } from './audit.module';
import { auditLogMigrations } from './log/audit-log.migrations';

export const auditService: ServiceDefinition = {
  name: 'audit',
  title: 'Audit',
  module: AuditModule,
  migrations: [...auditLogMigrations('audit')],
};

export { AuditEventsConsumer, AUDIT_EVENTS_GROUP } from './log/audit-events.consumer';
export { AuditLogStore, type StoredEvent } from './log/audit-log.store';
export { AUDIT_WRITER_ROLE } from './log/audit-log.migrations';
export { auditLogMigrations } from './log/audit-log.migrations';
