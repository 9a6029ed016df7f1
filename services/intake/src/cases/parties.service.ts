import { Injectable } from '@nestjs/common';
import { assertAllowed } from '@casegrid/auth';
import {
  maskPersonalData,
  PERSONAL_FIELDS,
  type PersonalData,
  type PersonalField,
  type Principal,
} from '@casegrid/identity';
import type { Party, PersonalDataRevealed } from '@casegrid/intake';
import { NotFoundError } from '@casegrid/kernel';
import type { OpenedPersonalData, SealedPersonalData } from '@casegrid/personal-data';
import type { IdempotencyOf } from '@casegrid/platform';
import type { RevealDto } from './cases.dto';
import { CaseStore } from './case.store';

export interface PartyView {
  readonly partyId: string;
  readonly role: Party['role'];
  readonly personId: string;
  /** The person was erased: their fields are gone for good. */
  readonly erased: boolean;
  readonly name: string | null;
  readonly idNumber: string | null;
  readonly phone: string | null;
  readonly address: string | null;
}

@Injectable()
export class PartiesService {
  constructor(private readonly cases: CaseStore) {}

  async masked(caller: Principal, caseId: string) {
    const { state, version } = await this.cases.authorised(caller, 'case.read', caseId);
    const opened = await this.open(state.parties);
    return {
      caseId,
      version,
      parties: state.parties.map((p, i) => view(p, opened[i]!, maskPersonalData)),
    };
  }

  /**
   * Record, then reveal: the PersonalDataRevealed event commits before any clear text is
   * returned, so a reveal that is not on record cannot happen. A concurrent change to the
   * case only means deciding again on the fresh stream.
   */
  async reveal(caller: Principal, caseId: string, dto: RevealDto) {
    const fields: readonly PersonalField[] = dto.fields ?? PERSONAL_FIELDS;
    return this.cases.retryOnConflict(true, async () => {
      const loaded = await this.cases.authorised(caller, 'personal_data.reveal', caseId);
      const partyIds = dto.partyIds ?? loaded.state.parties.map((p) => p.partyId);
      const { version } = await this.cases.transaction((client) =>
        this.cases.decideAndAppend(client, caseId, loaded, {
          type: 'RecordPersonalDataReveal',
          data: { partyIds, fields, reason: dto.reason },
          metadata: this.cases.metadata(caller),
        }),
      );
      const parties = loaded.state.parties.filter((p) => partyIds.includes(p.partyId));
      const opened = await this.open(parties);
      const only = (data: PersonalData): PersonalData =>
        Object.fromEntries(fields.flatMap((f) => (data[f] === undefined ? [] : [[f, data[f]]])));
      return {
        caseId,
        version,
        fields,
        parties: parties.map((p, i) => view(p, opened[i]!, only)),
      };
    });
  }

  async accessLog(caller: Principal, caseId: string) {
    const { events } = await this.cases.authorised(caller, 'personal_data.read_access_log', caseId);
    const reveals = events.filter(
      (e): e is PersonalDataRevealed => e.type === 'PersonalDataRevealed',
    );
    return {
      caseId,
      items: reveals.map((e) => ({
        revealedAt: e.metadata.occurredAt,
        actor: e.metadata.actor,
        department: e.metadata.department ?? null,
        partyIds: e.data.partyIds,
        fields: e.data.fields,
        reason: e.data.reason,
      })),
    };
  }

  /**
   * One transaction: the key is destroyed, the id-number index cleared, and a
   * PersonalDataErased event appended to every case the person is a party of. The events
   * already written stay as they are: their ciphertext is now unreadable everywhere.
   */
  async erase(caller: Principal, personId: string, reason: string, idempotency?: IdempotencyOf) {
    assertAllowed(caller, 'person.erase');
    return this.cases.retryOnConflict(true, () =>
      this.cases.transaction(
        async (client) => {
          const s = this.cases.schema;
          const cleared = await client.query(
            `update ${s}.persons set id_number_index = null where person_id = $1`,
            [personId],
          );
          if (cleared.rowCount === 0) throw new NotFoundError(`person ${personId} not found`);
          const erasure = await this.cases.vault.erase(
            personId,
            { actor: caller.userId, reason },
            client,
          );
          const { rows } = await client.query<{ case_id: string }>(
            `select case_id from ${s}.person_cases where person_id = $1 order by case_id`,
            [personId],
          );
          for (const { case_id: caseId } of rows) {
            const loaded = await this.cases.load(caseId, client);
            await this.cases.decideAndAppend(client, caseId, loaded, {
              type: 'RecordPersonalDataErasure',
              data: { personId, reason },
              metadata: this.cases.metadata(caller),
            });
          }
          return {
            personId,
            erasedAt: erasure.erasedAt,
            alreadyErased: erasure.alreadyErased,
            cases: rows.length,
          };
        },
        idempotency && { ...idempotency, scope: caller.userId },
      ),
    );
  }

  private open(parties: readonly Party[]): Promise<OpenedPersonalData[]> {
    return this.cases.vault.openMany(parties.map((p) => p.personalData as SealedPersonalData));
  }
}

function view(
  party: Party,
  opened: OpenedPersonalData,
  show: (data: PersonalData) => PersonalData,
): PartyView {
  const data = opened.status === 'available' ? show(opened.fields) : {};
  return {
    partyId: party.partyId,
    role: party.role,
    personId: party.personId,
    erased: opened.status === 'erased',
    name: data.name ?? null,
    idNumber: data.idNumber ?? null,
    phone: data.phone ?? null,
    address: data.address ?? null,
  };
}
