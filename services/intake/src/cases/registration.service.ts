import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { Principal } from '@casegrid/identity';
import type { IdempotencyOf } from '@casegrid/platform';
import { normaliseIdNumber, PERSONAL_FIELDS, type DepartmentType } from '@casegrid/identity';
import {
  isCategory,
  partiesProblems,
  route,
  type Party,
  type RoutingDecision,
} from '@casegrid/intake';
import { uuidv7, ValidationError, type FieldError } from '@casegrid/kernel';
import { OrganisationRepository } from '../identity/organisation.repository';
import type { PartyDto, RegisterCaseDto } from './cases.dto';
import { RoutingRulesRepository } from '../routing/routing-rules.repository';
import { CaseStore } from './case.store';
import { findRepeatOf, lockRepeatKeys } from './open-cases.projection';

const SKEW_MS = 60_000;

/** API.md: 201 `{id, number, status, version}`; a linked repeat: 200 with `repeat: true`. */
export interface Registration {
  readonly id: string;
  readonly number: string;
  readonly status: string;
  readonly version: number;
  readonly repeat: boolean;
  readonly submissionCount: number;
}

@Injectable()
export class RegistrationService {
  constructor(
    private readonly cases: CaseStore,
    private readonly organisation: OrganisationRepository,
    private readonly rules: RoutingRulesRepository,
  ) {}

  /**
   * One transaction: the persons and their keys, the person→case index, the open-cases
   * row, the case number, the CaseRegistered event and its outbox row commit together or
   * not at all. A crash before the commit leaves no number used, no key, no event; after
   * it, the relay publishes from the outbox. The number is taken by the last statement,
   * sent with the commit (`CaseStore.registerNumbered`): registrations of one county wait
   * for each other's number for that round trip only.
   */
  async register(caller: Principal, dto: RegisterCaseDto, idempotency?: IdempotencyOf) {
    this.cases.assertMayRegister(caller, dto.regionCode);
    const now = this.cases.now();
    await this.check(dto, now);
    const caseId = uuidv7();
    const receivedAt = dto.receivedAt ? new Date(dto.receivedAt) : now;
    return this.cases.transaction(
      async (client): Promise<Registration> => {
        const repeat = await this.repeatOf(client, dto, now);
        if (repeat) return this.recordRepeat(client, caller, dto, repeat, receivedAt);
        const parties: Party[] = [];
        for (const party of dto.parties) parties.push(await this.sealParty(client, caseId, party));
        const routing = await this.route(client, dto);
        // The number comes last, taken by the statement that appends (case.store.ts).
        const { version, state, number } = await this.cases.registerNumbered(client, {
          type: 'RegisterCase',
          data: {
            caseId,
            number: '',
            kind: dto.kind,
            channel: dto.channel,
            title: dto.title,
            description: dto.description,
            category: dto.category,
            regionCode: dto.regionCode,
            urgency: dto.urgency ?? 'normal',
            severity: dto.severity ?? 'minor',
            receivedAt: receivedAt.toISOString(),
            occurredAt: dto.occurredAt ? new Date(dto.occurredAt).toISOString() : null,
            parties,
            attachments: dto.attachments ?? [],
            routing,
          },
          metadata: this.cases.metadata(caller),
        });
        return {
          id: caseId,
          number,
          status: state.status,
          version,
          repeat: false,
          submissionCount: 1,
        };
      },
      idempotency && { ...idempotency, scope: caller.userId },
    );
  }

  /**
   * 属地管理: the rules and the departments covering the case's region, read in the
   * registration's transaction, handed to the pure engine; its decision (and why) is
   * recorded with the registration.
   */
  private async route(client: PoolClient, dto: RegisterCaseDto): Promise<RoutingDecision> {
    const [rules, departments] = await Promise.all([
      this.rules.all(client),
      this.organisation.departmentsCovering(dto.regionCode, client),
    ]);
    return route(
      {
        category: dto.category,
        regionCode: dto.regionCode,
        kind: dto.kind,
        severity: dto.severity ?? 'minor',
      },
      rules,
      departments.map((d) => ({
        id: d.id,
        name: d.name,
        regionCode: d.regionCode,
        type: d.type as DepartmentType,
      })),
    );
  }

