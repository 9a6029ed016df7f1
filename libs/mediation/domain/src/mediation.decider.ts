import type { WorkingCalendar } from '@casegrid/calendar';
import { IllegalStateError, ValidationError, type Decider } from '@casegrid/kernel';
import { conducts, MEDIATION_BODIES } from './mediation.bodies';
import type {
  EscalateMediation,
  MediationCommand,
  OpenMediation,
  RecordSession,
} from './mediation.commands';
import type {
  MediationEscalated,
  MediationEvent,
  MediationOpened,
  MediationSessionHeld,
} from './mediation.events';
import { asHolder, checkTimes, describe, mediating, metadataOf } from './mediation.guards';
import { decideJudicially, fail, requestConfirmation, settle } from './mediation.outcomes';
import { evolve, initialState, type MediationFile } from './mediation.state';

function open(command: OpenMediation, state: MediationFile): MediationOpened[] {
  const { caseId, departmentId, departmentType, type, mediatorIds } = command.data;
  if (state.status === 'escalated') asHolder(state, departmentId, 'open the escalated mediation');
  else if (state.status !== 'none') {
    throw new IllegalStateError(
      `${describe(state)}: it is not opened twice`,
      'mediation.already_open',
    );
  }
  if (!conducts(departmentType, type)) {
    throw new ValidationError([
      {
        field: 'type',
        message: `a ${departmentType} does not conduct ${type} mediation (三调联动: ${MEDIATION_BODIES[type].join(', ')})`,
      },
    ]);
  }
  if (mediatorIds.length === 0) {
    throw new ValidationError([{ field: 'mediatorIds', message: 'name at least one mediator' }]);
  }
  return [
    {
      type: 'MediationOpened',
      data: {
        caseId,
        departmentId,
        type,
        mediatorIds,
        openedAt: command.metadata.now.toISOString(),
      },
      metadata: metadataOf(command.metadata),
    },
  ];
}

function holdSession(command: RecordSession, state: MediationFile): MediationSessionHeld[] {
  const current = mediating(state, command.data.departmentId, 'hold a session');
  checkTimes(command.metadata.now, [{ field: 'heldAt', at: command.data.heldAt }]);
  return [
    {
      type: 'MediationSessionHeld',
      data: {
        caseId: current.caseId,
        ...command.data,
        sessionNumber: current.sessions.length + 1,
      },
      metadata: metadataOf(command.metadata),
    },
  ];
}

/** 小事不出村、大事不出镇、难事不出县: the body one tier up takes the file over and opens it anew. */
function escalate(command: EscalateMediation, state: MediationFile): MediationEscalated[] {
  const { departmentId, toDepartmentId, toRegionCode, reason } = command.data;
  const current = mediating(state, departmentId, 'escalate it');
  if (toDepartmentId === current.departmentId) {
    throw new IllegalStateError(
      `the mediation is already held by ${toDepartmentId}`,
      'mediation.already_held_there',
    );
  }
  return [
    {
      type: 'MediationEscalated',
      data: {
        caseId: current.caseId,
        fromDepartmentId: current.departmentId,
        departmentId: toDepartmentId,
        toRegionCode,
        reason,
      },
      metadata: metadataOf(command.metadata),
    },
  ];
}

const decide =
  (calendar: WorkingCalendar) =>
  (command: MediationCommand, state: MediationFile): MediationEvent[] => {
    switch (command.type) {
      case 'OpenMediation':
        return open(command, state);
      case 'RecordSession':
        return holdSession(command, state);
      case 'RecordAgreement':
        return settle(command, state, calendar);
      case 'RecordFailure':
        return fail(command, state);
      case 'RequestJudicialConfirmation':
        return requestConfirmation(command, state);
      case 'RecordJudicialDecision':
        return decideJudicially(command, state);
      case 'EscalateMediation':
        return escalate(command, state);
      default: {
        const _never: never = command;
        return _never;
      }
    }
  };

/**
 * The mediation file's decider. The calendar (the official one, from reference data) is
 * what the agreement needs to fix the end of the judicial-confirmation window.
 */
export const mediationDecider = (
  calendar: WorkingCalendar,
): Decider<MediationFile, MediationCommand, MediationEvent> => ({
  initialState,
  decide: decide(calendar),
  evolve,
});
