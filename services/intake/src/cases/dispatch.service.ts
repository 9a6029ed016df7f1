import { Injectable } from '@nestjs/common';
import type { Principal } from '@casegrid/identity';
import { ConcurrencyError, ValidationError, type FieldError } from '@casegrid/kernel';
import { OrganisationRepository } from '../identity/organisation.repository';
import type { DispatchDto } from './cases.dto';
import { CaseStore } from './case.store';

const MAX_ATTEMPTS = 5;

/** Manual dispatch (分流): the routing engine of issue 4 will call the same decider. */
@Injectable()
export class DispatchService {
  constructor(
    private readonly cases: CaseStore,
    private readonly organisation: OrganisationRepository,
  ) {}

  async dispatch(caller: Principal, caseId: string, dto: DispatchDto) {
    for (let attempt = 1; ; attempt += 1) {
      const loaded = await this.cases.authorised(caller, 'case.dispatch', caseId);
      await this.checkDepartments(dto);
      try {
        // One append: the event and its outbox row; nothing else is written.
        const version = await this.cases.transaction((client) =>
          this.cases.decideAndAppend(client, caseId, loaded, {
            type: 'DispatchCase',
            data: {
              leadDepartmentId: dto.leadDepartmentId,
              coDepartmentIds: dto.coDepartmentIds ?? [],
              note: dto.note ?? null,
            },
            metadata: this.cases.metadata(caller),
          }),
        );
        return { id: caseId, version, status: 'dispatched' };
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  private async checkDepartments(dto: DispatchDto): Promise<void> {
    const errors: FieldError[] = [];
    if (!(await this.organisation.department(dto.leadDepartmentId))) {
      errors.push({ field: 'leadDepartmentId', message: 'no such department' });
    }
    for (const [i, id] of (dto.coDepartmentIds ?? []).entries()) {
      if (!(await this.organisation.department(id))) {
        errors.push({ field: `coDepartmentIds[${i}]`, message: 'no such department' });
      }
    }
    if (errors.length > 0) throw new ValidationError(errors);
  }
}
