import { Module } from '@nestjs/common';
import { serviceRuntime, type ServiceRuntime } from '@casegrid/runtime';
import { CaseStore } from './cases/case.store';
import { CasesController } from './cases/cases.controller';
import { CaseCommands } from './cases/case-commands.service';
import { PartiesService } from './cases/parties.service';
import { RegistrationService } from './cases/registration.service';
import { IdentityController } from './identity/identity.controller';
import { IdentityService } from './identity/identity.service';
import { OrganisationController } from './identity/organisation.controller';
import { OrganisationRepository } from './identity/organisation.repository';

/**
 * The intake service: registration, parties and their personal data, reference data and
 * the embedded issuer (routing, dispatch and the rest of the lifecycle arrive with
 * issue 4). Its kernel (event store in schema `intake`, outbox relay, transport) is
 * provided by `CasegridRuntimeModule` under `serviceRuntime('intake')`.
 */
@Module({
  controllers: [IdentityController, OrganisationController, CasesController],
  providers: [
    {
      provide: OrganisationRepository,
      inject: [serviceRuntime('intake')],
      useFactory: (runtime: ServiceRuntime) =>
        new OrganisationRepository(runtime.db.pool, runtime.service),
    },
    IdentityService,
    CaseStore,
    RegistrationService,
    PartiesService,
    CaseCommands,
  ],
})
export class IntakeModule {}
