import { Inject, Injectable } from '@nestjs/common';
import { assertCaseAccess } from '@casegrid/auth';
import { WorkingCalendar } from '@casegrid/calendar';
import type { CaseAction, Principal } from '@casegrid/identity';
import { IllegalStateError, NotFoundError, type CommandMetadata } from '@casegrid/kernel';
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
  CaseDirectory,
  commandMetadata,
  executeCaseCommand,
  loadCase,
  type CaseCommandResult,
  type CaseStream,
  type KnownCase,
  knownCaseScope,
  type ReferenceReader,
  referenceReader,
  replicatedCalendar,
  type ServiceRuntime,
  serviceRuntime,
} from '@casegrid/runtime';

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

  /** The petition as its stream stands. */
  load(caseId: string): Promise<{ state: Petition; version: number }> {
    return loadCase(this.runtime, { initialState, evolve }, caseId);
  }

  /**
   * A command on a petition: the case authorised from the directory and the command built
   * first, then the one case-command pipeline (`executeCaseCommand`): decide on the
   * petition as it stands and append (events, outbox rows and the Idempotency-Key's record
   * in one transaction); a concurrent append decides again, unless the caller sent
   * If-Match: then anything newer than their version is a 412.
   */
  async execute(
    caller: Principal,
    caseId: string,
    action: CaseAction,
    build: (known: KnownCase) => PetitionCommand,
    idempotency?: IdempotencyOf,
    ifMatch?: number,
  ): Promise<CaseCommandResult> {
    const known = await this.petitionCase(caller, action, caseId);
    const command = build(known);
    // The decider counts the statutory periods on the replicated calendar.
    const stream: CaseStream<Petition, PetitionCommand, PetitionEvent> = {
      ...petitionDecider(await this.calendar()),
      status: (petition) => petition.status,
    };
    return executeCaseCommand(this.runtime, stream, {
      caller,
      caseId,
      ifMatch,
      idempotency,
      prepare: async () => command,
    });
  }
}
