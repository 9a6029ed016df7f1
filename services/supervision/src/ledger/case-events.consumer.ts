import type { Pool, PoolClient } from 'pg';
import { CASE_EVENTS_TOPIC, toCaseEvent, type CloudEvent } from '@casegrid/contracts';
import { fold } from '@casegrid/kernel';
import { EVENT_HANDLER, type BatchEventHandler } from '@casegrid/messaging';
import { evolveLedger, observe, type LedgerCase } from '@casegrid/supervision';
import type { CasegridClock } from '@casegrid/platform';
import type { ClockContextSource } from '../clocks/clock-context';
import {
  CASE_EVENTS_GROUP,
  type CaseRecord,
  type LedgerStore,
  type RecordedReaction,
} from './ledger.store';

export { CASE_EVENTS_GROUP };

/**
 * supervision's handler of every case event (its own included): folds each into the
 * case's ledger row and lets the clock engine react, recording the reactions as
 * supervision's own events.
 *
 * Transaction boundary: the processor's, one per batch. In it, the live ledger's writers
 * lock is taken shared before anything else (a rebuild's swap holds it exclusively), the
 * batch's cases are locked (sorted), each case's events are folded in memory in partition order, and then
 * supervision's events of every case (with their outbox rows) are appended in one
 * statement and the ledger rows with their timers written in one more — all or nothing,
 * with the batch's inbox rows and the group's position. Every other writer of a case (the
 * scheduler, a command) takes the same lock, so once the batch holds them no one else can
 * write those streams before it commits: the batch's appends can neither conflict nor
 * fall out of order (ADR 0001).
 *
 * supervision's own events come back through the topic: their effect was folded when
 * they were recorded, so an echo at or below the row's version is skipped — without a
 * case lock, so the scheduler is not held up by echoes; one above it (a ledger rebuilt from the
 * log) is folded.
 */
export class CaseEventsConsumer implements BatchEventHandler {
  readonly [EVENT_HANDLER] = true as const;
  readonly group = CASE_EVENTS_GROUP;
  readonly topics = [CASE_EVENTS_TOPIC];
  /** The producers' watermarks gate the deadline scheduler (clocks/watermarks.ts). */
  readonly recordsWatermarks = true;
  readonly schema: string;

  constructor(
    readonly pool: Pool,
    private readonly ledger: LedgerStore,
    private readonly context: ClockContextSource,
    private readonly clock: CasegridClock,
  ) {
    this.schema = ledger.schema;
  }

  /** Appends inside a transaction do not wake the relay by themselves. */
  afterCommit(): void {
    this.ledger.runtime.relay.wake();
  }

  async applyBatch(tx: PoolClient, cloudEvents: readonly CloudEvent[]): Promise<void> {
    const byCase = new Map<string, CloudEvent[]>();
    for (const cloudEvent of cloudEvents) {
      const caseId = (cloudEvent.data as { caseId?: unknown } | null)?.caseId;
      if (typeof caseId !== 'string') continue;
      const list = byCase.get(caseId) ?? [];
      list.push(cloudEvent);
      byCase.set(caseId, list);
    }
    if (byCase.size === 0) return;
    // Before the first read of the ledger: a rebuild's swap waits for this batch, or this
    // batch for the swap, never both (LedgerStore).
    await this.ledger.joinWriters(tx);
    const seen = await this.ledger.loadMany(tx, [...byCase.keys()]);
    const work = [...byCase].filter(([caseId, events]) =>
      events.some((e) => !isEcho(e) || e.streamversion > (seen.get(caseId)?.version ?? 0)),
    );
    if (work.length === 0) return;
    const caseIds = work.map(([caseId]) => caseId);
    await this.ledger.lockMany(tx, caseIds);
    const rows = await this.ledger.loadMany(tx, caseIds);
    const now = this.clock.now();
    const ctx = await this.context.get();
    const records: CaseRecord[] = [];
    for (const [caseId, events] of work) {
      const before = rows.get(caseId) ?? null;
      let state = before;
      const reactions: RecordedReaction[] = [];
      for (const cloudEvent of events) {
        const event = toCaseEvent(cloudEvent);
        if (event === undefined) continue;
        if (event.service === 'supervision') {
          if (state === null || event.streamVersion <= state.version) continue;
          state = fold(evolveLedger, state, [event]);
          continue;
        }
        const settled = observe(state, event, now, ctx);
        if (settled === null) continue;
        state = settled.state;
        for (const reaction of settled.events) {
          reactions.push({
            event: reaction,
            context: {
              actor: 'system:supervision',
              correlationId: cloudEvent.correlationid,
              causationId: cloudEvent.id,
              ...(cloudEvent.traceparent ? { traceparent: cloudEvent.traceparent } : {}),
            },
          });
        }
      }
      if (state !== null && state !== before) records.push({ before, state, reactions });
    }
    await this.ledger.recordMany(tx, records, now);
  }
}

const isEcho = (event: CloudEvent): boolean => event.type.startsWith('casegrid.supervision.');

export type { LedgerCase };
