import { Module } from '@nestjs/common';
import { caseDirectoryProvider } from '@casegrid/runtime';
import { PetitionCommands } from './petition-commands.service';
import { PetitionController } from './petition.controller';
import { PetitionStore } from './petition.store';

/**
 * The petition service: petition matters under the 信访工作条例 — acceptance, extension,
 * opinion, review, re-review, termination. Its kernel (event store in schema `petition`,
 * outbox relay, transport, reference replica) is provided by `CasegridRuntimeModule`; it
 * learns the cases from intake's events through its own case directory.
 */
@Module({
  controllers: [PetitionController],
  providers: [caseDirectoryProvider('petition'), PetitionStore, PetitionCommands],
})
export class PetitionModule {}
