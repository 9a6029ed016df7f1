import {
  IllegalStateError,
  ValidationError,
  type Command,
  type CommandMetadata,
} from '@casegrid/kernel';
import { readable, type CaseEvent } from './case-event';
import type { ClockContext } from './clock.policies';
import { clockReactions } from './clock.reactor';
import { dueReactions, type TickContext } from './clock.ticker';
import { decideDeadline, type DeadlineCommand } from './deadline.commands';
import { evolveLedger } from './ledger.evolve';
import type { LedgerCase } from './ledger.state';
import type { FollowUpMethod, Satisfaction, SupervisionEvent } from './supervision.events';

export type IssueSupervisionOrder = Command<
  'IssueSupervisionOrder',
  {
    readonly orderId: string;
    readonly responsibleLeader: string;
    readonly responsibleDepartmentId: string;
    readonly dueAt: string;
    readonly instructions: string;
  }
>;
export type RecordFollowUp = Command<
  'RecordFollowUp',
  {
    readonly followUpId: string;
    readonly method: FollowUpMethod;
    readonly satisfaction: Satisfaction;
    readonly notes: string;
  }
>;
export type CloseCase = Command<'CloseCase', { readonly note: string }>;
export type ReopenCase = Command<'ReopenCase', { readonly reason: string }>;
export type SupervisionCommand =
  IssueSupervisionOrder | RecordFollowUp | CloseCase | ReopenCase | DeadlineCommand;

const WITH_OUTCOME = ['resolved', 'referred', 'terminated', 'followed_up'];

function issueOrder(command: IssueSupervisionOrder, state: LedgerCase): SupervisionEvent[] {
  if (state.status === 'closed') {
    throw new IllegalStateError(
      `case ${state.number} is closed (销号): there is nothing left to supervise; reopen it first`,
      'supervision.case_closed',
    );
  }
  // Compared as instants: `2025-03-20T18:00:00+08:00` is before `2025-03-20T11:00:00Z`.
  const due = Date.parse(command.data.dueAt);
  if (Number.isNaN(due)) {
    throw new ValidationError([{ field: 'dueAt', message: 'must be a date-time with offset' }]);
  }
  if (due <= command.metadata.now.getTime()) {
    throw new ValidationError([{ field: 'dueAt', message: 'must be in the future' }]);
  }
  return [
    {
      type: 'SupervisionOrderIssued',
      data: { caseId: state.id, ...command.data, issuedBy: command.metadata.actor },
    },
  ];
}

function recordFollowUp(command: RecordFollowUp, state: LedgerCase): SupervisionEvent[] {
  if (state.status === 'closed') {
    throw new IllegalStateError(
      `case ${state.number} is closed (销号); reopen it to visit again`,
      'supervision.case_closed',
    );
  }
  if (!WITH_OUTCOME.includes(state.status) || state.outcome === null) {
    throw new IllegalStateError(
      `case ${state.number} has no outcome yet (it is ${state.status}): a follow-up (回访) visits the result of handling`,
      'supervision.no_outcome',
    );
  }
  const followUp: SupervisionEvent = {
    type: 'FollowUpRecorded',
    data: {
      caseId: state.id,
      ...command.data,
      recordedBy: command.metadata.actor,
      outcome: state.outcome.status,
    },
  };
  if (command.data.satisfaction !== 'unsatisfied') return [followUp];
  // An unsatisfied follow-up sends the case back to its holder (济南 12345 条例 Art 27,
  // 退回再次办理); the reopen counts against the resolution rate.
  return [
    followUp,
    {
      type: 'CaseReopened',
      data: {
        caseId: state.id,
        reason: `unsatisfied follow-up: ${command.data.notes}`,
        cause: 'follow_up',
        reopenedBy: command.metadata.actor,
      },
    },
  ];
}

function closeCase(command: CloseCase, state: LedgerCase): SupervisionEvent[] {
  if (state.status === 'closed') {
    throw new IllegalStateError(
      `case ${state.number} is already closed (销号)`,
      'supervision.case_closed',
    );
  }
  if (state.outcome === null) {
    throw new IllegalStateError(
      `case ${state.number} cannot be closed: it has no outcome yet (it is ${state.status}); 销号 needs an outcome and a follow-up (回访)`,
      'supervision.no_outcome',
    );
  }
  const visited = state.followUps.some((f) => f.recordedAt >= state.outcome!.at);
  if (state.status !== 'followed_up' || !visited) {
    throw new IllegalStateError(
      `case ${state.number} cannot be closed: no follow-up (回访) is recorded since its outcome (${state.outcome.status}, ${state.outcome.at})`,
      'supervision.no_follow_up',
    );
  }
  return [
    {
      type: 'CaseClosed',
      data: { caseId: state.id, note: command.data.note, closedBy: command.metadata.actor },
    },
  ];
}

