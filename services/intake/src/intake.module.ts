import { Module } from '@nestjs/common';
import { DeadlinePoliciesController } from './deadlines/deadline-policies.controller';
import { DeadlinePolicyRepository } from './deadlines/deadline-policies.repository';
import { ReferencePublisher, serviceRuntime, type ServiceRuntime } from '@casegrid/runtime';
import { calendarProviders } from './calendars/calendars.providers';
import { CalendarsController } from './calendars/calendars.controller';
import { CaseStore } from './cases/case.store';
import { CasesController } from './cases/cases.controller';
import { CaseCommands } from './cases/case-commands.service';
import { ReopenedCasesConsumer } from './cases/reopened-cases.consumer';
import { PartiesService } from './cases/parties.service';
import { RegistrationService } from './cases/registration.service';
import { IdentityController } from './identity/identity.controller';
import { IdentityService } from './identity/identity.service';
import { OrganisationController } from './identity/organisation.controller';
import { OrganisationRepository } from './identity/organisation.repository';
import { RoutingRulesController } from './routing/routing-rules.controller';
import { RoutingRulesRepository } from './routing/routing-rules.repository';
import { RoutingRulesSeeder } from './routing/routing-rules.seeder';

/**
 * The intake service: registration, parties and their personal data, reference data and
 * the embedded issuer (routing, dispatch and the rest of the lifecycle arrive with
 * issue 4). Its kernel (event store in schema `intake`, outbox relay, transport) is
 * provided by `CasegridRuntimeModule` under `serviceRuntime('intake')`.
 */
@Module({
  controllers: [
    DeadlinePoliciesController,
    IdentityController,
    OrganisationController,
    RoutingRulesController,
    CalendarsController,
    CasesController,
  ],
  providers: [
    {
      provide: DeadlinePolicyRepository,
      inject: [serviceRuntime('intake')],
      useFactory: (runtime: ServiceRuntime) =>
        new DeadlinePolicyRepository(
          runtime.db.pool,
          runtime.service,
          new ReferencePublisher(runtime),
        ),
    },
    {
      provide: OrganisationRepository,
      inject: [serviceRuntime('intake')],
      useFactory: (runtime: ServiceRuntime) =>
        new OrganisationRepository(runtime.db.pool, runtime.service),
    },
    {
      provide: RoutingRulesRepository,
      inject: [serviceRuntime('intake')],
      useFactory: (runtime: ServiceRuntime) =>
        new RoutingRulesRepository(
          runtime.db.pool,
          runtime.service,
          new ReferencePublisher(runtime),
        ),
    },
    RoutingRulesSeeder,
    ...calendarProviders,
    IdentityService,
    CaseStore,
    RegistrationService,
    PartiesService,
    CaseCommands,
    ReopenedCasesConsumer,
  ],
})
export class IntakeModule {}
