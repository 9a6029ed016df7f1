import { fold } from '@casegrid/kernel';
import type { PetitionEvent } from './petition.events';
import { evolve, initialState } from './petition.state';
import { periodEnd } from './petition.periods';
import { petitionView, type StatutoryDate } from './petition.view';
import {
  accepted,
  answered,
  at,
  CALENDAR_2025,
  CASE_ID,
  endOf,
  event,
  reReviewDecided,
  reReviewRequested,
  reviewDecided,
  reviewRequested,
} from './testing/petition.fixtures';

const view = (history: PetitionEvent[], now: string, receivedAt = at('2025-09-20')) =>
  petitionView({
    caseId: CASE_ID,
    receivedAt,
    state: fold(evolve, initialState(), history),
    version: history.length,
    now: new Date(now),
    calendar: CALENDAR_2025,
  });

const dates = (history: PetitionEvent[], now: string) =>
  Object.fromEntries(
    view(history, now).statutoryDates.map((d) => [d.step, [d.lastDay, d.state]] as const),
  );

const decidedOn = (day: string): PetitionEvent =>
  event('PetitionAcceptanceDecided', {
    decision: 'not_accepted',
    reason: '不属于信访事项',
    channel: null,
    decidedAt: at(day),
    receivedAt: at('2025-09-20'),
    opinionDueAt: null,
  });

