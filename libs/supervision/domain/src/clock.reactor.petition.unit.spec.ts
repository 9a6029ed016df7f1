import { DEPT, History, events as e } from './testing/case-history.fixtures';

/** A petition received Monday 3 March 2025, 10:00 CST, registered the next morning. */
const RECEIVED = '2025-03-03T02:00:00.000Z';
const REGISTERED = '2025-03-04T01:00:00.000Z';
const DISPATCHED = '2025-03-04T02:00:00.000Z';
const ACCEPTED = '2025-03-05T02:00:00.000Z';
/** Accepted for handling (受理) Wednesday 12 March, 10:00 CST. */
const DECIDED = '2025-03-12T02:00:00.000Z';
/** 60 days after 12 March is Sunday 11 May: moved to Monday 12 May (信访工作条例 Art 34). */
const OPINION_DUE = '2025-05-12T16:00:00.000Z';
const OPINION_WARN = '2025-05-02T16:00:00.000Z';
const EXTENDED = '2025-05-06T02:00:00.000Z';
/** 90 days after 12 March: Tuesday 10 June. */
const EXTENDED_DUE = '2025-06-10T16:00:00.000Z';
const EXTENDED_WARN = '2025-05-31T16:00:00.000Z';
const OPINION = '2025-05-20T02:00:00.000Z';
/** Re-review requested Tuesday 3 June, 10:00 CST: 30 days → Thursday 3 July. */
const RE_REVIEW = '2025-06-03T02:00:00.000Z';
const RE_REVIEW_DUE = '2025-07-03T16:00:00.000Z';
const HEARING_STARTED = '2025-06-10T01:00:00.000Z';
const HEARING_ENDED = '2025-06-17T09:00:00.000Z';
/** Seven calendar days in a hearing (10 → 17 June) do not count: Thursday 10 July. */
const RESUMED_DUE = '2025-07-10T16:00:00.000Z';
const RESUMED_WARN = '2025-07-05T16:00:00.000Z';

