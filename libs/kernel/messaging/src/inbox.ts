import type { Pool, PoolClient } from 'pg';
import { fromBinaryMessage, type CloudEvent } from '@casegrid/contracts';
import { quoteSchema } from '@casegrid/event-store';
import type { DeliveredMessage, MessageHandler } from './transport';

export type InboxHandler = (
  event: CloudEvent,
  tx: PoolClient,
  message: DeliveredMessage,
) => Promise<void>;

export interface InboxOptions {
  readonly pool: Pool;
  /** The consuming service's schema, which holds its inbox table. */
  readonly schema: string;
  /** Consumer name: the inbox is kept per consumer, so two consumers both see an event. */
  readonly consumer: string;
  readonly handle: InboxHandler;
}

/**
 * Wraps a handler so that each event takes effect exactly once even though transports
 * deliver at least once. Transaction boundary: the handler's writes and the inbox row
 * commit together, or neither does. A redelivery finds the row and does nothing; the
 * transport moves its position only after this resolves, so a crash before the commit
 * redelivers and a crash after it is absorbed here. The inbox row is written last so that
 * a handler's event append is its transaction's first write (event-store.ddl.ts, Ordering);
 * a concurrent duplicate that won the race makes ours roll back.
 */
export const withInbox = (options: InboxOptions): MessageHandler => {
  const s = quoteSchema(options.schema);
  const seen = `select 1 from ${s}.inbox where consumer = $1 and event_id = $2`;
  const record = `insert into ${s}.inbox (consumer, event_id) values ($1, $2) on conflict do nothing`;
  return async (message) => {
    const event = fromBinaryMessage(message.headers, message.value);
    const key = [options.consumer, event.id];
    const client = await options.pool.connect();
    try {
      await client.query('begin');
      if ((await client.query(seen, key)).rowCount === 0) {
        await options.handle(event, client, message);
        if ((await client.query(record, key)).rowCount === 0) {
          await client.query('rollback');
          return;
        }
      }
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
};
