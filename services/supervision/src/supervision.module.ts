import { Module } from '@nestjs/common';

/**
 * The supervision service: clocks, warnings, breaches, escalation, supervision orders, follow-ups, closure, the ledger.
 * Its kernel (event store in schema `supervision`, outbox relay, transport) is provided by
 * `CasegridRuntimeModule` under `serviceRuntime('supervision')`.
 */
@Module({})
export class SupervisionModule {}
