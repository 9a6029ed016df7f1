import type { IntakeEvent, Party, Referral, Track } from './case.events';

/** One department's spell as holder: the chain a transfer or escalation keeps. */
export interface Holding {
  readonly departmentId: string;
  readonly since: string;
  readonly how: 'dispatched' | 'transferred' | 'escalated';
}

interface Known {
  readonly caseId: string;
  readonly number: string;
  readonly regionCode: string;
  readonly coDepartmentIds: readonly string[];
  readonly holders: readonly Holding[];
  /** 1 at registration; each linked repeat adds one (supervisors watch the repeat rate). */
  readonly submissionCount: number;
  readonly parties: readonly Party[];
  readonly erasedPersonIds: readonly string[];
}
interface Held extends Known {
  readonly leadDepartmentId: string;
}
interface Handled extends Held {
  readonly track: Track;
  readonly handlerId: string;
}

/**
 * Intake's view of a case (DESIGN.md, Case lifecycle). `registered` waits for a
 * dispatcher (also after a return); `dispatched` waits for the lead to sign for it;
 * `accepted` is being handled on its track; `resolved`/`referred` end the direct track.
 * Mediation and petition tracks end in their own services.
 */
export type IntakeCase =
  | { readonly status: 'unregistered' }
  | (Known & { readonly status: 'registered'; readonly leadDepartmentId: undefined })
  | (Held & { readonly status: 'dispatched' })
  | (Handled & { readonly status: 'accepted' })
  | (Handled & { readonly status: 'resolved' | 'referred'; readonly referral: Referral | null });

export type RegisteredCase = Exclude<IntakeCase, { status: 'unregistered' }>;

export const initialState = (): IntakeCase => ({ status: 'unregistered' });

const known = (state: IntakeCase): Known | undefined =>
  state.status === 'unregistered' ? undefined : state;

/** Never throws: an event that does not fit the state leaves it as it was (replay must not fail). */
export function evolve(state: IntakeCase, event: IntakeEvent): IntakeCase {
  const at = event.metadata.occurredAt;
  if (event.type === 'CaseRegistered') {
    if (state.status !== 'unregistered') return state;
    const { caseId, number, regionCode, parties } = event.data;
    return {
      status: 'registered',
      caseId,
      number,
      regionCode,
      parties,
      leadDepartmentId: undefined,
      coDepartmentIds: [],
      holders: [],
      submissionCount: 1,
      erasedPersonIds: [],
    };
  }
  const base = known(state);
  if (!base) return state;
  switch (event.type) {
    case 'RepeatSubmissionRecorded':
      return { ...state, submissionCount: event.data.submissionCount } as IntakeCase;
    case 'CaseDispatched': {
      const { leadDepartmentId, coDepartmentIds } = event.data;
      const holders = [
        ...base.holders,
        { departmentId: leadDepartmentId, since: at, how: 'dispatched' as const },
      ];
      return { ...base, status: 'dispatched', leadDepartmentId, coDepartmentIds, holders };
    }
    case 'CaseAccepted':
      return state.status === 'dispatched'
        ? { ...state, status: 'accepted', track: event.data.track, handlerId: event.data.handlerId }
        : state;
    case 'CaseReturned':
      return { ...base, status: 'registered', leadDepartmentId: undefined, coDepartmentIds: [] };
    case 'CaseTransferred':
    case 'CaseEscalated': {
      const to = event.data.toDepartmentId;
      const how =
        event.type === 'CaseTransferred' ? ('transferred' as const) : ('escalated' as const);
      return {
        ...base,
        status: 'dispatched',
        leadDepartmentId: to,
        coDepartmentIds: base.coDepartmentIds.filter((id) => id !== to),
        holders: [...base.holders, { departmentId: to, since: at, how }],
      };
    }
    case 'CaseResolved':
      return state.status === 'accepted'
        ? { ...state, status: event.data.outcome, referral: event.data.referral }
        : state;
    case 'CaseHandlingResumed': {
      if (state.status !== 'resolved' && state.status !== 'referred') return state;
      const { referral: _referral, ...handled } = state;
      return { ...handled, status: 'accepted' };
    }
    case 'PersonalDataErased':
      return {
        ...state,
        erasedPersonIds: [...base.erasedPersonIds, event.data.personId],
      } as IntakeCase;
    default:
      return state;
  }
}
