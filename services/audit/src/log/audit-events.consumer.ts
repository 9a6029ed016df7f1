import type { Pool, PoolClient } from 'pg';
import { CASE_EVENTS_TOPIC, type CloudEvent } from '@casegrid/contracts';
import { EVENT_HANDLER, type BatchEventHandler } from '@casegrid/messaging';
import type { AuditLogStore } from './audit-log.store';

export const AUDIT_EVENTS_GROUP = 'audit.case-events';

/**
 * Audit's handler of every case event: each batch is appended in a few statements
 * (`AuditLogStore.appendBatch`), in the processor's transaction with the batch's inbox rows
 * and the group's position. The transport delivers each case's events in partition order,
 * so appending in delivery order keeps the canonical order.
 */
export class AuditEventsConsumer implements BatchEventHandler {
  readonly [EVENT_HANDLER] = true as const;
  readonly group = AUDIT_EVENTS_GROUP;
  readonly topics = [CASE_EVENTS_TOPIC];
  readonly pool: Pool;
  readonly schema: string;

  constructor(readonly store: AuditLogStore) {
    this.pool = store.pool;
    this.schema = store.schema;
  }

  async applyBatch(tx: PoolClient, events: readonly CloudEvent[]): Promise<void> {
    await this.store.appendBatch(tx, events);
  }
}
