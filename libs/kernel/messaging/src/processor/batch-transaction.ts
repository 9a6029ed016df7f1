import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
} from '@opentelemetry/api';
import { fromBinaryMessage, readWatermark, type CloudEvent } from '@casegrid/contracts';
import { inTransaction, prepared, quoteSchema } from '@casegrid/event-store';
import { UnavailableError } from '@casegrid/kernel';
import type { DeliveredMessage } from '../transport';
import type { EventHandler } from './event-handler';

const tracer = trace.getTracer('casegrid.messaging');

/** What one transaction of a batch did. */
export interface BatchResult {
  /** Applied now. */
  readonly applied: number;
  /** Applied before: at or below the group's position, or found in the inbox. */
  readonly skipped: number;
  /** Not of a type the handler takes. */
  readonly passed: number;
  /** Held behind a parked event of their case (processor/parking.ts). */
  readonly held: number;
}

/**
 * Another member of the group committed some of these events between our inbox read and
 * our inbox write (a rebalance overlap): nothing of ours took effect; read again.
 */
export class RacedDeliveryError extends UnavailableError {
  constructor(group: string) {
    super(`${group}: another member applied part of this batch first`);
  }
}

const statements = (schema: string) => {
  const s = quoteSchema(schema);
  return {
    // One read: the group's position on the partition, which of the batch's events the
    // inbox already holds (a producer's relay may publish an event twice, at two offsets),
    // and which of its cases have parked events (read FOR SHARE: parking.ts).
    seen: prepared(`select (select position from ${s}.checkpoints
        where processor = $1 and topic = $2 and partition = $3) as position,
      array(select event_id from ${s}.inbox where consumer = $1 and event_id = any($4::text[])) as seen,
      array(select message_key from ${s}.parked where processor = $1
        and message_key = any($5::text[]) for share) as parked`),
    watermarks:
      prepared(`insert into ${s}.watermarks as w (processor, topic, partition, producer, at)
      select $1, $2, $3, p.producer, p.at from unnest($4::text[], $5::timestamptz[]) as p(producer, at)
      on conflict (processor, topic, partition, producer) do update
        set at = excluded.at, updated_at = now()`),
    // One write: the inbox rows, the events held behind parked ones, and the new position.
    // It goes last in the transaction so that a handler's event append is its first write
    // (ADR 0001).
    record: prepared(`with recorded as (
        insert into ${s}.inbox (consumer, event_id) select $1, id from unnest($4::text[]) id
        on conflict do nothing returning 1
      ), held as (
        insert into ${s}.parked (processor, topic, partition, position, message_key, event_id,
          headers, value, reason)
        select $1, $2, $3, h.position, h.message_key, h.event_id, h.headers, h.value, 'held'
        from unnest($6::bigint[], $7::text[], $8::text[], $9::jsonb[], $10::text[])
          as h(position, message_key, event_id, headers, value)
        on conflict do nothing
      ), moved as (
        insert into ${s}.checkpoints as c (processor, topic, partition, position)
        values ($1, $2, $3, $5)
        on conflict (processor, topic, partition) do update
          set position = greatest(c.position, excluded.position), updated_at = now()
      )
      select count(*)::int as recorded from recorded`),
  };
};

export type BatchStatements = ReturnType<typeof statements>;
export const batchStatements = statements;

/**
 * Applies `messages` (consecutive, of one partition) in ONE transaction of the handler's
 * database: the handler's effects, the inbox rows of what it applied and the group's new
 * position commit together or not at all. What the position or the inbox says was applied
 * is skipped, so a redelivery after a crash between this commit and the transport's offset
 * commit changes nothing. Throws what the handler or the database threw; nothing of the
 * batch has then taken effect.
 */
