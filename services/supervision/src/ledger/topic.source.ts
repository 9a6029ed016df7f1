import {
  CASE_EVENTS_TOPIC,
  fromBinaryMessage,
  readWatermark,
  type CloudEvent,
} from '@casegrid/contracts';
import { quoteSchema, type Queryable } from '@casegrid/event-store';
import { uuidv7 } from '@casegrid/kernel';
import type { DeliveredBatch, Subscription, Transport } from '@casegrid/messaging';
import type { CanonicalSource, LiveConsumer, LoggedEvent, SourceReader } from './ledger.source';

export interface TopicSourceOptions {
  readonly topic?: string;
  /** Messages a reader holds before the transport waits for the rebuild (default 20,000). */
  readonly highWater?: number;
}

/** A message handed over by the transport; `event` absent for a watermark or a repeat. */
interface Taken {
  readonly partition: number;
  readonly offset: bigint;
  readonly event?: CloudEvent;
}

/**
 * `casegrid.case-events` itself, read from offset zero through the transport (any
 * `Transport`: Kafka, or the in-process log), as a consumer group of its own: what
 * supervision can read when every service has its own database. The topic's partition
 * order is each case's canonical order (DESIGN.md, Events).
 *
 * The live consumer's position per partition (`checkpoints`, written with its effects)
 * says what it has applied: every event at or below it that is not parked (failed, or
 * held behind a failed one of its case: `parked`). Both are in supervision's own schema,
 * so nothing here reads another service's tables, and neither forgets as the inbox does.
 *
 * Each reader is a fresh group (`supervision.ledger-rebuild.<uuid>`) whose saved offsets
 * are left behind when it closes (the in-process log's `consumer_offsets`, Kafka's group
 * offsets until their retention). It remembers the ids it returned: a producer's relay may
 * publish an event twice, at two offsets.
 */
export class TopicSource implements CanonicalSource {
  readonly name = 'topic';

  constructor(
    private readonly transport: Transport,
    private readonly options: TopicSourceOptions = {},
  ) {}

  async open(): Promise<SourceReader> {
    const reader = new TopicReader(
      this.options.topic ?? CASE_EVENTS_TOPIC,
      this.options.highWater ?? 20_000,
    );
    await reader.subscribe(this.transport);
    return reader;
  }
}

class TopicReader implements SourceReader {
  private buffer: Taken[] = [];
  /** Per partition, the offset of the last message `next` has handed over (or passed). */
  private readonly reached = new Map<number, bigint>();
  private readonly returned = new Set<string>();
  private room: (() => void) | undefined;
  private subscription: Subscription | undefined;
  private closed = false;

  constructor(
    private readonly topic: string,
    private readonly highWater: number,
  ) {}

  async subscribe(transport: Transport): Promise<void> {
    this.subscription = await transport.subscribe({
      group: `supervision.ledger-rebuild.${uuidv7()}`,
      topics: [this.topic],
      handle: (batch) => this.take(batch),
    });
  }

  /** The transport's handler: buffers the batch, waiting (alive) while the buffer is full. */
  private async take(batch: DeliveredBatch): Promise<number> {
    while (this.buffer.length >= this.highWater && batch.isActive() && !this.closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000);
        timer.unref();
        this.room = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      await batch.heartbeat();
    }
    for (const m of batch.messages) {
      const taken = { partition: m.partition, offset: BigInt(m.offset) };
      if (readWatermark(m.headers)) {
        this.buffer.push(taken);
        continue;
      }
      let event: CloudEvent | undefined;
      try {
        event = fromBinaryMessage(m.headers, m.value);
      } catch {
        event = undefined; // unreadable: the live consumer parked it too
      }
      this.buffer.push(event ? { ...taken, event } : taken);
    }
    return batch.messages.length;
  }

  next(limit: number): Promise<LoggedEvent[]> {
    const out: LoggedEvent[] = [];
    let i = 0;
    for (; i < this.buffer.length && out.length < limit; i += 1) {
      const { partition, offset, event } = this.buffer[i]!;
      this.reached.set(partition, offset);
      if (!event || this.returned.has(event.id)) continue;
      this.returned.add(event.id);
      out.push({ event, partition, offset: offset.toString() });
    }
    this.buffer = this.buffer.slice(i);
    this.room?.();
    return Promise.resolve(out);
  }

  /** Partitions on which the live consumer's position is past what `next` handed over. */
  async unread(db: Queryable, live: LiveConsumer): Promise<number> {
    const positions = await this.positions(db, live);
    let behind = 0;
    for (const [partition, position] of positions) {
      if (position > (this.reached.get(partition) ?? -1n)) behind += 1;
    }
    return behind;
  }

  async applied(
    db: Queryable,
    live: LiveConsumer,
    events: readonly LoggedEvent[],
  ): Promise<ReadonlySet<string>> {
    const positions = await this.positions(db, live);
    const { rows } = await db.query<{ event_id: string }>(
      `select event_id from ${quoteSchema(live.schema)}.parked
       where processor = $1 and topic = $2 and event_id = any($3::text[])`,
      [live.group, this.topic, events.map((e) => e.event.id)],
    );
    const parked = new Set(rows.map((r) => r.event_id));
    const applied = new Set<string>();
    for (const { event, partition, offset } of events) {
      const position = positions.get(partition ?? 0);
      if (position !== undefined && BigInt(offset ?? '-1') <= position && !parked.has(event.id)) {
        applied.add(event.id);
      }
    }
    return applied;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.room?.();
    await this.subscription?.close();
  }

  private async positions(db: Queryable, live: LiveConsumer): Promise<Map<number, bigint>> {
    const { rows } = await db.query<{ partition: number; position: string }>(
      `select partition, position from ${quoteSchema(live.schema)}.checkpoints
       where processor = $1 and topic = $2`,
      [live.group, this.topic],
    );
    return new Map(rows.map((r) => [r.partition, BigInt(r.position)]));
  }
}
