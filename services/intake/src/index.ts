import type { ServiceDefinition } from '@casegrid/runtime';
import { IntakeModule } from './intake.module';

export const intakeService: ServiceDefinition = {
  name: 'intake',
  title: 'Intake',
  module: IntakeModule,
};
