import { deciderSpec } from '@casegrid/testing';
import { petitionDecider } from './petition.decider';
import {
  accepted,
  answered,
  at,
  CALENDAR_2025,
  command,
  endOf,
  event,
  reReviewDecided,
  reReviewRequested,
  reviewDecided,
  reviewRequested,
} from './testing/petition.fixtures';

const spec = deciderSpec(petitionDecider(CALENDAR_2025));

const requestReview = (requestedAt: string) =>
  command('RecordReviewRequest', { requestedAt, grounds: '不服处理意见' });
const requestReReview = (requestedAt: string) =>
  command('RecordReReviewRequest', { requestedAt, grounds: '不服复查意见' });
const decideReview = (decidedAt: string | null) =>
  command('DecideReview', { result: 'not_supported', text: '维持原意见', decidedAt });
const decideReReview = (decidedAt: string | null) =>
  command('DecideReReview', { result: 'not_supported', text: '维持复查意见', decidedAt });
const terminate = (terminatedAt: string | null) =>
  command('TerminatePetition', { basis: '复核终结，同一事实和理由不再受理', terminatedAt });

// The opinion of 09-05: its 30 days end on 10-05, a National Day holiday, so the window
// runs to the first working day after the holiday, Thursday 10-09.
const overHoliday = [accepted(at('2025-08-20')), answered(at('2025-09-05'))];
// The opinion of 09-11: its 30 days end on Saturday 10-11, a make-up workday: no roll.
const onMakeupDay = [accepted(at('2025-08-20')), answered(at('2025-09-11'))];

describe('the review (复查, Art 35)', () => {
  describe('request, 30 days from the written opinion', () => {
    it('is in time on the day before the rolled last day (a holiday)', () => {
      spec
        .given(overHoliday)
        .when(requestReview(at('2025-10-08')))
        .then([
          event('PetitionReviewRequested', {
            requestedAt: at('2025-10-08'),
            grounds: '不服处理意见',
            // 10-08 + 30 = 11-07, a Friday.
            decisionDueAt: endOf('2025-11-07'),
          }),
        ]);
    });
    it('is in time on the last day, 10-09, until 24:00', () => {
      spec
        .given(overHoliday)
        .when(requestReview(at('2025-10-09', '23:59:59')))
        .then([expect.anything()]);
    });
    it('is refused on the day after, citing Art 35', () => {
      spec
        .given(overHoliday)
        .when(requestReview(at('2025-10-10', '00:00:00')))
        .thenThrows(
          'illegal_state',
          'the request of 2025-10-10 came after 2025-10-09, the last of the 30 days 信访工作条例 第三十五条 allows',
        );
    });
    it('does not roll when the last day is a make-up workday', () => {
      spec
        .given(onMakeupDay)
        .when(requestReview(at('2025-10-10')))
        .then([expect.anything()]);
      spec
        .given(onMakeupDay)
        .when(requestReview(at('2025-10-11')))
        .then([expect.anything()]);
      spec
        .given(onMakeupDay)
        .when(requestReview(at('2025-10-12')))
        .thenThrows('illegal_state', /came after 2025-10-11/);
    });
    it('is checked against when it was received, not before the opinion nor in the future', () => {
      spec
        .given(overHoliday)
        .when(requestReview(at('2025-09-04')))
        .thenThrows('validation_failed', /requestedAt: must not be before the written opinion/);
      spec
        .given(overHoliday)
        .when(requestReview(at('2026-01-02')))
        .thenThrows('validation_failed', /requestedAt: must not be in the future/);
    });
    it('carries a decision due date that rolls past National Day', () => {
      spec
        .given([accepted(at('2025-08-01')), answered(at('2025-08-20'))])
        .when(requestReview(at('2025-09-01')))
        .then([
          expect.objectContaining({
            data: expect.objectContaining({ decisionDueAt: endOf('2025-10-09') }),
          }),
        ]);
    });
    it('needs an opinion to review, and is made once', () => {
      spec
        .given([accepted()])
        .when(requestReview(at('2025-10-08')))
        .thenThrows('illegal_state', /there is none/);
      spec
        .given([...overHoliday, reviewRequested(at('2025-10-08'), endOf('2025-11-07'))])
        .when(requestReview(at('2025-10-09')))
        .thenThrows('illegal_state', /requested on 2025-10-08.*allows one review/);
    });
  });

  describe('decision', () => {
    const pending = [...overHoliday, reviewRequested(at('2025-10-08'), endOf('2025-11-07'))];
    it('is given with a result of Art 32', () => {
      spec
        .given(pending)
        .when(decideReview(at('2025-11-07')))
        .then([reviewDecided(at('2025-11-07'))]);
    });
    it('is still given after its limit (the view marks it late)', () => {
      spec
        .given(pending)
        .when(decideReview(at('2025-11-08')))
        .then([reviewDecided(at('2025-11-08'))]);
    });
    it('is not dated before the request', () => {
      spec
        .given(pending)
        .when(decideReview(at('2025-10-07')))
        .thenThrows('validation_failed', /decidedAt: must not be before the request was received/);
    });
    it('needs a pending request', () => {
      spec
        .given(overHoliday)
        .when(decideReview(null))
        .thenThrows('illegal_state', /第三十五条 decides a pending review/);
    });
  });
});

