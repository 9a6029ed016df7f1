import { CASE_EVENTS_TOPIC } from '@casegrid/contracts';
import {
  withInbox,
  type MessageHandler,
  type Subscription,
  type Transport,
} from '@casegrid/messaging';
import type { AuditLogStore } from './audit-log.store';

export const AUDIT_EVENTS_GROUP = 'audit.case-events';

/**
 * Audit's consumer of every case event. Transaction boundary: per message, the appended
 * row and the inbox row commit together (`withInbox`), and the transport moves the
 * group's position only after that commit — a crash before it redelivers, a crash after
 * it is absorbed by the inbox (and by the unique CloudEvent id if the inbox were lost).
 * The transport delivers each case's events in partition order, so appending in delivery
 * order keeps the canonical order.
 */
export class AuditEventsConsumer {
  readonly handle: MessageHandler;
  private subscription: Subscription | undefined;

  constructor(
    readonly store: AuditLogStore,
    private readonly transport: Transport,
  ) {
    this.handle = withInbox({
      pool: store.pool,
      schema: store.schema,
      consumer: AUDIT_EVENTS_GROUP,
      handle: async (event, tx) => {
        await store.append(tx, event);
      },
    });
  }

  async start(): Promise<void> {
    this.subscription ??= await this.transport.subscribe({
      group: AUDIT_EVENTS_GROUP,
      topics: [CASE_EVENTS_TOPIC],
      handle: this.handle,
    });
  }

  async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
  }
}
