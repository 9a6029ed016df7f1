import { Module } from '@nestjs/common';

/**
 * The intake service: registration, routing, dispatch, accept/return, transfer, escalation, repeat linking, reference data.
 * Its kernel (event store in schema `intake`, outbox relay, transport) is provided by
 * `CasegridRuntimeModule` under `serviceRuntime('intake')`.
 */
@Module({})
export class IntakeModule {}
