import { caseDirectoryMigrations, type ServiceDefinition } from '@casegrid/runtime';
import { PetitionModule } from './petition.module';

export const petitionService: ServiceDefinition = {
  name: 'petition',
  title: 'Petition',
  module: PetitionModule,
  migrations: [...caseDirectoryMigrations('petition')],
};
