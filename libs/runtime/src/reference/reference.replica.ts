import type { Pool } from 'pg';
import { REFERENCE_TOPIC, type ServiceName } from '@casegrid/contracts';
import { quoteSchema } from '@casegrid/event-store';
import {
  withInbox,
  type MessageHandler,
  type Subscription,
  type Transport,
} from '@casegrid/messaging';
import { readReferenceEvent } from './reference.events';
import { PgReferenceReader, type ReferenceReader } from './reference.reader';

export interface ReferenceReplicaOptions {
  readonly service: ServiceName;
  /** The service's own database and schema (migrated with `referenceReplicaMigrations`). */
  readonly pool: Pool;
  readonly schema: string;
  readonly transport: Transport;
}

/** One consumer group per service: its instances share the work and the one copy. */
export const referenceGroup = (service: ServiceName): string => `${service}.reference`;

/**
 * A service's read-only copy of reference data, kept from `casegrid.reference` (DESIGN.md:
 * the owner publishes changes, the others keep a local copy, so no service reads another's
 * database).
 *
 * Transaction boundary: per message, the upsert and the inbox row commit together
 * (`withInbox`), and the transport moves the group's position only after that commit, so a
 * crash redelivers and a redelivery changes nothing. Order: the row keeps the owner's
 * stream version and an upsert only replaces an older version, so a late or replayed
 * event never overwrites a newer record, whatever the partitioning.
 */
export class ReferenceReplica {
  readonly group: string;
  /** The subscription's handler (idempotent), public so that redelivery can be tested. */
  readonly handle: MessageHandler;
  readonly reader: ReferenceReader;
  private subscription: Subscription | undefined;

  constructor(private readonly options: ReferenceReplicaOptions) {
    const s = quoteSchema(options.schema);
    const upsert = `insert into ${s}.reference_data as r (kind, key, data, version, occurred_at)
      values ($1, $2, $3::jsonb, $4, $5)
      on conflict (kind, key) do update
        set data = excluded.data, version = excluded.version,
            occurred_at = excluded.occurred_at, updated_at = now()
      where excluded.version > r.version`;
    this.group = referenceGroup(options.service);
    this.reader = new PgReferenceReader(options.pool, options.schema);
    this.handle = withInbox({
      pool: options.pool,
      schema: options.schema,
      consumer: this.group,
      handle: async (event, tx) => {
        const change = readReferenceEvent(event);
        if (change === undefined) return;
        await tx.query(upsert, [
          change.kind,
          change.key,
          JSON.stringify(change.data),
          change.version,
          change.occurredAt,
        ]);
      },
    });
  }

  async start(): Promise<void> {
    this.subscription ??= await this.options.transport.subscribe({
      group: this.group,
      topics: [REFERENCE_TOPIC],
      handle: this.handle,
    });
  }

  /** Lets the message in hand finish; the next start resumes after the last commit. */
  async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
  }
}
