import { prepared, quoteSchema } from '@casegrid/event-store';
import type { DeliveredMessage } from '../transport';

/**
 * Per-case parking. When a case's event cannot be applied, the events of that case that
 * follow it must not be applied either: applied to a state that lacks the parked one
 * (a case whose registration was parked, a step whose predecessor was), they would be
 * wrong, and the inbox would then keep them from ever being applied right. So the failed
 * event is parked (`failed`, with its error; its dead letter goes to the group's DLQ topic
 * too) and every later event of its case is parked behind it (`held`), in partition order,
 * in the batch's own transaction; other cases flow on. An operator replays a case once the
 * cause is fixed (`npm run dlq -- replay <case>`): its parked events are applied in order,
 * in one transaction, and leave the table.
 *
 * A replay and a batch holding events for the same case cannot cross: the batch reads the
 * case's parked rows FOR SHARE, the replay deletes them. A batch that began first makes
 * the replay's delete wait, and the replay takes what it held in its next round; a replay
 * that committed first has deleted the rows the batch would have seen, so the batch
 * applies the case's events itself.
 */
export const parkingStatements = (schema: string) => {
  const s = quoteSchema(schema);
  return {
    failed: prepared(`with parked as (
        insert into ${s}.parked (processor, topic, partition, position, message_key, event_id,
          headers, value, reason, error, attempts)
        values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, 'failed', $9, $10)
        on conflict do nothing
      )
      insert into ${s}.checkpoints as c (processor, topic, partition, position)
      values ($1, $2, $3, $4)
      on conflict (processor, topic, partition) do update
        set position = greatest(c.position, excluded.position), updated_at = now()`),
    cases: prepared(`select message_key as case_id, count(*)::int as events,
        min(parked_at) as since,
        (array_agg(error order by partition, position) filter (where error is not null))[1] as error
      from ${s}.parked where processor = $1 group by message_key order by min(parked_at)`),
    ofCase: prepared(`select topic, partition, position, message_key, event_id, headers, value,
        reason, error, attempts, parked_at
      from ${s}.parked where processor = $1 and message_key = $2
      order by partition, position for update`),
    remember: prepared(`insert into ${s}.inbox (consumer, event_id)
      select $1, id from unnest($2::text[]) id on conflict do nothing`),
    inInbox: prepared(
      `select event_id from ${s}.inbox where consumer = $1 and event_id = any($2::text[])`,
    ),
    forget: prepared(`delete from ${s}.parked
      where processor = $1 and topic = $2 and partition = $3 and position = any($4::bigint[])`),
    count: prepared(`select count(*)::int as events, count(distinct message_key)::int as cases
      from ${s}.parked where processor = $1`),
  };
};

export type ParkingStatements = ReturnType<typeof parkingStatements>;

/** A parked event as an operator sees it. */
export interface ParkedEvent {
  readonly topic: string;
  readonly partition: number;
  readonly position: string;
  readonly caseId: string;
  readonly eventId: string;
  readonly type: string;
  readonly reason: 'failed' | 'held';
  readonly error: string | null;
  readonly attempts: number | null;
  readonly parkedAt: string;
}

/** A case with parked events, as `npm run dlq -- list` shows it. */
export interface ParkedCase {
  readonly caseId: string;
  readonly events: number;
  readonly since: string;
  readonly error: string | null;
}

export interface ParkedRow {
  topic: string;
  partition: number;
  position: string;
  message_key: string;
  event_id: string;
  headers: Record<string, string>;
  value: string;
  reason: 'failed' | 'held';
  error: string | null;
  attempts: number | null;
  parked_at: Date;
}

export const toParkedEvent = (row: ParkedRow): ParkedEvent => ({
  topic: row.topic,
  partition: row.partition,
  position: row.position,
  caseId: row.message_key,
  eventId: row.event_id,
  type: row.headers['ce_type'] ?? '',
  reason: row.reason,
  error: row.error,
  attempts: row.attempts,
  parkedAt: row.parked_at.toISOString(),
});

/** A parked row as the message it was, for the handler to apply on replay. */
export const toMessage = (row: ParkedRow): DeliveredMessage => ({
  topic: row.topic,
  partition: row.partition,
  offset: row.position,
  key: row.message_key,
  headers: row.headers,
  value: row.value,
});
