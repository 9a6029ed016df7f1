import { Injectable } from '@nestjs/common';
import { oneTierUp, type Principal, type Role } from '@casegrid/identity';
import type { RegisteredCase } from '@casegrid/intake';
import type { IdempotencyOf } from '@casegrid/platform';
import { IllegalStateError, ValidationError, type FieldError } from '@casegrid/kernel';
import { OrganisationRepository } from '../identity/organisation.repository';
import type { AcceptDto, DispatchDto, ReasonDto, ResolveDto, TransferDto } from './cases.dto';
import { CaseStore } from './case.store';

const HANDLING_ROLES: readonly Role[] = ['handler', 'mediator', 'petition_officer'];

/**
 * The lifecycle commands after registration. Each loads the case, lets the policy decide
 * who may, looks up what the domain cannot know (departments, handlers, the department
 * one tier up) and leaves the state rules to the decider; one append per command.
 */
@Injectable()
export class CaseCommands {
  constructor(
    private readonly cases: CaseStore,
    private readonly organisation: OrganisationRepository,
  ) {}

  dispatch(
    caller: Principal,
    caseId: string,
    dto: DispatchDto,
    idempotency?: IdempotencyOf,
    ifMatch?: number,
  ) {
    return this.cases.execute(
      caller,
      caseId,
      'case.dispatch',
      async () => {
        await this.requireDepartments([
          ['leadDepartmentId', dto.leadDepartmentId],
          ...(dto.coDepartmentIds ?? []).map((id, i) => [`coDepartmentIds[${i}]`, id] as const),
        ]);
        return {
          type: 'DispatchCase',
          data: {
            leadDepartmentId: dto.leadDepartmentId,
            coDepartmentIds: dto.coDepartmentIds ?? [],
            note: dto.note ?? null,
          },
          metadata: this.cases.metadata(caller),
        };
      },
      idempotency,
      ifMatch,
    );
  }

  accept(
    caller: Principal,
    caseId: string,
    dto: AcceptDto,
    idempotency?: IdempotencyOf,
    ifMatch?: number,
  ) {
    return this.cases.execute(
      caller,
      caseId,
      'case.accept',
      async () => {
        const handlerId = dto.handlerId ?? caller.userId;
        if (!(await this.organisation.isMember(handlerId, caller.departmentId, HANDLING_ROLES))) {
          throw new ValidationError([
            {
              field: 'handlerId',
              message: 'must be a handler, mediator or petition officer of your department',
            },
          ]);
        }
        return {
          type: 'AcceptCase',
          data: { departmentId: caller.departmentId, track: dto.track, handlerId },
          metadata: this.cases.metadata(caller),
        };
      },
      idempotency,
      ifMatch,
    );
  }

  giveBack(
    caller: Principal,
    caseId: string,
    dto: ReasonDto,
    idempotency?: IdempotencyOf,
    ifMatch?: number,
  ) {
    return this.cases.execute(
      caller,
      caseId,
      'case.return',
      async () => ({
        type: 'ReturnCase',
        data: { departmentId: caller.departmentId, reason: dto.reason },
        metadata: this.cases.metadata(caller),
      }),
      idempotency,
      ifMatch,
    );
  }

  transfer(
    caller: Principal,
    caseId: string,
    dto: TransferDto,
    idempotency?: IdempotencyOf,
    ifMatch?: number,
  ) {
    return this.cases.execute(
      caller,
      caseId,
      'case.transfer',
      async () => {
        await this.requireDepartments([['toDepartmentId', dto.toDepartmentId]]);
        return {
          type: 'TransferCase',
          data: { toDepartmentId: dto.toDepartmentId, reason: dto.reason },
          metadata: this.cases.metadata(caller),
        };
      },
      idempotency,
      ifMatch,
    );
  }

  escalate(
    caller: Principal,
    caseId: string,
    dto: ReasonDto,
    idempotency?: IdempotencyOf,
    ifMatch?: number,
  ) {
    return this.cases.execute(
      caller,
      caseId,
      'case.escalate',
      async (current) => {
        const target = await this.oneTierUp(current);
        return {
          type: 'EscalateCase',
          data: { toDepartmentId: target.id, toRegionCode: target.regionCode, reason: dto.reason },
          metadata: this.cases.metadata(caller),
        };
      },
      idempotency,
      ifMatch,
    );
  }

  resolve(
    caller: Principal,
    caseId: string,
    dto: ResolveDto,
    idempotency?: IdempotencyOf,
    ifMatch?: number,
  ) {
    return this.cases.execute(
      caller,
      caseId,
      'case.resolve',
      async () => ({
        type: 'ResolveCase',
        data: {
          departmentId: caller.departmentId,
          outcome: dto.outcome,
          summary: dto.summary,
          referral: dto.referral ?? null,
        },
        metadata: this.cases.metadata(caller),
      }),
      idempotency,
      ifMatch,
    );
  }

  /**
   * 上报: the department of the same type covering the lead's region one tier up, else
   * that tier's 综治中心; at the city the ladder ends (DESIGN.md: village → township →
   * county → city).
   */
  private async oneTierUp(current: RegisteredCase) {
    const lead = current.leadDepartmentId
      ? await this.organisation.department(current.leadDepartmentId)
      : undefined;
    if (!lead) {
      throw new IllegalStateError(
        'the case has no lead department to escalate from',
        'case.no_lead_department',
      );
    }
    const up = await oneTierUp(lead, [lead.type, 'governance_center'], (region, type) =>
      this.organisation.departmentsAt(region, type),
    );
    if ('department' in up) return up.department;
    throw up.refused === 'top_tier'
      ? new IllegalStateError(
          `the lead ${lead.name} is at the ${up.tier ?? 'top'} tier: there is no tier above to escalate to`,
          'case.no_tier_above',
        )
      : new IllegalStateError(
          `no ${lead.type} or governance centre covers ${up.parent}, one tier above ${lead.name}`,
          'case.no_department_above',
        );
  }

  private async requireDepartments(ids: readonly (readonly [string, string])[]): Promise<void> {
    const errors: FieldError[] = [];
    for (const [field, id] of ids) {
      if (!(await this.organisation.department(id)))
        errors.push({ field, message: 'no such department' });
    }
    if (errors.length > 0) throw new ValidationError(errors);
  }
}
