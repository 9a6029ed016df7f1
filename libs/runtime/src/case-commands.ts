import type { PoolClient } from 'pg';
import type { IdempotencyOf } from '@casegrid/platform';
import { DEFAULT_CALENDAR_YEARS, WorkingCalendar } from '@casegrid/calendar';
import { CASE_EVENTS_TOPIC } from '@casegrid/contracts';
import type { AppendResult } from '@casegrid/event-store';
import type { Principal } from '@casegrid/identity';
import {
  ConcurrencyError,
  fold,
  uuidv7,
  type CommandMetadata,
  type EventMetadata,
} from '@casegrid/kernel';
import { commandTransaction } from './command-transaction';
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

/** What every case command answers: the case, its stream's new version, its status. */
export interface CaseCommandResult {
  readonly id: string;
  readonly version: number;
  readonly status: string;
}

type StreamEvent = {
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
};

/**
 * A service's own stream of a case as its decider sees it: how events fold into the state,
 * what a command decides, the status a command answers with, and what is written with the
 * events in their transaction (intake's open-cases rows).
 */
export interface CaseStream<State, Command, Event extends StreamEvent> {
  readonly initialState: () => State;
  readonly evolve: (state: State, event: Event) => State;
  readonly decide: (command: Command, state: State) => readonly Event[];
  readonly status: (state: State) => string;
  readonly project?: (client: PoolClient, events: readonly Event[], state: State) => Promise<void>;
}

/** A stream as read, folded: the service reads back its own events, as its decider wrote them. */
export const foldCase = <State, Event extends StreamEvent>(
  stream: Pick<CaseStream<State, never, Event>, 'initialState' | 'evolve'>,
  read: { readonly events: readonly StreamEvent[]; readonly version: number },
): { state: State; version: number } => ({
  state: fold(stream.evolve, stream.initialState(), read.events as readonly Event[]),
  version: read.version,
});

/** The case's stream, read and folded. */
export async function loadCase<State, Event extends StreamEvent>(
  runtime: Pick<ServiceRuntime, 'store'>,
  stream: Pick<CaseStream<State, never, Event>, 'initialState' | 'evolve'>,
  caseId: string,
): Promise<{ state: State; version: number }> {
  return foldCase(stream, await runtime.store.readStream(caseId));
}

/**
 * Decides `command` on the loaded state and appends what it decided, with its outbox rows
 * and the stream's projection, in the caller's transaction; the expected version turns a
 * concurrent writer into a `ConcurrencyError`. Nothing decided: nothing written.
 */
export async function decideAndAppendCase<State, Command, Event extends StreamEvent>(
  runtime: Pick<ServiceRuntime, 'store'>,
  client: PoolClient,
  stream: CaseStream<State, Command, Event>,
  caseId: string,
  loaded: { readonly state: State; readonly version: number },
  command: Command,
): Promise<{ version: number; state: State }> {
  const events = stream.decide(command, loaded.state);
  const state = events.reduce(stream.evolve, loaded.state);
  if (events.length === 0) return { version: loaded.version, state };
  const result = await appendCaseEvents(runtime, client, caseId, loaded.version, events);
  await stream.project?.(client, events, state);
  return { version: result.nextVersion, state };
}

/**
 * The one command pipeline of the services that keep a stream per case (intake, mediation,
 * petition): load the case, `prepare` the command (authorise with the one access policy,
 * then the adapter's lookups), and check If-Match, decide and append in one transaction
 * with the Idempotency-Key's record. The check and the decision are made inside that
 * transaction, after the key was looked up: a retry under the same key replays the first
 * answer instead of deciding again (or answering 412 to its own first attempt). A conflict
 * (another writer appended first) runs it all again on the fresh stream, after a short
 * random wait; under If-Match it is the answer (412).
 *
 * Transaction boundary: the append, its outbox rows, the projection and the key's record
 * commit together or not at all; loading and preparing read outside it, and the expected
 * version makes what they read the condition of the commit.
 */
export function executeCaseCommand<State, Command, Event extends StreamEvent>(
  runtime: Pick<ServiceRuntime, 'service' | 'db' | 'relay' | 'store'>,
  stream: CaseStream<State, Command, Event>,
  request: {
    readonly caller: Principal;
    readonly caseId: string;
    readonly ifMatch?: number | undefined;
    /** The request's Idempotency-Key, if it sent one: kept per caller. */
    readonly idempotency?: IdempotencyOf | undefined;
    readonly prepare: (loaded: { state: State; version: number }) => Promise<Command>;
  },
): Promise<CaseCommandResult> {
  const { caller, caseId, ifMatch, prepare } = request;
  const idempotency = request.idempotency && { ...request.idempotency, scope: caller.userId };
  return retryOnConflict(ifMatch === undefined, async () => {
    const loaded = await loadCase(runtime, stream, caseId);
    const command = await prepare(loaded);
    return commandTransaction(
      runtime,
      async (client) => {
        // Inside, after the key was looked up: a retry of a conditional command whose first
        // attempt went through replays its answer; only a new request meets a moved stream.
        if (ifMatch !== undefined && ifMatch !== loaded.version) {
          throw new ConcurrencyError(caseId, ifMatch, loaded.version);
        }
        const { version, state } = await decideAndAppendCase(
          runtime,
          client,
          stream,
          caseId,
          loaded,
          command,
        );
        return { id: caseId, version, status: stream.status(state) };
      },
      idempotency,
    );
  });
}
