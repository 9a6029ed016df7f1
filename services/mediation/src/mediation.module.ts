import { Module } from '@nestjs/common';
import { caseDirectoryProvider } from '@casegrid/runtime';
import { MediationCommands } from './mediation/mediation-commands.service';
import { MediationController } from './mediation/mediation.controller';
import { MediationStore } from './mediation/mediation.store';

/**
 * The mediation service: mediation files, sessions, agreements, judicial confirmation,
 * referral, escalation. Its kernel (event store in schema `mediation`, outbox relay,
 * transport) is provided by `CasegridRuntimeModule` under `serviceRuntime('mediation')`;
 * it learns the cases on its track from intake's events through its `CaseDirectory`, which
 * subscribes once the application is up and stops before the pools close.
 */
@Module({
  controllers: [MediationController],
  providers: [caseDirectoryProvider('mediation'), MediationStore, MediationCommands],
})
export class MediationModule {}
