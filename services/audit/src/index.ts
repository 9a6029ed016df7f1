import type { ServiceDefinition } from '@casegrid/runtime';
import { AuditModule } from './audit.module';

export const auditService: ServiceDefinition = {
  name: 'audit',
  title: 'Audit',
  module: AuditModule,
};
