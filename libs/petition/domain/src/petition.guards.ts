import { chinaDate } from '@casegrid/calendar';
import {
  IllegalStateError,
  ValidationError,
  type Refusal,
  type CommandMetadata,
  type EventMetadata,
} from '@casegrid/kernel';
import type { Petition } from './petition.state';

/**
 * An event's time (`ce_time`) is when the act took effect — the decision, the approval,
 * the request's receipt — which is now unless the act was done on paper before. Supervision
 * starts and stops its clocks at `ce_time`, so it counts from the same instant as the
 * petition's view. It is never in the future and never before what the act answers
 * (`actAt`), so a petition's events keep their order in time.
 */
export const metadataOf = (m: CommandMetadata, at: string): EventMetadata => {
  const { now: _now, ...context } = m;
  return { ...context, occurredAt: at };
};

/** The calendar day (+08:00) of an instant: the day the statutes count. */
export const dayOf = (at: string | Date): string => chinaDate(new Date(at));

/** The last day of a period that ends at `dueAt` (24:00 of that day is the next day's 00:00). */
export const lastDayOf = (dueAt: string): string => dayOf(new Date(new Date(dueAt).getTime() - 1));

const STATUS_WORDS: Readonly<Record<Petition['status'], string>> = {
  unopened: 'awaits its acceptance decision',
  not_accepted: 'was not accepted',
  diverted: 'was diverted to its legal channel',
  accepted: 'is accepted and awaits its opinion',
  answered: 'has its opinion',
  under_review: 'is under review (复查)',
  reviewed: 'has its review opinion',
  under_re_review: 'is under re-review (复核)',
  re_reviewed: 'has its re-review opinion',
  terminated: 'is terminated (终结)',
};

/** A 409 that says where the petition stands and which article forbids the step. */
export const refuse = (state: Petition, refusal: Refusal, why: string): IllegalStateError =>
  new IllegalStateError(`the petition ${STATUS_WORDS[state.status]}: ${why}`, refusal);

/**
 * When an act was done: the date given (a paper decision recorded afterwards) or now.
 * Never in the future, never before what it answers (`after`); both are field errors.
 */
export function actAt(
  field: string,
  given: string | null,
  now: Date,
  after: { readonly at: string; readonly what: string },
): string {
  const at = given === null ? now : new Date(given);
  if (Number.isNaN(at.getTime())) {
    throw new ValidationError([{ field, message: 'must be an RFC 3339 time with an offset' }]);
  }
  if (at.getTime() > now.getTime()) {
    throw new ValidationError([{ field, message: 'must not be in the future' }]);
  }
  if (at.getTime() < new Date(after.at).getTime()) {
    throw new ValidationError([
      { field, message: `must not be before ${after.what} (${new Date(after.at).toISOString()})` },
    ]);
  }
  return at.toISOString();
}
