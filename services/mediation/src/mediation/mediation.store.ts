import { Inject, Injectable } from '@nestjs/common';
import { assertCaseAccess } from '@casegrid/auth';
import { WorkingCalendar } from '@casegrid/calendar';
import type { CaseAction, CaseScope, Principal } from '@casegrid/identity';
import {
  ConcurrencyError,
  IllegalStateError,
  NotFoundError,
  fold,
  type CommandMetadata,
} from '@casegrid/kernel';
import {
  initialState,
  evolve,
  mediationDecider,
  type MediationCommand,
  type MediationEvent,
  type MediationFile,
} from '@casegrid/mediation';
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

export interface LoadedFile {
  readonly known: KnownCase;
  readonly file: MediationFile;
  readonly version: number;
}

export interface CommandResult {
  readonly id: string;
  readonly version: number;
  readonly status: string;
}

/** Until the lead signs on some track, a command on the case may be early: worth waiting for. */
const signed = (known: KnownCase): boolean =>
  known.status !== 'registered' && known.status !== 'dispatched';

/**
 * The thin edge between HTTP and the mediation decider, in intake's CaseStore's shape:
 * find the case in the directory (waiting briefly for intake's event), load the file,
 * authorise with the one policy, decide, append — one transaction per command.
 */
@Injectable()
export class MediationStore {
  constructor(
    @Inject(serviceRuntime('mediation')) readonly runtime: ServiceRuntime,
    @Inject(referenceReader('mediation')) readonly reference: ReferenceReader,
    @Inject(CaseDirectory) readonly directory: CaseDirectory,
    @Inject(CASEGRID_CLOCK) private readonly clock: CasegridClock,
  ) {}

  metadata(caller: Principal): CommandMetadata {
    return commandMetadata(caller, this.clock.now());
  }

  /**
   * Who may act on the file: the body holding it leads (after an escalation, the body one
   * tier up); the bodies that held it before and the case's co-handlers read.
   */
  scope(known: KnownCase, file: MediationFile): CaseScope {
    const base = knownCaseScope(known);
    if (file.status === 'none') return base;
    const co = [...(base.coDepartmentIds ?? []), ...file.formerDepartmentIds];
    if (known.leadDepartmentId && known.leadDepartmentId !== file.departmentId)
      co.push(known.leadDepartmentId);
    return { ...base, leadDepartmentId: file.departmentId, coDepartmentIds: co };
  }

  async load(known: KnownCase): Promise<LoadedFile> {
    const stream = await this.runtime.store.readStream(known.caseId);
    const events = stream.events as unknown as MediationEvent[];
    return { known, file: fold(evolve, initialState(), events), version: stream.version };
  }

  /** For reads: the case as known now (no waiting), authorised. */
  async read(caller: Principal, caseId: string): Promise<LoadedFile> {
    const known = await this.directory.get(caseId);
    if (!known) throw new NotFoundError(`case ${caseId} not found`);
    const loaded = await this.load(known);
    assertCaseAccess(caller, 'case.read', caseId, this.scope(known, loaded.file));
    return loaded;
  }

  /**
   * A command: wait until intake has told us the lead signed for the case (it may have a
   * moment ago), authorise, build the command (the adapter's lookups), decide on the
   * current file and append with the outbox rows. A concurrent append decides again.
   */
  async execute(
    caller: Principal,
    caseId: string,
    action: CaseAction,
    build: (loaded: LoadedFile) => Promise<MediationCommand>,
    idempotency?: IdempotencyOf,
    ifMatch?: number,
  ): Promise<CommandResult> {
    return retryOnConflict(ifMatch === undefined, () =>
      this.attempt(caller, caseId, action, build, idempotency, ifMatch),
    );
  }

  private async attempt(
    caller: Principal,
    caseId: string,
    action: CaseAction,
    build: (loaded: LoadedFile) => Promise<MediationCommand>,
    idempotency: IdempotencyOf | undefined,
    ifMatch: number | undefined,
  ): Promise<CommandResult> {
    const loaded = await this.load(await this.signedFor(caller, caseId, action));
    assertCaseAccess(caller, action, caseId, this.scope(loaded.known, loaded.file));
    if (ifMatch !== undefined && ifMatch !== loaded.version) {
      throw new ConcurrencyError(caseId, ifMatch, loaded.version);
    }
    const command = await build(loaded);
    const decider = mediationDecider(await this.calendar());
    return commandTransaction(
      this.runtime,
      async (client) => {
        // Decided inside: a retry under the same Idempotency-Key replays the first answer
        // before anything is decided again (it would now be a 409).
        const events = decider.decide(command, loaded.file);
        const file = events.reduce(decider.evolve, loaded.file);
        const result = await appendCaseEvents(this.runtime, client, caseId, loaded.version, events);
        return { id: caseId, version: result.nextVersion, status: file.status };
      },
      idempotency && { ...idempotency, scope: caller.userId },
    );
  }

  /** The case once signed for; a timeout is authorised first, so an outsider still gets 404. */
  private async signedFor(caller: Principal, caseId: string, action: CaseAction) {
    try {
      return await this.directory.waitFor(caseId, signed, { what: 'accepted by its lead' });
    } catch (error) {
      const known = await this.directory.get(caseId);
      if (known) {
        const { file } = await this.load(known);
        assertCaseAccess(caller, action, caseId, this.scope(known, file));
      }
      throw error;
    }
  }

  /** Mediation opens only for a case its lead accepted on the mediation track. */
  assertOnMediationTrack(known: KnownCase): void {
    if (known.status !== 'accepted' || known.track !== 'mediation') {
      const track = known.track ? ` on the ${known.track} track` : '';
      throw new IllegalStateError(
        `case ${known.caseId} is ${known.status}${track}: mediation opens only for a case accepted on the mediation track`,
        'mediation.not_on_mediation_track',
      );
    }
  }

  /** The official calendar as replicated here: the confirmation window is counted on it. */
  private calendar(): Promise<WorkingCalendar> {
    return replicatedCalendar(this.reference);
  }
}
