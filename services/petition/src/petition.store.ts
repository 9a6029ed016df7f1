import { Inject, Injectable } from '@nestjs/common';
import { assertCaseAccess } from '@casegrid/auth';
import { WorkingCalendar } from '@casegrid/calendar';
import type { PoolClient } from 'pg';
import type { Queryable } from '@casegrid/event-store';
import type { CaseAction, Principal } from '@casegrid/identity';
import {
  ConcurrencyError,
  fold,
  IllegalStateError,
  NotFoundError,
  type CommandMetadata,
} from '@casegrid/kernel';
import {
  evolve,
  initialState,
  petitionDecider,
  type Petition,
  type PetitionCommand,
  type PetitionEvent,
} from '@casegrid/petition';
import { CASEGRID_CLOCK, type CasegridClock, type IdempotencyOf } from '@casegrid/platform';
import {
  appendCaseEvents,
  CaseDirectory,
  commandMetadata,
  commandTransaction,
  type KnownCase,
  knownCaseScope,
  type ReferenceReader,
  referenceReader,
  replicatedCalendar,
  retryOnConflict,
  type ServiceRuntime,
  serviceRuntime,
} from '@casegrid/runtime';

export interface CommandResult {
  readonly id: string;
  readonly version: number;
  readonly status: string;
}

/**
 * The thin edge between HTTP and the petition decider: learn the case from the directory,
 * authorise with the one policy, read the calendar from this service's replica, decide,
 * append. Transaction boundaries are stated where they are.
 */
@Injectable()
export class PetitionStore {
  constructor(
    @Inject(serviceRuntime('petition')) private readonly runtime: ServiceRuntime,
    @Inject(referenceReader('petition')) private readonly reference: ReferenceReader,
    @Inject(CASEGRID_CLOCK) private readonly clock: CasegridClock,
    private readonly directory: CaseDirectory,
  ) {}

  now(): Date {
    return this.clock.now();
  }

  metadata(caller: Principal): CommandMetadata {
    return commandMetadata(caller, this.now());
  }

  /** The official calendar as replicated here (an administrator's change reaches petitions). */
  calendar(): Promise<WorkingCalendar> {
    return replicatedCalendar(this.reference);
  }

  /**
   * The case as intake's events made it known here, if the caller may take `action` on it
   * (404 outside their jurisdiction, 403 for their role), once it is accepted on a track —
   * waiting briefly for intake's event when a command outruns it.
   */
  async petitionCase(caller: Principal, action: CaseAction, caseId: string): Promise<KnownCase> {
    let known: KnownCase;
    try {
      known = await this.directory.waitFor(caseId, (c) => c.track !== null, {
        what: 'accepted on the petition track',
      });
    } catch (error) {
      // Gave up waiting: a caller outside the case's jurisdiction learns nothing more (404).
      const seen = await this.directory.get(caseId);
      if (seen) assertCaseAccess(caller, action, caseId, knownCaseScope(seen));
      throw error;
    }
    assertCaseAccess(caller, action, caseId, knownCaseScope(known));
    if (known.kind !== 'petition' || known.track !== 'petition') {
      const why = `case ${caseId} is a ${known.kind} on the ${known.track ?? 'no'} track: only a petition accepted on the petition track has a petition file (信访工作条例)`;
      throw action === 'case.read'
        ? new NotFoundError(why)
        : new IllegalStateError(why, 'petition.not_on_petition_track');
    }
    return known;
  }

  /** The petition as its stream stands, read on `db` (the command's own connection in one). */
  async load(
    caseId: string,
    db: Queryable = this.runtime.db.pool,
  ): Promise<{ state: Petition; version: number }> {
    const stream = await this.runtime.store.readStream(caseId, {}, db);
    const events = stream.events as unknown as PetitionEvent[];
    return { state: fold(evolve, initialState(), events), version: stream.version };
  }

  /**
   * A command on a petition: authorise, load, build, decide and append in one transaction
   * (events and outbox rows, and the Idempotency-Key's record when one was sent). A
   * concurrent append means deciding again on the fresh stream, unless the caller sent
   * If-Match: then anything newer than their version is a 412.
   */
  async execute(
    caller: Principal,
    caseId: string,
    action: CaseAction,
    build: (known: KnownCase) => PetitionCommand,
    idempotency?: IdempotencyOf,
    ifMatch?: number,
  ): Promise<CommandResult> {
    const known = await this.petitionCase(caller, action, caseId);
    const command = build(known);
    return retryOnConflict(ifMatch === undefined, () =>
      this.attempt(
        caseId,
        command,
        ifMatch,
        idempotency && { ...idempotency, scope: caller.userId },
      ),
    );
  }

  private async attempt(
    caseId: string,
    command: PetitionCommand,
    ifMatch: number | undefined,
    idempotency: (IdempotencyOf & { readonly scope: string }) | undefined,
  ): Promise<CommandResult> {
    const calendar = await this.calendar();
    const work = async (client: PoolClient): Promise<CommandResult> => {
      // Read on the transaction's connection: one connection per command, not two.
      const loaded = await this.load(caseId, client);
      if (ifMatch !== undefined && ifMatch !== loaded.version) {
        throw new ConcurrencyError(caseId, ifMatch, loaded.version);
      }
      const decider = petitionDecider(calendar);
      const events = decider.decide(command, loaded.state);
      const state = events.reduce(decider.evolve, loaded.state);
      const result = await appendCaseEvents(this.runtime, client, caseId, loaded.version, events);
      return { id: caseId, version: result.nextVersion, status: state.status };
    };
    return commandTransaction(this.runtime, work, idempotency);
  }
}
