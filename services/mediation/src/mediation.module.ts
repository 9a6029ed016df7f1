import { Module } from '@nestjs/common';

/**
 * The mediation service: mediation files, sessions, agreements, judicial confirmation, referral.
 * Its kernel (event store in schema `mediation`, outbox relay, transport) is provided by
 * `CasegridRuntimeModule` under `serviceRuntime('mediation')`.
 */
@Module({})
export class MediationModule {}