describe('the clock engine on a petition', () => {
  const registered = History.of().observe(
    e.registered(REGISTERED, { kind: 'petition', receivedAt: RECEIVED }),
  );
  const accepted = registered.observe(
    e.dispatched(DISPATCHED, DEPT.petitionOffice, []),
    e.accepted(ACCEPTED, 'petition', DEPT.petitionOffice),
  );
  const decided = accepted.observe(e.acceptanceDecided(DECIDED));
  const extended = decided.observe(e.extended(EXTENDED, 30));

  describe('when registered', () => {
    it('starts the 15-day acceptance clock from receipt, held by the dispatchers', () => {
      expect(registered.of('DeadlineStarted')).toEqual([
        expect.objectContaining({
          obligation: 'petition_acceptance',
          departmentId: null,
          holderRole: 'dispatcher',
          startedAt: RECEIVED,
          // 15 calendar days after Mon 3 March: Tue 18 March; warned 3 days before.
          dueAt: '2025-03-18T16:00:00.000Z',
          warnAt: '2025-03-15T16:00:00.000Z',
          basis: expect.objectContaining({
            policy: 'petition_acceptance',
            article: '信访工作条例 第二十二条、第二十三条第二款',
            unit: 'calendar_days',
            length: 15,
          }),
        }),
      ]);
    });
    it('starts accept and the 5-working-day objection window on dispatch', () => {
      const dispatched = registered.observe(e.dispatched(DISPATCHED, DEPT.petitionOffice, []));
      expect(dispatched.of('DeadlineStarted').map((s) => [s.obligation, s.dueAt])).toEqual([
        ['accept', '2025-03-05T16:00:00.000Z'],
        ['return_objection', '2025-03-11T16:00:00.000Z'],
      ]);
    });
  });

  describe('when accepted by the petition office', () => {
    it('stops the acceptance clock and starts the 60-day opinion clock on 受理', () => {
      expect(decided.of('DeadlineMet')).toEqual([
        expect.objectContaining({ obligation: 'petition_acceptance', metAt: DECIDED, late: false }),
      ]);
      expect(decided.of('DeadlineStarted')).toEqual([
        expect.objectContaining({
          obligation: 'petition_opinion',
          departmentId: DEPT.petitionOffice,
          startedAt: DECIDED,
          dueAt: OPINION_DUE,
          warnAt: OPINION_WARN,
        }),
      ]);
    });
    it.each(['not_accepted', 'diverted'])(
      'starts no opinion clock when the petition is %s',
      (decision) => {
        const ended = accepted.observe(e.acceptanceDecided(DECIDED, decision, 'litigation'));
        expect(ended.of('DeadlineMet').map((m) => m.obligation)).toEqual(['petition_acceptance']);
        expect(ended.state.deadlines.some((c) => c.obligation === 'petition_opinion')).toBe(false);
      },
    );
  });

  describe('when the opinion is due', () => {
    it('extends it once by the approved 30 days (Art 34)', () => {
      expect(extended.of('DeadlineExtended')).toEqual([
        expect.objectContaining({
          extension: {
            at: EXTENDED,
            length: 30,
            unit: 'calendar_days',
            reason: '情况复杂',
            approvedBy: 'u-head',
            by: 'PetitionExtended',
          },
          dueAt: EXTENDED_DUE,
          warnAt: EXTENDED_WARN,
        }),
      ]);
      expect(extended.clock('petition_opinion')).toMatchObject({
        dueAt: EXTENDED_DUE,
        warnAt: EXTENDED_WARN,
        basis: { extensions: [expect.objectContaining({ length: 30, approvedBy: 'u-head' })] },
      });
    });
    it('ignores a second extension (policy maxTimes 1)', () => {
      const again = extended.observe(e.extended('2025-05-07T02:00:00.000Z', 10));
      expect(again.emitted).toEqual([]);
      expect(again.clock('petition_opinion').dueAt).toBe(EXTENDED_DUE);
    });
    it.each([31, 0, -5])('refuses an extension of %s days', (days) => {
      const refused = decided.observe(e.extended(EXTENDED, days));
      expect(refused.emitted).toEqual([]);
      expect(refused.clock('petition_opinion').dueAt).toBe(OPINION_DUE);
    });
    it('stops the opinion clock when the opinion is issued, and asks for a follow-up', () => {
      const answered = extended.observe(e.opinionIssued(OPINION));
      expect(answered.of('DeadlineMet').map((m) => [m.obligation, m.late])).toEqual([
        ['petition_opinion', false],
      ]);
      expect(answered.of('DeadlineStarted').map((s) => s.obligation)).toEqual(['follow_up']);
    });
  });

  describe('during a re-review', () => {
    const reReview = extended
      .observe(e.opinionIssued(OPINION))
      .observe(e.reReviewRequested(RE_REVIEW));
    const paused = reReview.observe(e.hearingStarted(HEARING_STARTED));
    const resumed = paused.observe(e.hearingEnded(HEARING_ENDED));

    it('starts the 30-day re-review clock', () => {
      expect(reReview.clock('re_review_decision')).toMatchObject({
        state: 'running',
        dueAt: RE_REVIEW_DUE,
        warnAt: '2025-06-28T16:00:00.000Z',
      });
    });
    it('pauses it while a hearing is held (Art 36¶2)', () => {
      expect(paused.of('DeadlinePaused')).toEqual([
        expect.objectContaining({
          at: HEARING_STARTED,
          reason: '听证',
          approvedBy: null,
          by: 'PetitionHearingStarted',
        }),
      ]);
      expect(paused.clock('re_review_decision')).toMatchObject({
        state: 'paused',
        pausedAt: HEARING_STARTED,
      });
    });
    it('neither warns nor breaches while paused', () => {
      const fired = paused.fire(RE_REVIEW_DUE);
      const ofReReview = [
        ...fired.of('DeadlineApproaching'),
        ...fired.of('DeadlineBreached'),
      ].filter((d) => d.obligation === 're_review_decision');
      expect(ofReReview).toEqual([]);
      expect(fired.clock('re_review_decision').state).toBe('paused');
    });
    it('resumes with the due time moved by the days paused', () => {
      expect(resumed.of('DeadlineResumed')).toEqual([
        expect.objectContaining({
          at: HEARING_ENDED,
          pausedLength: 7,
          dueAt: RESUMED_DUE,
          warnAt: RESUMED_WARN,
          by: 'PetitionHearingEnded',
        }),
      ]);
      expect(resumed.clock('re_review_decision')).toMatchObject({
        state: 'running',
        dueAt: RESUMED_DUE,
        basis: {
          pauses: [
            expect.objectContaining({ from: HEARING_STARTED, to: HEARING_ENDED, length: 7 }),
          ],
        },
      });
    });
    it('does not pause twice or resume a running clock', () => {
      expect(paused.observe(e.hearingStarted(HEARING_STARTED)).emitted).toEqual([]);
      expect(resumed.observe(e.hearingEnded(HEARING_ENDED)).emitted).toEqual([]);
    });
    it('stops it on the re-review decision', () => {
      const decidedAgain = resumed.observe(e.reReviewDecided('2025-07-08T02:00:00.000Z'));
      expect(decidedAgain.clock('re_review_decision')).toMatchObject({ state: 'met', late: false });
    });
  });
});
