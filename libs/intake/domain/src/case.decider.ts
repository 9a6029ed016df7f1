import {
  IllegalStateError,
  ValidationError,
  type Decider,
  type EventMetadata,
  type CommandMetadata,
} from '@casegrid/kernel';
import type {
  DispatchCase,
  IntakeCommand,
  RecordPersonalDataErasure,
  RecordPersonalDataReveal,
  RegisterCase,
} from './case.commands';
import type {
  CaseDispatched,
  CaseRegistered,
  IntakeEvent,
  Party,
  PersonalDataErased,
  PersonalDataRevealed,
} from './case.events';

/**
 * Intake's view of a case. Issue 4 grows the lifecycle (dispatched, accepted, …); the
 * parts the access policy needs — region, lead and co-handling departments — are here.
 */
export type IntakeCase =
  | { readonly status: 'unregistered' }
  | {
      /** `registered` waits for a dispatcher; `dispatched` waits for the lead to accept. */
      readonly status: 'registered' | 'dispatched';
      readonly caseId: string;
      readonly number: string;
      readonly regionCode: string;
      readonly leadDepartmentId: string | undefined;
      readonly coDepartmentIds: readonly string[];
      readonly parties: readonly Party[];
      readonly erasedPersonIds: readonly string[];
    };

const initialState = (): IntakeCase => ({ status: 'unregistered' });

const metadataOf = (m: CommandMetadata): EventMetadata => {
  const { now, ...context } = m;
  return { ...context, occurredAt: now.toISOString() };
};

function register(command: RegisterCase, state: IntakeCase): CaseRegistered[] {
  if (state.status !== 'unregistered') {
    throw new IllegalStateError(`case ${state.caseId} is already registered as ${state.number}`);
  }
  if (!command.data.parties.some((p) => p.role === 'applicant')) {
    throw new ValidationError([
      { field: 'parties', message: 'at least one applicant is required' },
    ]);
  }
  return [{ type: 'CaseRegistered', data: command.data, metadata: metadataOf(command.metadata) }];
}

type Known = Exclude<IntakeCase, { status: 'unregistered' }>;

function registered(state: IntakeCase): Known {
  if (state.status === 'unregistered') throw new IllegalStateError('the case is not registered');
  return state;
}

function dispatch(command: DispatchCase, state: IntakeCase): CaseDispatched[] {
  const current = registered(state);
  if (current.status !== 'registered') {
    throw new IllegalStateError(
      `case ${current.number} is already dispatched to ${current.leadDepartmentId ?? '?'}; transfer it instead`,
    );
  }
  const { leadDepartmentId, coDepartmentIds, note } = command.data;
  if (coDepartmentIds.includes(leadDepartmentId)) {
    throw new ValidationError([
      { field: 'coDepartmentIds', message: 'must not include the lead department' },
    ]);
  }
  return [
    {
      type: 'CaseDispatched',
      data: { caseId: current.caseId, leadDepartmentId, coDepartmentIds, note, by: 'manual' },
      metadata: metadataOf(command.metadata),
    },
  ];
}

function recordReveal(
  command: RecordPersonalDataReveal,
  state: IntakeCase,
): PersonalDataRevealed[] {
  const current = registered(state);
  const known = new Set(current.parties.map((p) => p.partyId));
  const unknown = command.data.partyIds.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new ValidationError([
      { field: 'partyIds', message: `not parties of this case: ${unknown.join(', ')}` },
    ]);
  }
  return [
    {
      type: 'PersonalDataRevealed',
      data: { caseId: current.caseId, ...command.data },
      metadata: metadataOf(command.metadata),
    },
  ];
}

/** Idempotent: a person already erased in this case is not recorded twice. */
function recordErasure(
  command: RecordPersonalDataErasure,
  state: IntakeCase,
): PersonalDataErased[] {
  const current = registered(state);
  const { personId, reason } = command.data;
  const partyIds = current.parties.filter((p) => p.personId === personId).map((p) => p.partyId);
  if (partyIds.length === 0)
    throw new ValidationError([{ field: 'personId', message: 'not a party of this case' }]);
  if (current.erasedPersonIds.includes(personId)) return [];
  return [
    {
      type: 'PersonalDataErased',
      data: { caseId: current.caseId, personId, partyIds, reason },
      metadata: metadataOf(command.metadata),
    },
  ];
}

function decide(command: IntakeCommand, state: IntakeCase): IntakeEvent[] {
  switch (command.type) {
    case 'RegisterCase':
      return register(command, state);
    case 'DispatchCase':
      return dispatch(command, state);
    case 'RecordPersonalDataReveal':
      return recordReveal(command, state);
    case 'RecordPersonalDataErasure':
      return recordErasure(command, state);
    default: {
      const _never: never = command;
      return _never;
    }
  }
}

/** Never throws: unknown or out-of-order events leave the state as it was. */
function evolve(state: IntakeCase, event: IntakeEvent): IntakeCase {
  switch (event.type) {
    case 'CaseRegistered':
      return {
        status: 'registered',
        caseId: event.data.caseId,
        number: event.data.number,
        regionCode: event.data.regionCode,
        leadDepartmentId: undefined,
        coDepartmentIds: [],
        parties: event.data.parties,
        erasedPersonIds: [],
      };
    case 'CaseDispatched':
      return state.status === 'unregistered'
        ? state
        : {
            ...state,
            status: 'dispatched',
            leadDepartmentId: event.data.leadDepartmentId,
            coDepartmentIds: event.data.coDepartmentIds,
          };
    case 'PersonalDataErased':
      return state.status !== 'unregistered'
        ? { ...state, erasedPersonIds: [...state.erasedPersonIds, event.data.personId] }
        : state;
    default:
      return state;
  }
}

export const intakeCaseDecider: Decider<IntakeCase, IntakeCommand, IntakeEvent> = {
  initialState,
  decide,
  evolve,
};
