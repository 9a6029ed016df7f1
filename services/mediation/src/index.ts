import type { ServiceDefinition } from '@casegrid/runtime';
import { caseDirectoryMigrations } from '@casegrid/runtime';
import { MediationModule } from './mediation.module';

export const mediationService: ServiceDefinition = {
  name: 'mediation',
  title: 'Mediation',
  module: MediationModule,
  migrations: [...caseDirectoryMigrations('mediation')],
};