function reopenCase(command: ReopenCase, state: LedgerCase): SupervisionEvent[] {
  if (!WITH_OUTCOME.includes(state.status) && state.status !== 'closed') {
    throw new IllegalStateError(
      `case ${state.number} is ${state.status}: only a case with an outcome, or closed, can be reopened`,
      'supervision.not_reopenable',
    );
  }
  return [
    {
      type: 'CaseReopened',
      data: {
        caseId: state.id,
        reason: command.data.reason,
        cause: 'supervisor',
        reopenedBy: command.metadata.actor,
      },
    },
  ];
}

/** supervision's own command rules; the clock reactions are added by `settle`. */
export function decideSupervision(
  command: SupervisionCommand,
  state: LedgerCase,
  ctx: Pick<ClockContext, 'calendar'>,
): SupervisionEvent[] {
  switch (command.type) {
    case 'PauseDeadline':
    case 'ResumeDeadline':
    case 'ExtendDeadline':
      return decideDeadline(command, state, ctx.calendar);
    case 'IssueSupervisionOrder':
      return issueOrder(command, state);
    case 'RecordFollowUp':
      return recordFollowUp(command, state);
    case 'CloseCase':
      return closeCase(command, state);
    case 'ReopenCase':
      return reopenCase(command, state);
    default: {
      const _never: never = command;
      return _never;
    }
  }
}

/** A decided event as the ledger folds it, at the instant and stream position it is recorded. */
export const asCaseEvent = (
  event: SupervisionEvent,
  meta: Pick<CommandMetadata, 'actor' | 'department'> & { readonly at: string },
  streamVersion: number,
): CaseEvent => ({
  id: `${event.data.caseId}:${streamVersion}`,
  type: event.type,
  service: 'supervision',
  time: meta.at,
  actor: meta.actor,
  department: meta.department,
  streamVersion,
  data: event.data as unknown as CaseEvent['data'],
});

export interface Settled {
  readonly state: LedgerCase;
  /** supervision's events to record, in order: the trigger's own, then the clocks'. */
  readonly events: readonly SupervisionEvent[];
}

/**
 * Folds supervision's decided events into the ledger and lets the clock engine react to
 * each (an order starts its clock, a follow-up stops the follow-up clock, a reopen starts
 * handling again, closing stops every clock).
 */
export function settle(
  state: LedgerCase,
  decided: readonly SupervisionEvent[],
  meta: Pick<CommandMetadata, 'actor' | 'department'> & { readonly at: string },
  ctx: ClockContext,
): Settled {
  let current = state;
  const events: SupervisionEvent[] = [];
  const queue = [...decided];
  while (queue.length > 0) {
    const event = queue.shift()!;
    const recorded = asCaseEvent(event, meta, current.version + 1);
    current = evolveLedger(current, recorded) ?? current;
    events.push(event);
    queue.unshift(...clockReactions(current, recorded, ctx));
  }
  return { state: current, events };
}

/**
 * Another service's event reached supervision: fold it into the ledger, then record the
 * clock engine's reactions as supervision's own events.
 */
export function observe(
  state: LedgerCase | null,
  raw: CaseEvent,
  now: Date,
  ctx: ClockContext,
): Settled | null {
  // Garbage data is read as none here too: a broken event must not stop the consumer.
  const event = readable(raw);
  const folded = evolveLedger(state, event);
  if (folded === null) return null;
  const reactions = clockReactions(folded, event, ctx);
  return settle(folded, reactions, SYSTEM(now), ctx);
}

/** What is due on the case at `now` (warnings, breaches, escalation), folded in. */
export function fire(state: LedgerCase, now: Date, ctx: ClockContext & TickContext): Settled {
  return settle(state, dueReactions(state, now, ctx), SYSTEM(now), ctx);
}

const SYSTEM = (now: Date) => ({ actor: 'system:supervision', at: now.toISOString() });
