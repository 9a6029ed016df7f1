import type { PoolClient } from 'pg';
import { DEFAULT_CALENDAR_YEARS, WorkingCalendar } from '@casegrid/calendar';
import { CASE_EVENTS_TOPIC } from '@casegrid/contracts';
import type { AppendResult } from '@casegrid/event-store';
import type { Principal } from '@casegrid/identity';
import {
  ConcurrencyError,
  uuidv7,
  type CommandMetadata,
  type EventMetadata,
} from '@casegrid/kernel';
import type { ServiceRuntime } from './infrastructure';
import type { ReferenceReader } from './reference/reference.reader';

/**
 * What every service's case commands share (intake, mediation, petition): who and when,
 * appending to the case's stream with its outbox rows, deciding again on a conflict, and
 * the official calendar as replicated here.
 */

/** Who is acting and when: time is the business clock's, never read inside the domain. */
export const commandMetadata = (caller: Principal, now: Date): CommandMetadata => ({
  actor: caller.userId,
  department: caller.departmentId,
  correlationId: uuidv7(),
  now,
});

/**
 * Appends a case's new events to this service's stream of the case, in the caller's
 * transaction, with outbox rows for `casegrid.case-events` (keyed by the case id). The
 * expected version turns a concurrent writer into a `ConcurrencyError`.
 */
export const appendCaseEvents = (
  runtime: Pick<ServiceRuntime, 'store'>,
  client: PoolClient,
  caseId: string,
  expectedVersion: number,
  events: readonly { type: string; data: unknown; metadata: EventMetadata }[],
): Promise<AppendResult> =>
  runtime.store.appendInTransaction(client, {
    streamId: caseId,
    expectedVersion,
    events: events.map((e) => ({ id: uuidv7(), type: e.type, data: e.data, metadata: e.metadata })),
    publishTo: CASE_EVENTS_TOPIC,
  });

const MAX_ATTEMPTS = 5;

/** Before try `n + 1`: a random wait up to 10 ms × 2ⁿ⁻¹ (full jitter), so writers part. */
export const conflictBackoffMs = (tries: number, random: () => number = Math.random): number =>
  Math.floor(random() * 10 * 2 ** (tries - 1));

/**
 * Runs `attempt` (load, decide, append) again when another writer appended to the stream
 * first: deciding on the fresh stream is all a conflict asks, a few times at most, each
 * after a short random wait so that writers racing on one case do not collide again in
 * lockstep. With `retry` false (the caller sent If-Match) the conflict is the answer (412).
 */
export async function retryOnConflict<T>(retry: boolean, attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || !retry || tries >= MAX_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, conflictBackoffMs(tries)));
    }
  }
}

/**
 * The official calendar as intake publishes it, from this service's replica, so an
 * administrator's change to a year reaches every service that counts statutory days. On a
 * first start, before the replica has caught up, the seed intake itself publishes first
 * (the same years, so the same dates).
 */
export async function replicatedCalendar(reference: ReferenceReader): Promise<WorkingCalendar> {
  const years = await reference.list('calendar');
  return WorkingCalendar.fromYears(years.length > 0 ? years : DEFAULT_CALENDAR_YEARS);
}
