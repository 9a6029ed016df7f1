import type { PoolClient } from 'pg';
import { inTransaction, runIdempotent, type IdempotentRequest } from '@casegrid/event-store';
import type { ServiceRuntime } from './infrastructure';

/**
 * Runs a command's `work` (its appends, with their outbox rows) in one transaction of the
 * service's database, then wakes the relay: an append inside a caller's transaction does not,
 * and waking before the commit would find nothing to publish. With an Idempotency-Key the
 * key's record commits in that same transaction, so a retry after a crash or a lost reply
 * replays the first answer and changes nothing (`runIdempotent`). Answers holding personal
 * data in clear must not come this way (they would be stored with the key).
 */
export async function commandTransaction<T>(
  runtime: Pick<ServiceRuntime, 'service' | 'db' | 'relay'>,
  work: (client: PoolClient) => Promise<T>,
  idempotency?: IdempotentRequest,
): Promise<T> {
  const pool = runtime.db.pool;
  const result = idempotency?.key
    ? (
        await runIdempotent(pool, runtime.service, idempotency, async (client) => ({
          status: 200,
          body: await work(client),
        }))
      ).body
    : await inTransaction(pool, work);
  runtime.relay.wake();
  return result;
}
