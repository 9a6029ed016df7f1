import { personalDataMigrations } from '@casegrid/personal-data';
import type { ServiceDefinition } from '@casegrid/runtime';
import { casesMigrations } from './cases/cases.migrations';
import { identityMigrations } from './identity/identity.migrations';
import { IntakeModule } from './intake.module';

export const intakeService: ServiceDefinition = {
  name: 'intake',
  title: 'Intake',
  module: IntakeModule,
  migrations: [
    ...identityMigrations('intake'),
    ...personalDataMigrations('intake'),
    ...casesMigrations('intake'),
  ],
};

export { ADMIN_USERNAME, DEMO_USER_PASSWORD, readSeed } from './identity/identity.seed';
