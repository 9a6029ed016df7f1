import type { WorkingCalendar } from '@casegrid/calendar';
import { IllegalStateError, ValidationError } from '@casegrid/kernel';
import type {
  RecordAgreement,
  RecordFailure,
  RecordJudicialDecision,
  RequestJudicialConfirmation,
} from './mediation.commands';
import type {
  JudicialConfirmationDecided,
  JudicialConfirmationRequested,
  MediationAgreementReached,
  MediationFailed,
} from './mediation.events';
import { asHolder, checkTimes, describe, filed, mediating, metadataOf } from './mediation.guards';
import type { MediationFile } from './mediation.state';
import { isWithinWindow, judicialConfirmationWindow } from './mediation.window';

/** The parties signed (人民调解法 Art 28–29): only after they met in a session. */
export function settle(
  command: RecordAgreement,
  state: MediationFile,
  calendar: WorkingCalendar,
): MediationAgreementReached[] {
  const current = mediating(state, command.data.departmentId, 'record an agreement');
  const [first] = current.sessions;
  if (!first) {
    throw new IllegalStateError(
      'no agreement before a session: an agreement is reached by the parties in a mediation session (人民调解法 Art 22, 28)',
      'mediation.agreement_before_session',
    );
  }
  const { terms, signedAt, performanceDueAt } = command.data;
  checkTimes(command.metadata.now, [
    { field: 'signedAt', at: signedAt, notBefore: { at: first.heldAt, what: 'the first session' } },
  ]);
  if (performanceDueAt !== null && Date.parse(performanceDueAt) <= Date.parse(signedAt)) {
    throw new ValidationError([
      { field: 'performanceDueAt', message: 'must be after the agreement is signed (signedAt)' },
    ]);
  }
  // A court's mediation ends in a 调解书 that is itself enforceable (民诉法 Art 100-101):
  // there is nothing to confirm, so no window opens.
  const window =
    current.type === 'judicial' ? null : judicialConfirmationWindow(calendar, new Date(signedAt));
  return [
    {
      type: 'MediationAgreementReached',
      data: {
        caseId: current.caseId,
        departmentId: current.departmentId,
        terms,
        signedAt,
        performanceDueAt,
        judicialConfirmationDueAt: window ? window.dueAt.toISOString() : null,
      },
      metadata: metadataOf(command.metadata),
    },
  ];
}

/** 终止调解 and the 诉调对接 hand-off (人民调解法 Art 26). */
export function fail(command: RecordFailure, state: MediationFile): MediationFailed[] {
  const current = mediating(state, command.data.departmentId, 'record a failure');
  return [
    {
      type: 'MediationFailed',
      data: { caseId: current.caseId, ...command.data },
      metadata: metadataOf(command.metadata),
    },
  ];
}

export function requestConfirmation(
  command: RequestJudicialConfirmation,
  state: MediationFile,
): JudicialConfirmationRequested[] {
  const current = filed(state);
  const { departmentId, court, requestedAt } = command.data;
  if (current.status === 'confirmation_requested' || current.status === 'confirmed') {
    throw new IllegalStateError(
      `judicial confirmation was already requested from ${current.confirmation.court} on ${current.confirmation.requestedAt}`,
      'mediation.confirmation_already_requested',
    );
  }
  if (current.status === 'not_confirmed') {
    throw new IllegalStateError(
      `the court did not confirm the agreement (${current.decidedAt}): the parties re-mediate or sue (民诉法 Art 206); it is not applied for again`,
      'mediation.confirmation_refused',
    );
  }
  if (current.status !== 'agreed') {
    throw new IllegalStateError(
      `${describe(current)}: judicial confirmation needs an agreement (人民调解法 Art 33)`,
      'mediation.no_agreement',
    );
  }
  asHolder(current, departmentId, 'request judicial confirmation');
  const { signedAt, judicialConfirmationDueAt: dueAt } = current.agreement;
  if (dueAt === null) {
    throw new IllegalStateError(
      "a court's mediation ends in an enforceable 调解书 (民诉法 Art 100-101): judicial confirmation is for agreements of mediation bodies (民诉法 Art 205)",
      'mediation.court_mediation_not_confirmed',
    );
  }
  checkTimes(command.metadata.now, [{ field: 'requestedAt', at: requestedAt }]);
  if (!isWithinWindow(signedAt, dueAt, requestedAt)) {
    throw new IllegalStateError(
      `judicial confirmation is applied for within 30 days of the agreement taking effect (人民调解法 Art 33; 民诉法 Art 205): signed ${signedAt}, the window ran until ${dueAt}; ${requestedAt} is outside it`,
      'mediation.confirmation_window_closed',
    );
  }
  return [
    {
      type: 'JudicialConfirmationRequested',
      data: { caseId: current.caseId, departmentId, court, requestedAt },
      metadata: metadataOf(command.metadata),
    },
  ];
}

export function decideJudicially(
  command: RecordJudicialDecision,
  state: MediationFile,
): JudicialConfirmationDecided[] {
  const current = filed(state);
  if (current.status === 'confirmed' || current.status === 'not_confirmed') {
    throw new IllegalStateError(
      `the court already decided on ${current.decidedAt} (${current.status})`,
      'mediation.confirmation_already_decided',
    );
  }
  if (current.status !== 'confirmation_requested') {
    throw new IllegalStateError(
      `${describe(current)}: no judicial confirmation has been requested, so none is decided`,
      'mediation.confirmation_not_requested',
    );
  }
  const { departmentId, confirmed, decidedAt } = command.data;
  asHolder(current, departmentId, 'record the court decision');
  checkTimes(command.metadata.now, [
    {
      field: 'decidedAt',
      at: decidedAt,
      notBefore: { at: current.confirmation.requestedAt, what: 'the application' },
    },
  ]);
  return [
    {
      type: 'JudicialConfirmationDecided',
      data: { caseId: current.caseId, departmentId, confirmed, decidedAt },
      metadata: metadataOf(command.metadata),
    },
  ];
}
