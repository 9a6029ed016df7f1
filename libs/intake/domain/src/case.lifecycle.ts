import {
  IllegalStateError,
  ValidationError,
  type CommandMetadata,
  type EventMetadata,
} from '@casegrid/kernel';
import type {
  ResumeHandling,
  AcceptCase,
  EscalateCase,
  RecordRepeatSubmission,
  ResolveCase,
  ReturnCase,
  TransferCase,
} from './case.commands';
import type {
  CaseHandlingResumed,
  CaseAccepted,
  CaseEscalated,
  CaseResolved,
  CaseReturned,
  CaseTransferred,
  RepeatSubmissionRecorded,
} from './case.events';
import type { IntakeCase, RegisteredCase } from './case.state';

/** The transitions after dispatch (DESIGN.md, Case lifecycle); each 409 says why. */

export const metadataOf = (m: CommandMetadata): EventMetadata => {
  const { now, ...context } = m;
  return { ...context, occurredAt: now.toISOString() };
};

export function known(state: IntakeCase): RegisteredCase {
  if (state.status === 'unregistered')
    throw new IllegalStateError('the case is not registered', 'case.not_registered');
  return state;
}

const describe = (state: RegisteredCase): string =>
  state.status === 'registered'
    ? `case ${state.number} is waiting for a dispatcher`
    : `case ${state.number} is ${state.status} (lead ${state.leadDepartmentId})`;

/** Only the lead department signs, returns or resolves; anyone else is told who leads. */
const asLead = (state: RegisteredCase, departmentId: string, what: string): void => {
  if (state.leadDepartmentId !== departmentId) {
    throw new IllegalStateError(
      `only the lead department may ${what} case ${state.number}`,
      'case.not_lead_department',
    );
  }
};

export function accept(command: AcceptCase, state: IntakeCase): CaseAccepted[] {
  const current = known(state);
  if (current.status !== 'dispatched')
    throw new IllegalStateError(
      `${describe(current)}: only a dispatched case is accepted`,
      'case.not_dispatched',
    );
  asLead(current, command.data.departmentId, 'accept');
  return [
    {
      type: 'CaseAccepted',
      data: { caseId: current.caseId, ...command.data },
      metadata: metadataOf(command.metadata),
    },
  ];
}

export function giveBack(command: ReturnCase, state: IntakeCase): CaseReturned[] {
  const current = known(state);
  if (current.status !== 'dispatched') {
    throw new IllegalStateError(
      `${describe(current)}: a case is returned only before it is accepted (退单)`,
      'case.not_returnable',
    );
  }
  asLead(current, command.data.departmentId, 'return');
  return [
    {
      type: 'CaseReturned',
      data: { caseId: current.caseId, ...command.data },
      metadata: metadataOf(command.metadata),
    },
  ];
}

const handOver = (current: RegisteredCase, to: string, what: string): string => {
  if (current.status !== 'dispatched' && current.status !== 'accepted') {
    throw new IllegalStateError(
      `${describe(current)}: only a case being handled can be ${what}`,
      'case.not_in_handling',
    );
  }
  if (to === current.leadDepartmentId) {
    throw new ValidationError([
      { field: 'toDepartmentId', message: 'the case is already led by this department' },
    ]);
  }
  return current.leadDepartmentId;
};

export function transfer(command: TransferCase, state: IntakeCase): CaseTransferred[] {
  const current = known(state);
  const from = handOver(current, command.data.toDepartmentId, 'transferred');
  return [
    {
      type: 'CaseTransferred',
      data: { caseId: current.caseId, fromDepartmentId: from, ...command.data },
      metadata: metadataOf(command.metadata),
    },
  ];
}

export function escalate(command: EscalateCase, state: IntakeCase): CaseEscalated[] {
  const current = known(state);
  const from = handOver(current, command.data.toDepartmentId, 'escalated');
  return [
    {
      type: 'CaseEscalated',
      data: { caseId: current.caseId, fromDepartmentId: from, ...command.data },
      metadata: metadataOf(command.metadata),
    },
  ];
}

export function resolve(command: ResolveCase, state: IntakeCase): CaseResolved[] {
  const current = known(state);
  if (current.status !== 'accepted')
    throw new IllegalStateError(
      `${describe(current)}: only an accepted case is resolved`,
      'case.not_accepted',
    );
  if (current.track !== 'direct') {
    throw new IllegalStateError(
      `case ${current.number} is on the ${current.track} track: its outcome is recorded there`,
      'case.outcome_on_track',
    );
  }
  asLead(current, command.data.departmentId, 'resolve');
  const { outcome, referral } = command.data;
  if (outcome === 'referred' && referral === null) {
    throw new ValidationError([
      { field: 'referral', message: 'a referred case names where it was referred' },
    ]);
  }
  if (outcome === 'resolved' && referral !== null) {
    throw new ValidationError([
      { field: 'referral', message: 'only a referred case has a referral' },
    ]);
  }
  return [
    {
      type: 'CaseResolved',
      data: { caseId: current.caseId, ...command.data },
      metadata: metadataOf(command.metadata),
    },
  ];
}

/** Open means not yet resolved or referred here: a closed matter starts a new case. */
export const isOpen = (state: IntakeCase): boolean =>
  state.status !== 'unregistered' && state.status !== 'resolved' && state.status !== 'referred';

export function recordRepeat(
  command: RecordRepeatSubmission,
  state: IntakeCase,
): RepeatSubmissionRecorded[] {
  const current = known(state);
  if (!isOpen(current))
    throw new IllegalStateError(
      `case ${current.number} is ${current.status}: a repeat opens a new case`,
      'case.repeat_of_closed',
    );
  return [
    {
      type: 'RepeatSubmissionRecorded',
      data: {
        caseId: current.caseId,
        submissionCount: current.submissionCount + 1,
        ...command.data,
      },
      metadata: metadataOf(command.metadata),
    },
  ];
}

/**
 * A reopen is a fact decided by supervision: it is never refused here. Only a case whose
 * outcome intake recorded (the direct track) goes back to its holder; on the other tracks
 * the outcome lives in their services and intake's view stays accepted. A repeated
 * delivery finds the case accepted again and changes nothing.
 */
export function resumeHandling(command: ResumeHandling, state: IntakeCase): CaseHandlingResumed[] {
  if (state.status !== 'resolved' && state.status !== 'referred') return [];
  return [
    {
      type: 'CaseHandlingResumed',
      data: {
        caseId: state.caseId,
        departmentId: state.leadDepartmentId,
        reason: command.data.reason,
      },
      metadata: metadataOf(command.metadata),
    },
  ];
}
