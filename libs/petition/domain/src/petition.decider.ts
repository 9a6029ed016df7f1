import type { Decider } from '@casegrid/kernel';
import type { PetitionCommand } from './petition.commands';
import type { PetitionEvent } from './petition.events';
import { decideAcceptance, extendHandling, issueOpinion } from './petition.handling';
import { endHearing, startHearing } from './petition.hearings';
import type { StatutoryCalendar } from './petition.periods';
import {
  decideReReview,
  decideReview,
  recordReReviewRequest,
  recordReviewRequest,
  terminate,
} from './petition.reviews';
import { evolve, initialState, type Petition } from './petition.state';

function decide(
  command: PetitionCommand,
  state: Petition,
  calendar: StatutoryCalendar,
): PetitionEvent[] {
  switch (command.type) {
    case 'DecideAcceptance':
      return decideAcceptance(command, state, calendar);
    case 'ExtendHandling':
      return extendHandling(command, state, calendar);
    case 'IssueOpinion':
      return issueOpinion(command, state);
    case 'RecordReviewRequest':
      return recordReviewRequest(command, state, calendar);
    case 'DecideReview':
      return decideReview(command, state);
    case 'RecordReReviewRequest':
      return recordReReviewRequest(command, state, calendar);
    case 'DecideReReview':
      return decideReReview(command, state);
    case 'StartHearing':
      return startHearing(command, state);
    case 'EndHearing':
      return endHearing(command, state, calendar);
    case 'TerminatePetition':
      return terminate(command, state);
    default: {
      const _never: never = command;
      return _never;
    }
  }
}

/**
 * The petition file's decider. The working calendar is an input (read by the adapter from
 * the service's reference replica), so the statutory dates follow an administrator's
 * change to a year and agree with supervision's.
 */
export const petitionDecider = (
  calendar: StatutoryCalendar,
): Decider<Petition, PetitionCommand, PetitionEvent> => ({
  initialState,
  decide: (command, state) => decide(command, state, calendar),
  evolve,
});
