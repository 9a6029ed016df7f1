import { Injectable } from '@nestjs/common';
import { oneTierUp, type Principal } from '@casegrid/identity';
import { IllegalStateError, ValidationError, type FieldError } from '@casegrid/kernel';
import { ESCALATION_BODY_TYPES } from '@casegrid/mediation';
import type { IdempotencyOf } from '@casegrid/platform';
import type { CaseCommandResult, ReferenceDepartment } from '@casegrid/runtime';
import type {
  AgreementDto,
  EscalationDto,
  FailureDto,
  JudicialConfirmationDto,
  JudicialDecisionDto,
  OpenMediationDto,
  SessionDto,
} from './mediation.dto';
import { MediationStore } from './mediation.store';

interface Conditions {
  readonly idempotency?: IdempotencyOf;
  readonly ifMatch?: number | undefined;
}

/**
 * The mediation commands. Each lets the store find, authorise and append; what the domain
 * cannot know (the caller's body and its mediators, the body one tier up) is looked up in
 * the service's reference replica here; the state rules are the decider's.
 */
@Injectable()
export class MediationCommands {
  constructor(private readonly store: MediationStore) {}

  open(caller: Principal, caseId: string, dto: OpenMediationDto, when: Conditions) {
    return this.run(caller, caseId, 'mediation.open', when, async ({ known }) => {
      this.store.assertOnMediationTrack(known);
      const body = await this.department(caller.departmentId);
      await this.requireMediators(dto.mediatorIds, caller.departmentId);
      return {
        type: 'OpenMediation',
        data: {
          caseId,
          departmentId: caller.departmentId,
          departmentType: body.type,
          type: dto.type,
          mediatorIds: dto.mediatorIds,
        },
        metadata: this.store.metadata(caller),
      };
    });
  }

  session(caller: Principal, caseId: string, dto: SessionDto, when: Conditions) {
    return this.run(caller, caseId, 'mediation.record_session', when, async () => ({
      type: 'RecordSession',
      data: {
        departmentId: caller.departmentId,
        heldAt: dto.heldAt,
        location: dto.location,
        attendees: dto.attendees,
        notes: dto.notes,
      },
      metadata: this.store.metadata(caller),
    }));
  }

  agreement(caller: Principal, caseId: string, dto: AgreementDto, when: Conditions) {
    return this.run(caller, caseId, 'mediation.record_agreement', when, async () => ({
      type: 'RecordAgreement',
      data: {
        departmentId: caller.departmentId,
        terms: dto.terms,
        signedAt: dto.signedAt,
        performanceDueAt: dto.performanceDueAt ?? null,
      },
      metadata: this.store.metadata(caller),
    }));
  }

  failure(caller: Principal, caseId: string, dto: FailureDto, when: Conditions) {
    return this.run(caller, caseId, 'mediation.record_failure', when, async () => ({
      type: 'RecordFailure',
      data: { departmentId: caller.departmentId, reason: dto.reason, referral: dto.referral },
      metadata: this.store.metadata(caller),
    }));
  }

  requestConfirmation(
    caller: Principal,
    caseId: string,
    dto: JudicialConfirmationDto,
    when: Conditions,
  ) {
    const action = 'mediation.request_judicial_confirmation';
    return this.run(caller, caseId, action, when, async () => ({
      type: 'RequestJudicialConfirmation',
      data: { departmentId: caller.departmentId, court: dto.court, requestedAt: dto.requestedAt },
      metadata: this.store.metadata(caller),
    }));
  }

  recordDecision(caller: Principal, caseId: string, dto: JudicialDecisionDto, when: Conditions) {
    return this.run(caller, caseId, 'mediation.record_judicial_decision', when, async () => ({
      type: 'RecordJudicialDecision',
      data: {
        departmentId: caller.departmentId,
        confirmed: dto.confirmed,
        decidedAt: dto.decidedAt,
      },
      metadata: this.store.metadata(caller),
    }));
  }

  escalate(caller: Principal, caseId: string, dto: EscalationDto, when: Conditions) {
    return this.run(caller, caseId, 'mediation.escalate', when, async ({ file }) => {
      // Only an open file is escalated; for any other the decider answers why not, so the
      // body above is looked up only when it can matter.
      const target = file.status === 'open' ? await this.oneTierUp(file.departmentId) : undefined;
      return {
        type: 'EscalateMediation',
        data: {
          departmentId: caller.departmentId,
          toDepartmentId: target?.id ?? '',
          toRegionCode: target?.regionCode ?? '',
          reason: dto.reason,
        },
        metadata: this.store.metadata(caller),
      };
    });
  }

  private run(
    caller: Principal,
    caseId: string,
    action: Parameters<MediationStore['execute']>[2],
    when: Conditions,
    build: Parameters<MediationStore['execute']>[3],
  ): Promise<CaseCommandResult> {
    return this.store.execute(caller, caseId, action, build, when.idempotency, when.ifMatch);
  }

  /** 人民调解员 of the body itself: users with role mediator of the caller's department. */
  private async requireMediators(ids: readonly string[], departmentId: string): Promise<void> {
    const errors: FieldError[] = [];
    for (const [i, id] of ids.entries()) {
      const user = await this.store.reference.get('user', id);
      if (!user || user.disabled || user.departmentId !== departmentId) {
        errors.push({
          field: `mediatorIds[${i}]`,
          message: 'must be a user of your mediation body',
        });
      } else if (!user.roles.includes('mediator')) {
        errors.push({ field: `mediatorIds[${i}]`, message: 'must have the role mediator' });
      }
    }
    if (errors.length > 0) throw new ValidationError(errors);
  }

  private async department(id: string): Promise<ReferenceDepartment> {
    const department = await this.store.reference.get('department', id);
    if (!department) {
      throw new IllegalStateError(
        `department ${id} is not known here yet`,
        'mediation.department_unknown',
      );
    }
    return department;
  }

  /**
   * The mediation committee (else the governance centre) of the region one tier above the
   * body holding the file: 小事不出村、大事不出镇、难事不出县; the ladder ends at the city.
   */
  private async oneTierUp(holderId: string): Promise<ReferenceDepartment> {
    const holder = await this.department(holderId);
    const departments = await this.store.reference.list('department');
    const up = await oneTierUp(holder, ESCALATION_BODY_TYPES, (region, type) =>
      departments.filter((d) => d.regionCode === region && d.type === type),
    );
    if ('department' in up) return up.department;
    throw up.refused === 'top_tier'
      ? new IllegalStateError(
          `${holder.name} is at the ${up.tier ?? 'top'} tier: there is no mediation body above it to escalate to`,
          'mediation.no_tier_above',
        )
      : new IllegalStateError(
          `no mediation committee or governance centre covers ${up.parent}, one tier above ${holder.name}`,
          'mediation.no_body_above',
        );
  }
}
