import { fold } from '@casegrid/kernel';
import { deciderSpec } from '@casegrid/testing';
import { petitionDecider } from './petition.decider';
import type { PetitionEvent } from './petition.events';
import { evolve, initialState } from './petition.state';
import { petitionView } from './petition.view';
import {
  accepted,
  answered,
  at,
  CALENDAR_2025,
  CASE_ID,
  command,
  endOf,
  event,
  reReviewDecided,
  reReviewRequested,
  reviewDecided,
  reviewRequested,
} from './testing/petition.fixtures';

const spec = deciderSpec(petitionDecider(CALENDAR_2025));

const start = (startedAt: string | null) =>
  command('StartHearing', { reason: '争议较大，组织听证', startedAt });
const end = (endedAt: string | null) => command('EndHearing', { endedAt });
const started = (startedAt: string) =>
  event('PetitionHearingStarted', { startedAt, reason: '争议较大，组织听证' });
const ended = (endedAt: string, days: number, decisionDueAt: string) =>
  event('PetitionHearingEnded', { endedAt, days, decisionDueAt });

// Re-review requested on 06-03: decision due 07-03 without hearings.
const reReviewing: PetitionEvent[] = [
  accepted(at('2025-02-10')),
  answered(at('2025-03-20')),
  reviewRequested(at('2025-04-01'), endOf('2025-05-06')),
  reviewDecided(at('2025-05-01')),
  reReviewRequested(at('2025-06-03'), endOf('2025-07-03')),
];

describe('a re-review hearing (听证, Art 36¶2)', () => {
  it('starts during a pending re-review', () => {
    spec
      .given(reReviewing)
      .when(start(at('2025-06-20')))
      .then([started(at('2025-06-20'))]);
  });
  it('adds its days to the 30: 06-20 to 06-25 moves the decision from 07-03 to 07-08', () => {
    spec
      .given([...reReviewing, started(at('2025-06-20'))])
      .when(end(at('2025-06-25', '16:00:00')))
      .then([ended(at('2025-06-25', '16:00:00'), 5, endOf('2025-07-08'))]);
  });
  it('adds every hearing: a second one of 3 days moves it to 07-11', () => {
    spec
      .given([
        ...reReviewing,
        started(at('2025-06-20')),
        ended(at('2025-06-25'), 5, endOf('2025-07-08')),
        started(at('2025-06-27')),
      ])
      .when(end(at('2025-06-30')))
      .then([ended(at('2025-06-30'), 3, endOf('2025-07-11'))]);
  });
  it('holds the decision until it ends', () => {
    spec
      .given([...reReviewing, started(at('2025-06-20'))])
      .when(command('DecideReReview', { result: 'explained', text: '维持', decidedAt: null }))
      .thenThrows('illegal_state', /hearing of 2025-06-20 is under way.*第三十六条第二款/);
  });
  it('is one at a time, only during a re-review, and ends only when under way', () => {
    spec
      .given([...reReviewing, started(at('2025-06-20'))])
      .when(start(null))
      .thenThrows('illegal_state', /under way since 2025-06-20/);
    spec
      .given(reReviewing.slice(0, 4))
      .when(start(null))
      .thenThrows('illegal_state', /第三十六条第二款/);
    spec
      .given(reReviewing)
      .when(end(null))
      .thenThrows('illegal_state', /no hearing is under way/);
    spec
      .given([...reReviewing, reReviewDecided(at('2025-07-01'))])
      .when(start(null))
      .thenThrows('illegal_state', /has its re-review opinion/);
  });
  it('is not dated before the request, nor ends before it started', () => {
    spec
      .given(reReviewing)
      .when(start(at('2025-06-02')))
      .thenThrows('validation_failed', /startedAt: must not be before the re-review was requested/);
    spec
      .given([...reReviewing, started(at('2025-06-20'))])
      .when(end(at('2025-06-19')))
      .thenThrows('validation_failed', /endedAt: must not be before the hearing started/);
  });

  describe('in the view', () => {
    const decision = (history: PetitionEvent[], now: string) =>
      petitionView({
        caseId: CASE_ID,
        receivedAt: at('2025-02-06'),
        state: fold(evolve, initialState(), history),
        version: history.length,
        now: new Date(now),
        calendar: CALENDAR_2025,
      }).statutoryDates.find((d) => d.step === 're_review_decision');
    const heard = [
      ...reReviewing,
      started(at('2025-06-20')),
      ended(at('2025-06-25'), 5, endOf('2025-07-08')),
    ];
    it('pauses the decision while the hearing is under way', () => {
      expect(decision([...reReviewing, started(at('2025-06-20'))], at('2025-07-05'))).toMatchObject(
        {
          state: 'paused',
          lastDay: '2025-07-03',
        },
      );
    });
    it('counts 35 days after a 5-day hearing: met on 07-08, late on 07-09', () => {
      expect(decision(heard, at('2025-07-05'))).toMatchObject({
        days: 35,
        lastDay: '2025-07-08',
        state: 'running',
      });
      expect(decision([...heard, reReviewDecided(at('2025-07-08'))], at('2025-07-10'))?.state).toBe(
        'met',
      );
      expect(decision([...heard, reReviewDecided(at('2025-07-09'))], at('2025-07-10'))?.state).toBe(
        'late',
      );
    });
  });
});
