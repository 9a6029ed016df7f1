import {
  IllegalStateError,
  ValidationError,
  type Command,
  type CommandMetadata,
} from '@casegrid/kernel';
import type { WorkingCalendar } from '@casegrid/calendar';
import { extendClock, extensionRefusal, pauseClock, resumeClock } from './clock.adjustments';
import type { Clock, LedgerCase } from './ledger.state';
import type { SupervisionEvent } from './supervision.events';

/**
 * A person records a pause (中止: the matter waits on an appraisal, a notice period, a
 * party's absence) or an extension (延期), naming who approved it — the holding
 * department's head for a handling period, as the policy says. Resuming adds the paused
 * time to the period. Every change shows in the clock's basis.
 */
export type PauseDeadline = Command<
  'PauseDeadline',
  { readonly clockId: string; readonly reason: string; readonly approvedBy: string }
>;
export type ResumeDeadline = Command<'ResumeDeadline', { readonly clockId: string }>;
export type ExtendDeadline = Command<
  'ExtendDeadline',
  {
    readonly clockId: string;
    readonly length: number;
    readonly reason: string;
    readonly approvedBy: string;
  }
>;
export type DeadlineCommand = PauseDeadline | ResumeDeadline | ExtendDeadline;

const by = (meta: CommandMetadata): string => `user:${meta.actor}`;

function clockOf(state: LedgerCase, clockId: string): Clock {
  const clock = state.deadlines.find((c) => c.clockId === clockId);
  if (!clock) {
    throw new ValidationError([
      { field: 'clockId', message: `case ${state.number} has no clock ${clockId}` },
    ]);
  }
  return clock;
}

const refuseUnlessOpen = (state: LedgerCase, clock: Clock, what: string): void => {
  if (clock.state === 'met') {
    throw new IllegalStateError(
      `the ${clock.obligation} clock ${clock.clockId} of case ${state.number} was met: there is nothing to ${what}`,
      'deadline.met',
    );
  }
  if (clock.state === 'breached') {
    throw new IllegalStateError(
      `the ${clock.obligation} clock ${clock.clockId} of case ${state.number} breached at ${clock.dueAt}: a ${what} must be approved before the due time, and cannot undo lateness`,
      'deadline.breached',
    );
  }
};

export function decideDeadline(
  command: DeadlineCommand,
  state: LedgerCase,
  calendar: WorkingCalendar,
): SupervisionEvent[] {
  const clock = clockOf(state, command.data.clockId);
  const at = command.metadata.now.toISOString();
  switch (command.type) {
    case 'PauseDeadline':
      refuseUnlessOpen(state, clock, 'pause');
      if (clock.state === 'paused') {
        throw new IllegalStateError(
          `the ${clock.obligation} clock ${clock.clockId} is already paused since ${clock.pausedAt}`,
          'deadline.already_paused',
        );
      }
      return [
        pauseClock(state, clock, {
          at,
          reason: command.data.reason,
          approvedBy: command.data.approvedBy,
          by: by(command.metadata),
        }),
      ];
    case 'ResumeDeadline':
      if (clock.state !== 'paused') {
        throw new IllegalStateError(
          `the ${clock.obligation} clock ${clock.clockId} is ${clock.state}, not paused`,
          'deadline.not_paused',
        );
      }
      return [resumeClock(state, clock, at, by(command.metadata), calendar)];
    case 'ExtendDeadline': {
      refuseUnlessOpen(state, clock, 'extension');
      const extension = {
        at,
        length: command.data.length,
        unit: clock.basis.unit,
        reason: command.data.reason,
        approvedBy: command.data.approvedBy,
        by: by(command.metadata),
      };
      const refusal = extensionRefusal(clock, extension);
      if (refusal !== null) throw refusal;
      return [extendClock(state, clock, extension, calendar)];
    }
    default: {
      const _never: never = command;
      return _never;
    }
  }
}