  /**
   * 重复件: an applicant whose id number matches, about the same category in the same
   * village, with a case still open and active within the window. Locks first, so two
   * copies of one submission arriving together link to one case instead of forking two.
   */
  private async repeatOf(
    client: PoolClient,
    dto: RegisterCaseDto,
    now: Date,
  ): Promise<{ caseId: string; personIds: string[] } | undefined> {
    const indexes = dto.parties
      .filter((p) => p.role === 'applicant' && p.idNumber !== undefined)
      .map((p) => this.cases.vault.blindIndex('id_number', p.idNumber ?? ''));
    if (indexes.length === 0) return undefined;
    await lockRepeatKeys(client, indexes, dto.category, dto.regionCode);
    const personIds: string[] = [];
    for (const index of indexes) {
      const personId = await this.findPerson(client, index);
      if (personId) personIds.push(personId);
    }
    const match = await findRepeatOf(client, this.cases.runtime.service, {
      personIds,
      category: dto.category,
      regionCode: dto.regionCode,
      now,
    });
    return match && { caseId: match.caseId, personIds };
  }

  private async recordRepeat(
    client: PoolClient,
    caller: Principal,
    dto: RegisterCaseDto,
    repeat: { caseId: string; personIds: string[] },
    receivedAt: Date,
  ): Promise<Registration> {
    const loaded = await this.cases.load(repeat.caseId, client);
    const { version, state } = await this.cases.decideAndAppend(client, repeat.caseId, loaded, {
      type: 'RecordRepeatSubmission',
      data: {
        channel: dto.channel,
        title: dto.title,
        description: dto.description,
        receivedAt: receivedAt.toISOString(),
        applicantPersonIds: repeat.personIds,
      },
      metadata: this.cases.metadata(caller),
    });
    if (state.status === 'unregistered') throw new Error('a repeat of an unregistered case');
    return {
      id: repeat.caseId,
      number: state.number,
      status: state.status,
      version,
      repeat: true,
      submissionCount: state.submissionCount,
    };
  }

  /** What the DTO cannot know: the clock and the region tree. Every problem at once. */
  private async check(dto: RegisterCaseDto, now: Date): Promise<void> {
    const errors: FieldError[] = [];
    const latest = now.getTime() + SKEW_MS;
    if (dto.receivedAt && new Date(dto.receivedAt).getTime() > latest) {
      errors.push({ field: 'receivedAt', message: 'must not be in the future' });
    }
    if (
      dto.occurredAt &&
      new Date(dto.occurredAt).getTime() >
        (dto.receivedAt ? new Date(dto.receivedAt).getTime() : latest)
    ) {
      errors.push({ field: 'occurredAt', message: 'must not be after receivedAt' });
    }
    errors.push(...partiesProblems(dto.parties));
    if (!isCategory(dto.category)) {
      errors.push({ field: 'category', message: 'no such category (GET /api/v1/categories)' });
    }
    if (!(await this.organisation.region(dto.regionCode))) {
      errors.push({ field: 'regionCode', message: 'no such region' });
    }
    if (errors.length > 0) throw new ValidationError(errors);
  }

  // Two statements, not one: a row committed by a concurrent registration after this
  // statement's snapshot is invisible to it, but visible to the next one.
  private async insertPerson(
    client: PoolClient,
    index: string | null,
  ): Promise<string | undefined> {
    const { rows } = await client.query<{ person_id: string }>(
      `insert into ${this.cases.schema}.persons (person_id, id_number_index) values ($1, $2)
       on conflict (id_number_index) do nothing returning person_id`,
      [uuidv7(), index],
    );
    return rows[0]?.person_id;
  }

  private async findPerson(client: PoolClient, index: string | null): Promise<string | undefined> {
    const { rows } = await client.query<{ person_id: string }>(
      `select person_id from ${this.cases.schema}.persons where id_number_index = $1`,
      [index],
    );
    return rows[0]?.person_id;
  }

  /**
   * The same id number means the same person (and key), found through its keyed blind
   * index; without one every party is a new person. Only the seal leaves this function.
   */
  private async sealParty(client: PoolClient, caseId: string, party: PartyDto): Promise<Party> {
    const index = party.idNumber ? this.cases.vault.blindIndex('id_number', party.idNumber) : null;
    const created = await this.insertPerson(client, index);
    const personId = created ?? (await this.findPerson(client, index));
    if (!personId) throw new Error('no person row after the upsert');
    await client.query(
      `insert into ${this.cases.schema}.person_cases (person_id, case_id) values ($1, $2) on conflict do nothing`,
      [personId, caseId],
    );
    const fields: Record<string, string> = {};
    for (const field of PERSONAL_FIELDS) {
      const value = party[field];
      if (value !== undefined)
        fields[field] = field === 'idNumber' ? normaliseIdNumber(value) : value.trim();
    }
    return {
      partyId: uuidv7(),
      role: party.role,
      personId,
      personalData: created
        ? await this.cases.vault.sealForNewPerson(personId, fields, client)
        : await this.cases.vault.seal(personId, fields, client),
    };
  }
}