// The review decided on 05-01: 30 days end on 05-31, the Dragon Boat holiday (05-31..06-02).
const reviewedOverHoliday = [
  accepted(at('2025-02-10')),
  answered(at('2025-03-20')),
  reviewRequested(at('2025-04-01'), endOf('2025-05-06')),
  reviewDecided(at('2025-05-01')),
];
// The review decided on 03-28: 30 days end on Sunday 04-27, a make-up workday.
const reviewedOnMakeupDay = [
  accepted(at('2025-02-10')),
  answered(at('2025-02-20')),
  reviewRequested(at('2025-03-01'), endOf('2025-03-31')),
  reviewDecided(at('2025-03-28')),
];

describe('the re-review (复核, Art 36)', () => {
  describe('request, 30 days from the review opinion', () => {
    it('rolls past the Dragon Boat holiday: 06-02 and 06-03 in time, 06-04 not', () => {
      spec
        .given(reviewedOverHoliday)
        .when(requestReReview(at('2025-06-02')))
        .then([expect.anything()]);
      spec
        .given(reviewedOverHoliday)
        .when(requestReReview(at('2025-06-03')))
        .then([
          event('PetitionReReviewRequested', {
            requestedAt: at('2025-06-03'),
            grounds: '不服复查意见',
            decisionDueAt: endOf('2025-07-03'),
          }),
        ]);
      spec
        .given(reviewedOverHoliday)
        .when(requestReReview(at('2025-06-04')))
        .thenThrows(
          'illegal_state',
          /came after 2025-06-03, the last of the 30 days 信访工作条例 第三十六条/,
        );
    });
    it('does not roll on a make-up Sunday: 04-26 and 04-27 in time, 04-28 not', () => {
      spec
        .given(reviewedOnMakeupDay)
        .when(requestReReview(at('2025-04-26')))
        .then([expect.anything()]);
      spec
        .given(reviewedOnMakeupDay)
        .when(requestReReview(at('2025-04-27')))
        .then([expect.anything()]);
      spec
        .given(reviewedOnMakeupDay)
        .when(requestReReview(at('2025-04-28')))
        .thenThrows('illegal_state', /came after 2025-04-27/);
    });
    it('needs a review opinion, and is made once', () => {
      spec
        .given(overHoliday)
        .when(requestReReview(at('2025-10-08')))
        .thenThrows('illegal_state', /there is none/);
      spec
        .given([...reviewedOverHoliday, reReviewRequested(at('2025-06-03'), endOf('2025-07-03'))])
        .when(requestReReview(at('2025-06-03')))
        .thenThrows('illegal_state', /第三十六条 allows one/);
    });
  });

  describe('decision and termination (Art 36¶3)', () => {
    const pending = [
      ...reviewedOverHoliday,
      reReviewRequested(at('2025-06-03'), endOf('2025-07-03')),
    ];
    it('is decided, then terminated', () => {
      spec
        .given(pending)
        .when(decideReReview(at('2025-07-01')))
        .then([reReviewDecided(at('2025-07-01'))]);
      spec
        .given([...pending, reReviewDecided(at('2025-07-01'))])
        .when(terminate(at('2025-07-02')))
        .then([
          event('PetitionTerminated', {
            basis: '复核终结，同一事实和理由不再受理',
            terminatedAt: at('2025-07-02'),
          }),
        ]);
    });
    it('is not terminated before the re-review opinion', () => {
      for (const history of [overHoliday, reviewedOverHoliday, pending]) {
        spec
          .given(history)
          .when(terminate(null))
          .thenThrows('illegal_state', /第三十六条第三款/);
      }
    });
    it('is terminated once, and nothing follows', () => {
      const terminated = [
        ...pending,
        reReviewDecided(at('2025-07-01')),
        event('PetitionTerminated', { basis: '终结', terminatedAt: at('2025-07-02') }),
      ];
      spec
        .given(terminated)
        .when(terminate(null))
        .thenThrows('illegal_state', /is terminated/);
      spec
        .given(terminated)
        .when(requestReReview(at('2025-07-03')))
        .thenThrows('illegal_state', /allows one/);
      spec
        .given(terminated)
        .when(decideReReview(null))
        .thenThrows('illegal_state', /is terminated/);
    });
    it('is not dated before the re-review opinion', () => {
      spec
        .given([...pending, reReviewDecided(at('2025-07-01'))])
        .when(terminate(at('2025-06-30')))
        .thenThrows('validation_failed', /terminatedAt/);
    });
  });
});
