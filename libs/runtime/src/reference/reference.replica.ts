import type { Pool, PoolClient } from 'pg';
import { REFERENCE_TOPIC, type CloudEvent, type ServiceName } from '@casegrid/contracts';
import { quoteSchema } from '@casegrid/event-store';
import { EVENT_HANDLER, type EachEventHandler } from '@casegrid/messaging';
import { readReferenceEvent, type ReceivedReferenceChange } from './reference.events';
import { PgReferenceReader, type ReferenceReader } from './reference.reader';

export interface ReferenceReplicaOptions {
  readonly service: ServiceName;
  /** The service's own database and schema (migrated with `referenceReplicaMigrations`). */
  readonly pool: Pool;
  readonly schema: string;
  /** Runs in the transaction that took a change (a newer version; never a repeat). */
  readonly onChange?: (tx: PoolClient, change: ReceivedReferenceChange) => Promise<void>;
}

/** One consumer group per service: its instances share the work and the one copy. */
export const referenceGroup = (service: ServiceName): string => `${service}.reference`;

/**
 * A service's read-only copy of reference data, kept from `casegrid.reference` (DESIGN.md:
 * the owner publishes changes, the others keep a local copy, so no service reads another's
 * database). An event handler: the processor applies each batch of changes, the inbox rows
 * and the group's position in one transaction.
 *
 * Order: the row keeps the owner's stream version and an upsert only replaces an older
 * version, so a late or replayed event never overwrites a newer record, whatever the
 * partitioning.
 */
export class ReferenceReplica implements EachEventHandler {
  readonly [EVENT_HANDLER] = true as const;
  readonly group: string;
  readonly topics = [REFERENCE_TOPIC];
  readonly pool: Pool;
  readonly schema: string;
  readonly reader: ReferenceReader;
  private readonly upsert: string;
  private readonly onChange: ReferenceReplicaOptions['onChange'];

  constructor(options: ReferenceReplicaOptions) {
    const s = quoteSchema(options.schema);
    this.upsert = `insert into ${s}.reference_data as r (kind, key, data, version, occurred_at)
      values ($1, $2, $3::jsonb, $4, $5)
      on conflict (kind, key) do update
        set data = excluded.data, version = excluded.version,
            occurred_at = excluded.occurred_at, updated_at = now()
      where excluded.version > r.version`;
    this.group = referenceGroup(options.service);
    this.pool = options.pool;
    this.schema = options.schema;
    this.reader = new PgReferenceReader(options.pool, options.schema);
    this.onChange = options.onChange;
  }

  async apply(tx: PoolClient, event: CloudEvent): Promise<void> {
    const change = readReferenceEvent(event);
    if (change === undefined) return;
    const taken = await tx.query(this.upsert, [
      change.kind,
      change.key,
      JSON.stringify(change.data),
      change.version,
      change.occurredAt,
    ]);
    if (taken.rowCount === 1 && this.onChange) await this.onChange(tx, change);
  }
}
