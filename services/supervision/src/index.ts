import type { ServiceDefinition } from '@casegrid/runtime';
import { SupervisionModule } from './supervision.module';

export const supervisionService: ServiceDefinition = {
  name: 'supervision',
  title: 'Supervision',
  module: SupervisionModule,
};