export const applyInTransaction = async (
  handler: EventHandler,
  sql: BatchStatements,
  topic: string,
  partition: number,
  messages: readonly DeliveredMessage[],
): Promise<BatchResult> => {
  // Producers' watermarks are no events: passed over, and recorded where asked for.
  const watermarks = new Map<string, string>();
  const events = messages.filter((m) => {
    const watermark = readWatermark(m.headers);
    if (watermark) watermarks.set(watermark.producer, watermark.at);
    return !watermark;
  });
  const accepted = handler.accepts
    ? events.filter((m) => handler.accepts!(m.headers['ce_type'] ?? ''))
    : events;
  const passed = messages.length - accepted.length;
  const recording = handler.recordsWatermarks === true && watermarks.size > 0;
  if (accepted.length === 0 && !recording) return { applied: 0, skipped: 0, passed, held: 0 };
  const last = messages[messages.length - 1]!.offset;
  return inTransaction(handler.pool, async (tx) => {
    if (recording) {
      await tx.query(
        sql.watermarks.with([
          handler.group,
          topic,
          partition,
          [...watermarks.keys()],
          [...watermarks.values()],
        ]),
      );
    }
    const ids = accepted.map((m) => m.headers['ce_id'] ?? '');
    const keys = [...new Set(accepted.map((m) => m.key))];
    const { rows } = await tx.query<{ position: string | null; seen: string[]; parked: string[] }>(
      sql.seen.with([handler.group, topic, partition, ids, keys]),
    );
    const position = rows[0]?.position == null ? -1n : BigInt(rows[0].position);
    const seen = new Set(rows[0]?.seen ?? []);
    const parked = new Set(rows[0]?.parked ?? []);
    const fresh: DeliveredMessage[] = [];
    const held: DeliveredMessage[] = [];
    for (const m of accepted) {
      // A duplicate inside the batch itself counts once too.
      const id = m.headers['ce_id'] ?? '';
      if (BigInt(m.offset) <= position || seen.has(id)) continue;
      seen.add(id);
      (parked.has(m.key) ? held : fresh).push(m);
    }
    if (fresh.length > 0) await applyEvents(handler, tx, fresh);
    const recorded = await tx.query<{ recorded: number }>(
      sql.record.with([
        handler.group,
        topic,
        partition,
        fresh.map((m) => m.headers['ce_id'] ?? ''),
        last,
        held.map((m) => m.offset),
        held.map((m) => m.key),
        held.map((m) => m.headers['ce_id'] ?? ''),
        held.map((m) => JSON.stringify(m.headers)),
        held.map((m) => m.value),
      ]),
    );
    if ((recorded.rows[0]?.recorded ?? 0) !== fresh.length)
      throw new RacedDeliveryError(handler.group);
    return {
      applied: fresh.length,
      skipped: accepted.length - fresh.length - held.length,
      passed,
      held: held.length,
    };
  });
};

/** Decodes (an unreadable message throws `MalformedMessageError`: poison) and applies. */
export const applyEvents = async (
  handler: EventHandler,
  tx: Parameters<Parameters<typeof inTransaction>[1]>[0],
  messages: readonly DeliveredMessage[],
): Promise<void> => {
  const events = messages.map((m) => fromBinaryMessage(m.headers, m.value));
  const spans = messages.map((m) => consumerSpan(handler.group, m));
  try {
    if ('applyBatch' in handler) {
      await handler.applyBatch(tx, events);
    } else {
      for (let i = 0; i < events.length; i += 1) {
        const span = spans[i]!;
        await context.with(trace.setSpan(context.active(), span.span), () =>
          handler.apply(tx, events[i]!),
        );
      }
    }
  } catch (error) {
    for (const { span } of spans) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    throw error;
  } finally {
    for (const { span } of spans) span.end();
  }
};

/**
 * A CONSUMER span per message whose parent is the trace context the message carries
 * (`traceparent`, else the CloudEvent's `ce_traceparent`): what the handler appends while
 * it is active is stamped with it, so one case's trace runs from the HTTP request through
 * the broker to every consumer and on.
 */
const consumerSpan = (group: string, message: DeliveredMessage): { span: Span } => {
  const traceparent = message.headers['traceparent'] ?? message.headers['ce_traceparent'];
  const parent = traceparent
    ? propagation.extract(context.active(), { traceparent })
    : context.active();
  const span = tracer.startSpan(
    `process ${message.topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': message.topic,
        'messaging.consumer.group.name': group,
        'messaging.destination.partition.id': String(message.partition),
        'messaging.kafka.offset': message.offset,
        'messaging.kafka.message.key': message.key,
      },
    },
    parent,
  );
  return { span };
};

export type { CloudEvent };
