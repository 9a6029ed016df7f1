import { personalDataMigrations } from '@casegrid/personal-data';
import type { ServiceDefinition } from '@casegrid/runtime';
import { calendarsMigrations } from './calendars/calendars.migrations';
import { casesMigrations } from './cases/cases.migrations';
import { openCasesMigrations } from './cases/open-cases.projection';
import { identityMigrations } from './identity/identity.migrations';
import { deadlinePolicyMigrations } from './deadlines/deadline-policies.repository';
import { IntakeModule } from './intake.module';
import { routingMigrations } from './routing/routing.migrations';

export const intakeService: ServiceDefinition = {
  name: 'intake',
  title: 'Intake',
  module: IntakeModule,
  migrations: [
    ...identityMigrations('intake'),
    ...personalDataMigrations('intake'),
    ...casesMigrations('intake'),
    ...routingMigrations('intake'),
    ...openCasesMigrations('intake'),
    ...calendarsMigrations('intake'),
    ...deadlinePolicyMigrations('intake'),
  ],
};

export { ADMIN_USERNAME, DEMO_USER_PASSWORD, readSeed } from './identity/identity.seed';
