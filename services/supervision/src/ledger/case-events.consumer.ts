import type { Pool } from 'pg';
import { CASE_EVENTS_TOPIC, toCaseEvent } from '@casegrid/contracts';
import { fold } from '@casegrid/kernel';
import { retryOnConflict } from '@casegrid/runtime';
import {
  withInbox,
  type DeliveredMessage,
  type MessageHandler,
  type Subscription,
  type Transport,
} from '@casegrid/messaging';
import { evolveLedger, observe, type CaseEvent } from '@casegrid/supervision';
import type { CasegridClock } from '@casegrid/platform';
import type { ClockContextSource } from '../clocks/clock-context';
import type { LedgerStore } from './ledger.store';

export const CASE_EVENTS_GROUP = 'supervision.case-events';

/**
 * supervision's consumer of every case event (its own included): folds each into the
 * case's ledger row and lets the clock engine react, recording the reactions as
 * supervision's own events.
 *
 * Transaction boundary: per message, one transaction holds the case's lock, the inbox
 * row, supervision's appended events with their outbox rows, and the ledger row with its
 * timer — all or nothing. The transport moves the group's position only after it
 * committed: a crash before redelivers (and nothing had happened), a crash after is
 * absorbed by the inbox. A concurrent writer of the same case (the scheduler, a
 * command) makes the append conflict; the whole unit runs again on fresh state.
 *
 * supervision's own events come back through the topic: their effect was folded when
 * they were recorded, so an echo at or below the row's version is skipped; one above it
 * (a ledger rebuilt from the log) is folded.
 */
export class CaseEventsConsumer {
  readonly handle: MessageHandler;
  private subscription: Subscription | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly ledger: LedgerStore,
    private readonly transport: Transport,
    private readonly context: ClockContextSource,
    private readonly clock: CasegridClock,
  ) {
    const inbox = withInbox({
      pool,
      schema: ledger.schema,
      consumer: CASE_EVENTS_GROUP,
      handle: async (cloudEvent, tx) => {
        const event = toCaseEvent(cloudEvent);
        if (event === undefined) return;
        await this.apply(tx, event, cloudEvent.correlationid);
      },
    });
    this.handle = async (message: DeliveredMessage) => {
      await retryOnConflict(true, () => inbox(message));
      // Appends inside a transaction do not wake the relay by themselves.
      this.ledger.runtime.relay.wake();
    };
  }

  private async apply(
    tx: Parameters<Parameters<typeof withInbox>[0]['handle']>[1],
    event: CaseEvent,
    correlationId: string,
  ): Promise<void> {
    const caseId = event.data['caseId'];
    if (typeof caseId !== 'string') return;
    if (event.service === 'supervision') {
      // An echo of what was recorded here: versions only grow, so no lock is needed to
      // see that it was folded already (and the scheduler is not held up by echoes).
      const seen = await this.ledger.load(tx, caseId);
      if (seen !== null && event.streamVersion <= seen.version) return;
    }
    await this.ledger.lock(tx, caseId);
    const before = await this.ledger.load(tx, caseId);
    if (event.service === 'supervision') {
      if (before === null || event.streamVersion <= before.version) return;
      const state = fold(evolveLedger, before, [event]);
      if (state) await this.ledger.save(tx, state);
      return;
    }
    const now = this.clock.now();
    const settled = observe(before, event, now, await this.context.get());
    if (settled === null) return;
    await this.ledger.record(tx, before, settled, {
      actor: 'system:supervision',
      correlationId,
      causationId: event.id,
      now,
    });
  }

  async start(): Promise<void> {
    this.subscription ??= await this.transport.subscribe({
      group: CASE_EVENTS_GROUP,
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
