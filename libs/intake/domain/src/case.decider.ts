import {
  IllegalStateError,
  ValidationError,
  type Decider,
  type FieldError,
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
  PersonalDataErased,
  PersonalDataRevealed,
} from './case.events';

import {
  accept,
  recordRepeat,
  escalate,
  giveBack,
  known as registered,
  metadataOf,
  resolve,
  resumeHandling,
  transfer,
} from './case.lifecycle';
import { evolve, initialState, type IntakeCase } from './case.state';

/** The parties' rule (API.md, POST /cases): at least one applicant. The edge lists it with
 * the request's other field errors; the decider holds to it. */
export const partiesProblems = (parties: readonly { readonly role: string }[]): FieldError[] =>
  parties.some((p) => p.role === 'applicant')
    ? []
    : [{ field: 'parties', message: 'at least one applicant is required' }];

function register(command: RegisterCase, state: IntakeCase): IntakeEvent[] {
  if (state.status !== 'unregistered') {
    throw new IllegalStateError(
      `case ${state.caseId} is already registered as ${state.number}`,
      'case.already_registered',
    );
  }
  const { routing, ...data } = command.data;
  const problems = partiesProblems(data.parties);
  if (problems.length > 0) throw new ValidationError(problems);
  const metadata = metadataOf(command.metadata);
  const registered: CaseRegistered = { type: 'CaseRegistered', data, metadata };
  if (routing === null) return [registered];
  // The engine's decision, with its explanation, is part of the history (issue 4).
  if (routing.outcome === 'routed') {
    const { leadDepartmentId, coDepartmentIds, ruleId, explanation } = routing;
    return [
      registered,
      {
        type: 'CaseDispatched',
        data: {
          caseId: data.caseId,
          leadDepartmentId,
          coDepartmentIds,
          note: null,
          by: 'rule',
          ruleId,
          explanation,
        },
        metadata,
      },
    ];
  }
  const { reason, explanation, dispatcherRegionCode } = routing;
  return [
    registered,
    {
      type: 'CaseAwaitingDispatch',
      data: { caseId: data.caseId, reason, explanation, dispatcherRegionCode },
      metadata,
    },
  ];
}

function dispatch(command: DispatchCase, state: IntakeCase): CaseDispatched[] {
  const current = registered(state);
  if (current.status !== 'registered') {
    throw new IllegalStateError(
      `case ${current.number} is already dispatched to ${current.leadDepartmentId ?? '?'}; transfer it instead`,
      'case.already_dispatched',
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
      data: {
        caseId: current.caseId,
        leadDepartmentId,
        coDepartmentIds,
        note,
        by: 'manual',
        ruleId: null,
        explanation: null,
      },
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
    case 'RecordRepeatSubmission':
      return recordRepeat(command, state);
    case 'DispatchCase':
      return dispatch(command, state);
    case 'AcceptCase':
      return accept(command, state);
    case 'ReturnCase':
      return giveBack(command, state);
    case 'TransferCase':
      return transfer(command, state);
    case 'EscalateCase':
      return escalate(command, state);
    case 'ResolveCase':
      return resolve(command, state);
    case 'RecordPersonalDataReveal':
      return recordReveal(command, state);
    case 'RecordPersonalDataErasure':
      return recordErasure(command, state);
    case 'ResumeHandling':
      return resumeHandling(command, state);
    default: {
      const _never: never = command;
      return _never;
    }
  }
}

export const intakeCaseDecider: Decider<IntakeCase, IntakeCommand, IntakeEvent> = {
  initialState,
  decide,
  evolve,
};
