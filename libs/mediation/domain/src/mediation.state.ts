import type { MediationEvent, MediationReferral, MediationType } from './mediation.events';

export interface Session {
  readonly sessionNumber: number;
  readonly departmentId: string;
  readonly heldAt: string;
  readonly location: string;
  readonly attendees: readonly string[];
  readonly notes: string;
}

export interface Agreement {
  readonly terms: string;
  readonly signedAt: string;
  readonly performanceDueAt: string | null;
  readonly judicialConfirmationDueAt: string | null;
}

/** What every file has once opened: the case, the body now holding it, the sessions. */
interface Filed {
  readonly caseId: string;
  /** The mediation body holding the file now. */
  readonly departmentId: string;
  /** Bodies that held it before an escalation, lowest tier first. */
  readonly formerDepartmentIds: readonly string[];
  readonly sessions: readonly Session[];
}
interface Mediating extends Filed {
  readonly type: MediationType;
  readonly mediatorIds: readonly string[];
  readonly openedAt: string;
}
interface Agreed extends Mediating {
  readonly agreement: Agreement;
}
interface Requested extends Agreed {
  readonly confirmation: { readonly court: string; readonly requestedAt: string };
}

/**
 * The mediation file. `open` is being mediated; `escalated` waits for the body one tier up
 * to open it; `agreed`, `failed` are the outcomes; an agreement may go on to judicial
 * confirmation (`confirmation_requested`, then `confirmed` or `not_confirmed`).
 */
export type MediationFile =
  | { readonly status: 'none' }
  | (Filed & { readonly status: 'escalated'; readonly escalationReason: string })
  | (Mediating & { readonly status: 'open' })
  | (Agreed & { readonly status: 'agreed' })
  | (Mediating & {
      readonly status: 'failed';
      readonly failure: { readonly reason: string; readonly referral: MediationReferral };
    })
  | (Requested & { readonly status: 'confirmation_requested' })
  | (Requested & {
      readonly status: 'confirmed' | 'not_confirmed';
      readonly decidedAt: string;
    });

export type MediationStatus = MediationFile['status'];

export const initialState = (): MediationFile => ({ status: 'none' });

const filed = (state: MediationFile): Filed | undefined =>
  state.status === 'none' ? undefined : state;

/** Never throws: an event that does not fit the state leaves it as it was (replay must not fail). */
export function evolve(state: MediationFile, event: MediationEvent): MediationFile {
  switch (event.type) {
    case 'MediationOpened': {
      const { caseId, departmentId, type, mediatorIds, openedAt } = event.data;
      const before = filed(state);
      return {
        status: 'open',
        caseId,
        departmentId,
        type,
        mediatorIds,
        openedAt,
        formerDepartmentIds: before?.formerDepartmentIds ?? [],
        sessions: before?.sessions ?? [],
      };
    }
    case 'MediationSessionHeld': {
      if (state.status !== 'open') return state;
      const { caseId: _c, ...session } = event.data;
      return { ...state, sessions: [...state.sessions, session] };
    }
    case 'MediationAgreementReached': {
      if (state.status !== 'open') return state;
      const { terms, signedAt, performanceDueAt, judicialConfirmationDueAt } = event.data;
      const agreement = { terms, signedAt, performanceDueAt, judicialConfirmationDueAt };
      return { ...state, status: 'agreed', agreement };
    }
    case 'MediationFailed': {
      if (state.status !== 'open') return state;
      const { reason, referral } = event.data;
      return { ...state, status: 'failed', failure: { reason, referral } };
    }
    case 'JudicialConfirmationRequested': {
      if (state.status !== 'agreed') return state;
      const { court, requestedAt } = event.data;
      return { ...state, status: 'confirmation_requested', confirmation: { court, requestedAt } };
    }
    case 'JudicialConfirmationDecided': {
      if (state.status !== 'confirmation_requested') return state;
      const status = event.data.confirmed ? 'confirmed' : 'not_confirmed';
      return { ...state, status, decidedAt: event.data.decidedAt };
    }
    case 'MediationEscalated': {
      const before = filed(state);
      if (!before) return state;
      return {
        status: 'escalated',
        caseId: before.caseId,
        departmentId: event.data.departmentId,
        formerDepartmentIds: [...before.formerDepartmentIds, event.data.fromDepartmentId],
        sessions: before.sessions,
        escalationReason: event.data.reason,
      };
    }
    default:
      return state;
  }
}
