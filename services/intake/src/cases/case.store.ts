import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { assertAllowed, assertCaseAccess } from '@casegrid/auth';
import { chinaDate, yearOf } from '@casegrid/calendar';
import { quoteSchema, type Queryable } from '@casegrid/event-store';
import type { Principal } from '@casegrid/identity';
import {
  intakeCaseDecider,
  type IntakeCase,
  type IntakeCommand,
  type IntakeEvent,
  type RegisteredCase,
} from '@casegrid/intake';
import { uuidv7, type CommandMetadata } from '@casegrid/kernel';
import { CASE_EVENTS_TOPIC } from '@casegrid/contracts';
import { PersonalDataVault } from '@casegrid/personal-data';
import { projectOpenCases } from './open-cases.projection';
import { CASEGRID_CLOCK, type CasegridClock, type IdempotencyOf } from '@casegrid/platform';
import {
  commandMetadata,
  decideAndAppendCase,
  executeCaseCommand,
  foldCase,
  type CaseCommandResult,
  type CaseStream,
  commandTransaction,
  PERSONAL_DATA_KEYS,
  type PersonalDataKeys,
  retryOnConflict,
  type ServiceRuntime,
  serviceRuntime,
} from '@casegrid/runtime';

/** The year in China time: a case received on 31 December at 23:30 China time is that year's. */
const chinaYear = (at: Date): number => yearOf(chinaDate(at));

/** What the access policy scopes a case by: nothing before it is registered (404). */
const scopeOf = (state: IntakeCase): RegisteredCase | undefined =>
  state.status === 'unregistered' ? undefined : state;

export interface LoadedCase {
  readonly state: IntakeCase;
  readonly version: number;
  readonly events: readonly {
    readonly type: string;
    readonly data: unknown;
    readonly metadata: IntakeEvent['metadata'];
  }[];
}

/**
 * The thin edge between HTTP and intake's case decider: load, authorise with the one
 * policy, decide, append. Transaction boundaries are stated where they are.
 */
@Injectable()
export class CaseStore {
  readonly vault: PersonalDataVault;
  readonly schema: string;
  /** intake's stream of a case: its decider, with the open-cases rows written alongside. */
  private readonly stream: CaseStream<IntakeCase, IntakeCommand, IntakeEvent>;

  constructor(
    @Inject(serviceRuntime('intake')) readonly runtime: ServiceRuntime,
    @Inject(PERSONAL_DATA_KEYS) keys: PersonalDataKeys,
    @Inject(CASEGRID_CLOCK) private readonly clock: CasegridClock,
  ) {
    this.schema = quoteSchema(runtime.service);
    this.stream = {
      ...intakeCaseDecider,
      status: (state) => state.status,
      // The projection rows commit with the events (open-cases.projection.ts).
      project: (client, events, state) => projectOpenCases(client, runtime.service, events, state),
    };
    this.vault = new PersonalDataVault({
      pool: runtime.db.pool,
      schema: runtime.service,
      kek: keys.kek,
      indexKey: keys.indexKey,
    });
  }

  now(): Date {
    return this.clock.now();
  }

  metadata(caller: Principal): CommandMetadata {
    return commandMetadata(caller, this.now());
  }

  async load(caseId: string, db?: Queryable): Promise<LoadedCase> {
    const read = await this.runtime.store.readStream(caseId, {}, db);
    return { ...foldCase(this.stream, read), events: read.events };
  }

  /** The case, if the caller may take `action` on it; else 404 or 403 from the policy. */
  async authorised(
    caller: Principal,
    action: Parameters<typeof assertCaseAccess>[1],
    caseId: string,
  ): Promise<LoadedCase & { state: RegisteredCase }> {
    const loaded = await this.load(caseId);
    assertCaseAccess(caller, action, caseId, scopeOf(loaded.state));
    return loaded as LoadedCase & { state: RegisteredCase };
  }

  assertMayRegister(caller: Principal, regionCode: string): void {
    assertAllowed(caller, 'case.register', regionCode);
  }

  /** Decides on `state` and appends in the caller's transaction, with the outbox rows. */
  decideAndAppend(
    client: PoolClient,
    caseId: string,
    loaded: { state: IntakeCase; version: number },
    command: IntakeCommand,
  ): Promise<{ version: number; state: IntakeCase }> {
    return decideAndAppendCase(this.runtime, client, this.stream, caseId, loaded, command);
  }

  /**
   * Registers a case: decides, writes the open-cases row, then takes the case's number and
   * appends its events in one statement, sent with the commit where the transaction allows
   * (`appendNumberedInTransaction` with `last`). The county's series is locked only for
   * that round trip: registrations of one county queue on it for no longer. Nothing may be
   * written after this; the transaction has ended.
   */
  async registerNumbered(
    client: PoolClient,
    command: Extract<IntakeCommand, { type: 'RegisterCase' }>,
  ): Promise<{ version: number; state: IntakeCase; number: string }> {
    const { caseId, regionCode } = command.data;
    const events = intakeCaseDecider.decide(command, { status: 'unregistered' });
    const state = events.reduce(intakeCaseDecider.evolve, intakeCaseDecider.initialState());
    await projectOpenCases(client, this.runtime.service, events, state);
    const year = chinaYear(command.metadata.now);
    const county = regionCode.slice(0, 6);
    const { number, result } = await this.runtime.store.appendNumberedInTransaction(
      client,
      {
        series: `case:${county}:${year}`,
        template: `${year}-${county}-%s`,
        width: 6,
        path: ['number'],
      },
      {
        streamId: caseId,
        expectedVersion: 0,
        events: events.map((e) => ({
          id: uuidv7(),
          type: e.type,
          data: e.data,
          metadata: e.metadata,
        })),
        publishTo: CASE_EVENTS_TOPIC,
      },
      { last: true },
    );
    return { version: result.nextVersion, state, number };
  }

  /**
   * A command on an existing case: load, authorise with the policy, build the command
   * (the adapter's lookups happen here), decide and append in one transaction. A
   * concurrent append means deciding again on the fresh stream, a few times at most.
   */
  execute(
    caller: Principal,
    caseId: string,
    action: Parameters<typeof assertCaseAccess>[1],
    build: (current: RegisteredCase) => Promise<IntakeCommand>,
    idempotency?: IdempotencyOf,
    ifMatch?: number,
  ): Promise<CaseCommandResult> {
    return executeCaseCommand(this.runtime, this.stream, {
      caller,
      caseId,
      ifMatch,
      idempotency,
      prepare: async ({ state }) => {
        assertCaseAccess(caller, action, caseId, scopeOf(state));
        return build(state as RegisteredCase);
      },
    });
  }

  /**
   * Runs `attempt` (load, decide, append) again when another writer appended to the
   * stream first: deciding on the fresh stream is all a conflict asks, a few times at most.
   */
  retryOnConflict<T>(retry: boolean, attempt: () => Promise<T>): Promise<T> {
    return retryOnConflict(retry, attempt);
  }

  /** `work` in one transaction, with the Idempotency-Key's record (`commandTransaction`). */
  transaction<T>(
    work: (client: PoolClient) => Promise<T>,
    idempotency?: IdempotencyOf & { readonly scope: string },
  ): Promise<T> {
    return commandTransaction(this.runtime, work, idempotency);
  }
}
