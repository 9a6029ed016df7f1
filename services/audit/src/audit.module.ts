import { Module } from '@nestjs/common';

/**
 * The audit service: the append-only, hash-chained copy of every case event; replay and integrity checks.
 * Its kernel (event store in schema `audit`, outbox relay, transport) is provided by
 * `CasegridRuntimeModule` under `serviceRuntime('audit')`.
 */
@Module({})
export class AuditModule {}
