import { DEFAULT_CALENDAR_YEARS, WorkingCalendar } from '@casegrid/calendar';
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
  eventMeta,
  CASE_ID,
  OFFICE,
} from './testing/petition.fixtures';

const spec = deciderSpec(petitionDecider(CALENDAR_2025));

const decide = (
  decision: 'accepted' | 'not_accepted' | 'diverted',
  channel: 'litigation' | null = null,
  decidedAt: string | null = at('2025-09-30'),
) =>
  command('DecideAcceptance', {
    receivedAt: at('2025-09-26'),
    decision,
    reason: '属本机关职责，依法受理',
    channel,
    decidedAt,
  });

const extend = (approvedAt: string | null, days = 30, approvedBy = '区信访局局长 李明') =>
  command('ExtendHandling', { days, reason: '情况复杂，需多部门会商', approvedBy, approvedAt });

const opinion = (issuedAt: string | null) =>
  command('IssueOpinion', { result: 'supported', text: '予以支持，责成补发工资', issuedAt });

const extended = event('PetitionExtended', {
  days: 30,
  reason: '情况复杂，需多部门会商',
  approvedBy: '区信访局局长 李明',
  approvedAt: at('2025-11-20'),
  opinionDueAt: endOf('2025-12-29'),
});

describe('a petition', () => {
  describe('awaiting its acceptance decision (Art 22, 23)', () => {
    it('is accepted, and the 60-day opinion period ends with the first working day after 11-29 (Art 34)', () => {
      // 09-30 + 60 days = Saturday 2025-11-29: a day off, so the period ends with Monday 12-01.
      spec.when(decide('accepted')).then([accepted()]);
    });
    it('counts on the calendar it is given: a year changed by an admin moves the date', () => {
      const changed = WorkingCalendar.fromYears(
        DEFAULT_CALENDAR_YEARS.map((y) =>
          y.year === 2025 ? { ...y, holidays: [...y.holidays, '2025-12-01'] } : y,
        ),
      );
      deciderSpec(petitionDecider(changed))
        .when(decide('accepted'))
        .then([
          expect.objectContaining({
            data: expect.objectContaining({ opinionDueAt: endOf('2025-12-02') }),
          }),
        ]);
    });
    it('is not accepted, with the reason', () => {
      spec.when(decide('not_accepted')).then([
        {
          type: 'PetitionAcceptanceDecided',
          data: {
            caseId: CASE_ID,
            departmentId: OFFICE,
            decision: 'not_accepted',
            reason: '属本机关职责，依法受理',
            channel: null,
            decidedAt: at('2025-09-30'),
            receivedAt: at('2025-09-26'),
            opinionDueAt: null,
          },
          metadata: eventMeta(new Date(at('2025-09-30'))),
        },
      ]);
    });
    it('is diverted to the channel it belongs to (诉访分离)', () => {
      spec.when(decide('diverted', 'litigation')).then([
        expect.objectContaining({
          data: expect.objectContaining({ decision: 'diverted', channel: 'litigation' }),
        }),
      ]);
    });
    it('is not diverted without naming the channel', () => {
      spec.when(decide('diverted')).thenThrows('validation_failed', /channel/);
    });
    it('names a channel only when diverted', () => {
      spec.when(decide('accepted', 'litigation')).thenThrows('validation_failed', /channel/);
    });
    it('is decided now when no date is given', () => {
      spec.when(decide('not_accepted', null, null)).then([
        expect.objectContaining({
          data: expect.objectContaining({ decidedAt: '2025-12-31T04:00:00.000Z' }),
        }),
      ]);
    });
    it('is not decided in the future nor before it was received', () => {
      spec
        .when(decide('accepted', null, at('2026-01-05')))
        .thenThrows('validation_failed', /future/);
      spec
        .when(decide('accepted', null, at('2025-09-25')))
        .thenThrows('validation_failed', /decidedAt: must not be before the petition was received/);
    });
    it('has nothing to extend, answer, review or terminate yet', () => {
      spec.when(extend(at('2025-10-01'))).thenThrows('illegal_state', /第三十四条/);
      spec.when(opinion(null)).thenThrows('illegal_state', /only an accepted petition/);
      spec
        .when(command('TerminatePetition', { basis: '终结', terminatedAt: null }))
        .thenThrows('illegal_state', /第三十六条第三款/);
    });
  });

  describe('when decided', () => {
    it('is decided once', () => {
      spec
        .given([accepted()])
        .when(decide('not_accepted'))
        .thenThrows('illegal_state', /decided on 2025-09-30/);
    });
    it('gets no opinion once not accepted or diverted', () => {
      const diverted = event('PetitionAcceptanceDecided', {
        decision: 'diverted',
        reason: '涉诉',
        channel: 'litigation',
        decidedAt: at('2025-09-30'),
        receivedAt: at('2025-09-26'),
        opinionDueAt: null,
      });
      spec
        .given([diverted])
        .when(opinion(null))
        .thenThrows('illegal_state', /diverted/);
      spec
        .given([diverted])
        .when(extend(null))
        .thenThrows('illegal_state', /第三十四条/);
    });
  });

  describe('when accepted: the extension (Art 34)', () => {
    it('extends the period to 90 days from acceptance, with who approved it', () => {
      spec
        .given([accepted()])
        .when(extend(at('2025-11-20')))
        .then([extended]);
    });
    it('is allowed on the day before the period ends', () => {
      spec
        .given([accepted()])
        .when(extend(at('2025-11-30'), 10))
        .then([
          expect.objectContaining({
            data: expect.objectContaining({ opinionDueAt: endOf('2025-12-09') }),
          }),
        ]);
    });
    it('is allowed on the last day of the period, rolled past the weekend', () => {
      spec
        .given([accepted()])
        .when(extend(at('2025-12-01', '23:59:59')))
        .then([expect.anything()]);
    });
    it('is refused the day after: a lapsed period cannot be revived', () => {
      spec
        .given([accepted()])
        .when(extend(at('2025-12-02', '00:00:00')))
        .thenThrows('illegal_state', /ended with 2025-12-01.*第三十四条/);
    });
    it('is allowed only once', () => {
      spec
        .given([accepted(), extended])
        .when(extend(at('2025-12-10'), 5))
        .thenThrows(
          'illegal_state',
          /extended by 30 days on 2025-11-20; 信访工作条例 第三十四条 allows one/,
        );
    });
    it('is never longer than 30 days, and needs who approved it', () => {
      spec
        .given([accepted()])
        .when(extend(at('2025-11-20'), 31, ' '))
        .thenThrows('validation_failed', /days: .*1 to 30.*approvedBy/);
      spec
        .given([accepted()])
        .when(extend(at('2025-11-20'), 0))
        .thenThrows('validation_failed', /days/);
    });
  });

  describe('when accepted: the opinion (Art 32, 34)', () => {
    it('is issued with one of the three results of Art 32', () => {
      spec
        .given([accepted()])
        .when(opinion(at('2025-11-10')))
        .then([
          event('PetitionOpinionIssued', {
            result: 'supported',
            text: '予以支持，责成补发工资',
            issuedAt: at('2025-11-10'),
          }),
        ]);
    });
    it('is still issued after the limit (the duty outlives it; the view marks it late)', () => {
      spec
        .given([accepted()])
        .when(opinion(at('2025-12-20')))
        .then([expect.anything()]);
    });
    it('is not dated before the acceptance', () => {
      spec
        .given([accepted()])
        .when(opinion(at('2025-09-29')))
        .thenThrows('validation_failed', /issuedAt: must not be before the petition was accepted/);
    });
    it('is issued once; a different answer comes from review', () => {
      spec
        .given([accepted(), answered(at('2025-11-10'))])
        .when(opinion(null))
        .thenThrows('illegal_state', /issued on 2025-11-10.*第三十五条/);
    });
    it('ends the period: no extension after the opinion', () => {
      spec
        .given([accepted(), answered(at('2025-11-10'))])
        .when(extend(at('2025-11-11')))
        .thenThrows('illegal_state', /has its opinion/);
    });
  });
});
