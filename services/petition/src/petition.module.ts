import { Module } from '@nestjs/common';

/**
 * The petition service: petition matters under the 信访工作条例: acceptance, opinion, extension, review, re-review, termination.
 * Its kernel (event store in schema `petition`, outbox relay, transport) is provided by
 * `CasegridRuntimeModule` under `serviceRuntime('petition')`.
 */
@Module({})
export class PetitionModule {}
