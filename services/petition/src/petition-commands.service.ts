import { Injectable } from '@nestjs/common';
import type { CaseAction, Principal } from '@casegrid/identity';
import { petitionView, type PetitionCommand, type PetitionView } from '@casegrid/petition';
import type { IdempotencyOf } from '@casegrid/platform';
import type { CaseCommandResult, KnownCase } from '@casegrid/runtime';
import type {
  AcceptanceDto,
  DecisionDto,
  ExtensionDto,
  HearingDto,
  HearingEndDto,
  OpinionDto,
  RequestDto,
  TerminationDto,
} from './petition.dto';
import { PetitionStore } from './petition.store';

type Data<T extends PetitionCommand['type']> = Omit<
  Extract<PetitionCommand, { type: T }>['data'],
  'caseId' | 'departmentId'
>;

/** HTTP options of a command: Idempotency-Key and If-Match. */
export interface Conditions {
  readonly idempotency?: IdempotencyOf;
  readonly ifMatch?: number | undefined;
}

/**
 * DTO → command, one line each; the rules are the decider's. The department that acts is
 * the caller's (the policy has checked it leads the case).
 */
@Injectable()
export class PetitionCommands {
  constructor(private readonly store: PetitionStore) {}

  private run<T extends PetitionCommand['type']>(
    caller: Principal,
    caseId: string,
    action: CaseAction,
    type: T,
    data: (known: KnownCase) => Data<T>,
    conditions: Conditions,
  ): Promise<CaseCommandResult> {
    return this.store.execute(
      caller,
      caseId,
      action,
      (known) =>
        ({
          type,
          data: { caseId, departmentId: caller.departmentId, ...data(known) },
          metadata: this.store.metadata(caller),
        }) as unknown as PetitionCommand,
      conditions.idempotency,
      conditions.ifMatch,
    );
  }

  decideAcceptance(caller: Principal, id: string, dto: AcceptanceDto, c: Conditions) {
    return this.run(
      caller,
      id,
      'petition.decide_acceptance',
      'DecideAcceptance',
      (known) => ({
        receivedAt: known.receivedAt,
        decision: dto.decision,
        reason: dto.reason,
        channel: dto.channel ?? null,
        decidedAt: dto.decidedAt ?? null,
      }),
      c,
    );
  }

  extend(caller: Principal, id: string, dto: ExtensionDto, c: Conditions) {
    return this.run(
      caller,
      id,
      'petition.extend',
      'ExtendHandling',
      () => ({
        days: dto.days,
        reason: dto.reason,
        approvedBy: dto.approvedBy,
        approvedAt: dto.approvedAt ?? null,
      }),
      c,
    );
  }

  issueOpinion(caller: Principal, id: string, dto: OpinionDto, c: Conditions) {
    return this.run(
      caller,
      id,
      'petition.issue_opinion',
      'IssueOpinion',
      () => ({
        result: dto.result,
        text: dto.text,
        issuedAt: dto.issuedAt ?? null,
      }),
      c,
    );
  }

  requestReview(caller: Principal, id: string, dto: RequestDto, c: Conditions) {
    const data = () => ({ requestedAt: dto.requestedAt, grounds: dto.grounds });
    return this.run(caller, id, 'petition.record_review_request', 'RecordReviewRequest', data, c);
  }

  decideReview(caller: Principal, id: string, dto: DecisionDto, c: Conditions) {
    const data = () => ({ result: dto.result, text: dto.text, decidedAt: dto.decidedAt ?? null });
    return this.run(caller, id, 'petition.decide_review', 'DecideReview', data, c);
  }

  requestReReview(caller: Principal, id: string, dto: RequestDto, c: Conditions) {
    const data = () => ({ requestedAt: dto.requestedAt, grounds: dto.grounds });
    return this.run(
      caller,
      id,
      'petition.record_re_review_request',
      'RecordReReviewRequest',
      data,
      c,
    );
  }

  decideReReview(caller: Principal, id: string, dto: DecisionDto, c: Conditions) {
    const data = () => ({ result: dto.result, text: dto.text, decidedAt: dto.decidedAt ?? null });
    return this.run(caller, id, 'petition.decide_re_review', 'DecideReReview', data, c);
  }

  /** A hearing belongs to the re-review: whoever decides it holds it. */
  startHearing(caller: Principal, id: string, dto: HearingDto, c: Conditions) {
    const data = () => ({ reason: dto.reason, startedAt: dto.startedAt ?? null });
    return this.run(caller, id, 'petition.decide_re_review', 'StartHearing', data, c);
  }

  endHearing(caller: Principal, id: string, dto: HearingEndDto, c: Conditions) {
    const data = () => ({ endedAt: dto.endedAt ?? null });
    return this.run(caller, id, 'petition.decide_re_review', 'EndHearing', data, c);
  }

  terminate(caller: Principal, id: string, dto: TerminationDto, c: Conditions) {
    const data = () => ({ basis: dto.basis, terminatedAt: dto.terminatedAt ?? null });
    return this.run(caller, id, 'petition.terminate', 'TerminatePetition', data, c);
  }

  /** The petition file with its statutory dates, counted on the live calendar. */
  async view(caller: Principal, caseId: string): Promise<PetitionView> {
    const known = await this.store.petitionCase(caller, 'case.read', caseId);
    const [{ state, version }, calendar] = await Promise.all([
      this.store.load(caseId),
      this.store.calendar(),
    ]);
    return petitionView({
      caseId,
      receivedAt: known.receivedAt,
      state,
      version,
      now: this.store.now(),
      calendar,
    });
  }
}