describe('the petition view', () => {
  describe('awaiting acceptance: 15 days from receipt (Art 22, 23)', () => {
    it('runs to 10-09 when day 15 (10-05) falls in the National Day holiday', () => {
      const awaiting = view([], at('2025-10-08'));
      expect(awaiting).toMatchObject({
        outcome: null,
        status: 'awaiting_acceptance',
        version: 0,
        acceptance: null,
      });
      expect(awaiting.statutoryDates).toEqual<StatutoryDate[]>([
        {
          step: 'petition_acceptance',
          article: '信访工作条例 第二十二条、第二十三条',
          party: 'organ',
          from: at('2025-09-20'),
          days: 15,
          lastDay: '2025-10-09',
          dueAt: endOf('2025-10-09'),
          doneAt: null,
          state: 'running',
          calendarFallback: false,
        },
      ]);
    });
    it('is overdue from 24:00 of the last day', () => {
      expect(dates([], at('2025-10-09', '23:59:59')).petition_acceptance).toEqual([
        '2025-10-09',
        'running',
      ]);
      expect(dates([], at('2025-10-10', '00:00:00')).petition_acceptance).toEqual([
        '2025-10-09',
        'overdue',
      ]);
    });
    it('ends on the make-up Saturday 10-11 without rolling', () => {
      const d = view([], at('2025-10-01'), at('2025-09-26')).statutoryDates[0];
      expect(d).toMatchObject({ lastDay: '2025-10-11', dueAt: endOf('2025-10-11') });
    });
    it('is met on the day before and the day of the limit, late on the day after', () => {
      expect(dates([decidedOn('2025-10-08')], at('2025-12-01')).petition_acceptance?.[1]).toBe(
        'met',
      );
      expect(dates([decidedOn('2025-10-09')], at('2025-12-01')).petition_acceptance?.[1]).toBe(
        'met',
      );
      expect(dates([decidedOn('2025-10-10')], at('2025-12-01')).petition_acceptance?.[1]).toBe(
        'late',
      );
    });
    it('shows nothing more for a petition not accepted', () => {
      const decided = view([decidedOn('2025-10-08')], at('2025-12-01'));
      expect(decided).toMatchObject({ status: 'not_accepted', outcome: 'terminated' });
      expect(decided.statutoryDates.map((d) => d.step)).toEqual(['petition_acceptance']);
    });
  });

  describe('the outcome the ledger records', () => {
    it('is referred when diverted, resolved once answered, none while handled', () => {
      const diverted = event('PetitionAcceptanceDecided', {
        decision: 'diverted',
        reason: '属于民事诉讼范围',
        channel: 'litigation',
        decidedAt: at('2025-09-22'),
        receivedAt: at('2025-09-20'),
        opinionDueAt: null,
      });
      expect(view([diverted], at('2025-10-01')).outcome).toBe('referred');
      expect(view([accepted()], at('2025-10-01')).outcome).toBeNull();
      expect(view([accepted(), answered(at('2025-11-01'))], at('2025-11-02')).outcome).toBe(
        'resolved',
      );
    });
  });

  describe('accepted: the opinion (Art 34)', () => {
    it('is due 60 days after acceptance, rolled to Monday 12-01', () => {
      expect(dates([accepted()], at('2025-11-01')).petition_opinion).toEqual([
        '2025-12-01',
        'running',
      ]);
      expect(dates([accepted()], at('2025-12-02')).petition_opinion).toEqual([
        '2025-12-01',
        'overdue',
      ]);
    });
    it('is due 90 days after acceptance once extended by 30, with who approved it', () => {
      const extended = event('PetitionExtended', {
        days: 30,
        reason: '情况复杂',
        approvedBy: '区信访局局长 李明',
        approvedAt: at('2025-11-20'),
        opinionDueAt: endOf('2025-12-29'),
      });
      const v = view([accepted(), extended], at('2025-12-10'));
      expect(v.extension).toMatchObject({ days: 30, approvedBy: '区信访局局长 李明' });
      expect(v.statutoryDates[1]).toMatchObject({
        days: 90,
        lastDay: '2025-12-29',
        state: 'running',
      });
    });
    it('is met by an opinion on the last day, late on the day after', () => {
      expect(
        dates([accepted(), answered(at('2025-12-01'))], at('2025-12-10')).petition_opinion?.[1],
      ).toBe('met');
      expect(
        dates([accepted(), answered(at('2025-12-02'))], at('2025-12-10')).petition_opinion?.[1],
      ).toBe('late');
    });
  });

  describe('each duty on the day before, the day of and the day after its limit', () => {
    const acceptedOn = (decidedAt: string, receivedAt: string): PetitionEvent =>
      event('PetitionAcceptanceDecided', {
        decision: 'accepted',
        reason: '依法受理',
        channel: null,
        decidedAt,
        receivedAt,
        opinionDueAt: periodEnd(CALENDAR_2025, decidedAt, 60).dueAt.toISOString(),
      });
    const states = (make: (day: string) => PetitionEvent[], step: string, days: string[]) =>
      days.map(
        (day) =>
          view(make(day), at('2025-12-31')).statutoryDates.find((d) => d.step === step)?.state,
      );

    it('acceptance ending on the make-up Saturday 10-11 (received 09-26)', () => {
      const make = (day: string) => [acceptedOn(at(day), at('2025-09-26'))];
      expect(
        states(make, 'petition_acceptance', ['2025-10-10', '2025-10-11', '2025-10-12']),
      ).toEqual(['met', 'met', 'late']);
    });
    it('opinion whose 60th day (10-01) is in National Day: due 10-09 (accepted 08-02)', () => {
      const make = (day: string) => [
        acceptedOn(at('2025-08-02'), at('2025-08-01')),
        answered(at(day)),
      ];
      expect(states(make, 'petition_opinion', ['2025-10-08', '2025-10-09', '2025-10-10'])).toEqual([
        'met',
        'met',
        'late',
      ]);
    });
    it('review decision whose 30th day (10-01) is in National Day: due 10-09 (requested 09-01)', () => {
      const make = (day: string) => [
        acceptedOn(at('2025-08-02'), at('2025-08-01')),
        answered(at('2025-08-20')),
        reviewRequested(at('2025-09-01'), endOf('2025-10-09')),
        reviewDecided(at(day)),
      ];
      expect(states(make, 'review_decision', ['2025-10-08', '2025-10-09', '2025-10-10'])).toEqual([
        'met',
        'met',
        'late',
      ]);
    });
    it('re-review decision whose 30th day is Dragon Boat 05-31: due 06-03 (requested 05-01)', () => {
      const make = (day: string) => [
        acceptedOn(at('2025-02-10'), at('2025-02-08')),
        answered(at('2025-03-01')),
        reviewRequested(at('2025-03-10'), endOf('2025-04-09')),
        reviewDecided(at('2025-04-20')),
        reReviewRequested(at('2025-05-01'), endOf('2025-06-03')),
        reReviewDecided(at(day)),
      ];
      expect(
        states(make, 're_review_decision', ['2025-06-02', '2025-06-03', '2025-06-04']),
      ).toEqual(['met', 'met', 'late']);
    });
  });

  describe('the petitioner windows and the review deadlines (Art 35, 36)', () => {
    const history = [accepted(at('2025-08-20')), answered(at('2025-09-05'))];
    it('opens the review window to 10-09 (past National Day), then lapses it', () => {
      expect(dates(history, at('2025-10-09')).review_request).toEqual(['2025-10-09', 'open']);
      expect(dates(history, at('2025-10-10')).review_request).toEqual(['2025-10-09', 'lapsed']);
    });
    it('shows every date of a petition taken to termination', () => {
      const all = [
        ...history,
        reviewRequested(at('2025-10-08'), endOf('2025-11-07')),
        reviewDecided(at('2025-11-06')),
        reReviewRequested(at('2025-11-20'), endOf('2025-12-22')),
        reReviewDecided(at('2025-12-23')),
        event('PetitionTerminated', { basis: '复核终结', terminatedAt: at('2025-12-24') }),
      ];
      const v = view(all, at('2025-12-30'));
      expect(v).toMatchObject({ status: 'terminated', outcome: 'terminated' });
      expect(v.termination).toEqual({ basis: '复核终结', terminatedAt: at('2025-12-24') });
      expect(dates(all, at('2025-12-30'))).toEqual({
        petition_acceptance: ['2025-09-01', 'met'], // 08-16 + 15 = Sunday 08-31
        petition_opinion: ['2025-10-20', 'met'],
        review_request: ['2025-10-09', 'used'],
        review_decision: ['2025-11-07', 'met'],
        re_review_request: ['2025-12-08', 'used'],
        re_review_decision: ['2025-12-22', 'late'],
      });
    });
  });
});
