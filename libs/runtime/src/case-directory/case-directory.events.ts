import { parseCeType, type CloudEvent } from '@casegrid/contracts';
import type { CaseScope } from '@casegrid/identity';
import type { CaseKind, IntakeEvent, Track } from '@casegrid/intake';

/** Where a case stands in intake's lifecycle, as far as a consuming service needs it. */
export type KnownCaseStatus = 'registered' | 'dispatched' | 'accepted' | 'resolved' | 'referred';

/** A case as a consuming service knows it from intake's events (`known_cases`). */
export interface KnownCase {
  readonly caseId: string;
  readonly kind: CaseKind;
  readonly regionCode: string;
  /** ISO time the matter reached the centre: statutory clocks start here. */
  readonly receivedAt: string;
  readonly leadDepartmentId: string | null;
  readonly coDepartmentIds: readonly string[];
  /** Set while accepted (and after): the track the lead chose. */
  readonly track: Track | null;
  readonly handlerId: string | null;
  readonly status: KnownCaseStatus;
  /** Intake's stream version of the last event applied. */
  readonly version: number;
}

/** What `assertCaseAccess` needs: region, lead and co-handlers. */
export const knownCaseScope = (known: KnownCase): CaseScope => ({
  regionCode: known.regionCode,
  leadDepartmentId: known.leadDepartmentId ?? undefined,
  coDepartmentIds: known.coDepartmentIds,
});

type Data<T extends IntakeEvent['type']> = Extract<IntakeEvent, { type: T }>['data'];

/** A change to one row: the SQL `set` list (after `$1` = case id, `$2` = version) and its values. */
export type KnownCaseChange =
  | { readonly op: 'insert'; readonly row: Omit<KnownCase, 'version'> }
  | { readonly op: 'update'; readonly set: string; readonly values: readonly unknown[] };

/** Back to waiting for a lead to sign: a transfer or escalation must be accepted again. */
const handOver = (to: string): KnownCaseChange => ({
  op: 'update',
  set: `status = 'dispatched', lead_department_id = $3, co_department_ids = array_remove(co_department_ids, $3::uuid), track = null, handler_id = null`,
  values: [to],
});

/**
 * What an intake event changes in the directory; `undefined` for anything else on the
 * topic (other services' events, intake events that move nothing the directory holds).
 * Mirrors intake's own `evolve` (libs/intake/domain/src/case.state.ts) on these fields.
 */
export const knownCaseChange = (event: CloudEvent): KnownCaseChange | undefined => {
  const type = parseCeType(event.type);
  if (!type || type.service !== 'intake' || type.version !== 1) return undefined;
  switch (type.name) {
    case 'CaseRegistered': {
      const d = event.data as Data<'CaseRegistered'>;
      return {
        op: 'insert',
        row: {
          caseId: d.caseId,
          kind: d.kind,
          regionCode: d.regionCode,
          receivedAt: d.receivedAt,
          leadDepartmentId: null,
          coDepartmentIds: [],
          track: null,
          handlerId: null,
          status: 'registered',
        },
      };
    }
    case 'CaseDispatched': {
      const d = event.data as Data<'CaseDispatched'>;
      return {
        op: 'update',
        set: `status = 'dispatched', lead_department_id = $3, co_department_ids = $4, track = null, handler_id = null`,
        values: [d.leadDepartmentId, d.coDepartmentIds],
      };
    }
    case 'CaseAccepted': {
      const d = event.data as Data<'CaseAccepted'>;
      return {
        op: 'update',
        set: `status = 'accepted', track = $3, handler_id = $4`,
        values: [d.track, d.handlerId],
      };
    }
    case 'CaseReturned':
      return {
        op: 'update',
        set: `status = 'registered', lead_department_id = null, co_department_ids = '{}', track = null, handler_id = null`,
        values: [],
      };
    case 'CaseTransferred':
      return handOver((event.data as Data<'CaseTransferred'>).toDepartmentId);
    case 'CaseEscalated':
      return handOver((event.data as Data<'CaseEscalated'>).toDepartmentId);
    case 'CaseResolved':
      return {
        op: 'update',
        set: `status = $3`,
        values: [(event.data as Data<'CaseResolved'>).outcome],
      };
    default:
      return undefined;
  }
};
