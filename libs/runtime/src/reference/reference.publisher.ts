import type { PoolClient } from 'pg';
import { REFERENCE_TOPIC } from '@casegrid/contracts';
import type { IdempotentRequest, Queryable } from '@casegrid/event-store';
import { uuidv7, type MessageContext } from '@casegrid/kernel';
import { commandTransaction } from '../command-transaction';
import type { ServiceRuntime } from '../infrastructure';
import {
  REFERENCE_EVENT_TYPES,
  referenceKey,
  referencePayload,
  referenceStreamId,
  type ReferenceChange,
  type ReferenceKind,
  type ReferenceRecords,
} from './reference.events';

/** Who made a change; the seed is `system:<service>`. */
export type ReferenceContext = Pick<MessageContext, 'actor' | 'department'>;

/**
 * The owner's side of reference data: each change is appended to the owner's event store
 * as `<Kind>Changed` on stream `reference:<kind>:<key>`, with an outbox row for
 * `casegrid.reference`, in the transaction that changes the row — the row and its event
 * commit together or not at all, and the relay publishes from the store, never from memory.
 *
 * Expected version `any`: the record is the state, not a decision taken on the stream, so
 * there is nothing to check against. Concurrent writers of one record are serialised by
 * the row they change (its lock, or the unique index for an insert) before they append, so
 * the stream's order is the rows' commit order and the store never refuses it as out of
 * order.
 */
export class ReferencePublisher {
  constructor(
    private readonly runtime: Pick<ServiceRuntime, 'service' | 'db' | 'store' | 'relay'>,
  ) {}

  /** Appends `changes` in the caller's open transaction on `tx` (one event each). */
  async publish(
    tx: Queryable,
    changes: ReferenceChange | readonly ReferenceChange[],
    context: ReferenceContext,
  ): Promise<void> {
    const occurredAt = new Date().toISOString();
    const correlationId = uuidv7();
    const list: readonly ReferenceChange[] = isList(changes) ? changes : [changes];
    for (const change of list) {
      await this.runtime.store.appendInTransaction(tx, {
        streamId: referenceStreamId(change.kind, referenceKey(change)),
        expectedVersion: 'any',
        events: [
          {
            id: uuidv7(),
            type: REFERENCE_EVENT_TYPES[change.kind],
            data: referencePayload(change),
            metadata: { ...context, correlationId, occurredAt },
          },
        ],
        publishTo: REFERENCE_TOPIC,
      });
    }
  }

  /** Runs `work` (row changes and their `publish`) in one transaction (`commandTransaction`). */
  transaction<T>(
    work: (tx: PoolClient) => Promise<T>,
    idempotency?: IdempotentRequest,
  ): Promise<T> {
    return commandTransaction(this.runtime, work, idempotency);
  }

  /**
   * One record's change in its own transaction: `write` changes the row and returns the
   * record as stored, which is published with it; `undefined` (nothing written) publishes
   * nothing. Resolves to what `write` returned.
   */
  async write<K extends ReferenceKind>(
    kind: K,
    context: ReferenceContext,
    write: (tx: PoolClient) => Promise<ReferenceRecords[K] | undefined>,
    idempotency?: IdempotentRequest,
  ): Promise<ReferenceRecords[K] | undefined> {
    return this.transaction(async (tx) => {
      const record = await write(tx);
      // The union cannot follow the generic kind; `kind` and `record` match by the signature.
      if (record !== undefined)
        await this.publish(tx, { kind, record } as ReferenceChange, context);
      return record;
    }, idempotency);
  }

  /** For callers that own their transaction (and its commit): wake the relay after it. */
  wake(): void {
    this.runtime.relay.wake();
  }
}

const isList = (
  changes: ReferenceChange | readonly ReferenceChange[],
): changes is readonly ReferenceChange[] => Array.isArray(changes);

/** The context of a change a signed-in user made. */
export const changedBy = (caller: {
  readonly userId: string;
  readonly departmentId: string;
}): ReferenceContext => ({ actor: caller.userId, department: caller.departmentId });

/** The actor of changes a service makes on its own (the first start's seed). */
export const systemActor = (service: string): ReferenceContext => ({ actor: `system:${service}` });
