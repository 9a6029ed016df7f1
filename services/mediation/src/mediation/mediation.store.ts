import { Inject, Injectable } from '@nestjs/common';
import { assertCaseAccess } from '@casegrid/auth';
import { WorkingCalendar } from '@casegrid/calendar';
import type { CaseAction, CaseScope, Principal } from '@casegrid/identity';
import { IllegalStateError, NotFoundError, type CommandMetadata } from '@casegrid/kernel';
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

export interface LoadedFile {
  readonly known: KnownCase;
  readonly file: MediationFile;
  readonly version: number;
}

/** How mediation's file folds from its stream of the case. */
const FILE = { initialState, evolve };

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
    const { state, version } = await loadCase(this.runtime, FILE, known.caseId);
    return { known, file: state, version };
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
   * moment ago), then the one case-command pipeline (`executeCaseCommand`): authorise on
   * the file as it stands, build the command (the adapter's lookups), decide and append
   * with the outbox rows; a concurrent append decides again.
   */
  async execute(
    caller: Principal,
    caseId: string,
    action: CaseAction,
    build: (loaded: LoadedFile) => Promise<MediationCommand>,
    idempotency?: IdempotencyOf,
    ifMatch?: number,
  ): Promise<CaseCommandResult> {
    const known = await this.signedFor(caller, caseId, action);
    // The decider counts the judicial-confirmation window on the replicated calendar.
    const stream: CaseStream<MediationFile, MediationCommand, MediationEvent> = {
      ...mediationDecider(await this.calendar()),
      status: (file) => file.status,
    };
    return executeCaseCommand(this.runtime, stream, {
      caller,
      caseId,
      ifMatch,
      idempotency,
      prepare: async ({ state: file, version }) => {
        assertCaseAccess(caller, action, caseId, this.scope(known, file));
        return build({ known, file, version });
      },
    });
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
