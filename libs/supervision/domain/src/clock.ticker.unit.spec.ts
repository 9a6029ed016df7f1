import { nextFireAt } from './clock.ticker';
import {
  CASE_ID,
  context,
  DEPT,
  History,
  NUMBER,
  REGION,
  commands,
  events as e,
} from './testing/case-history.fixtures';

/** Dispatched Monday 10 March 2025, 10:00 CST, to a village committee (lead) and the police. */
const DISPATCHED = '2025-03-10T02:00:00.000Z';
/** Accept: 1 working day → 24:00 Tuesday 11 March CST; warned 4 hours before. */
const ACCEPT_WARN = '2025-03-11T12:00:00.000Z';
const ACCEPT_DUE = '2025-03-11T16:00:00.000Z';
const JUST_BEFORE = (iso: string) => new Date(Date.parse(iso) - 1).toISOString();
/** Two working days of township supervision: Wednesday and Thursday → 24:00 Thursday 13 March. */
const TO_COUNTY = '2025-03-13T16:00:00.000Z';
/** Two more (Friday 14, Monday 17) → 24:00 Monday 17 March. */
const TO_CITY = '2025-03-17T16:00:00.000Z';
/** Ten days of outage after the due time. */
const AFTER_OUTAGE = '2025-03-21T16:00:00.000Z';

describe('the ticker (fire, dueReactions, nextFireAt)', () => {
  const dispatched = History.of().observe(
    e.registered('2025-03-10T01:00:00.000Z'),
    e.dispatched(DISPATCHED),
  );
  const warned = dispatched.fire(ACCEPT_WARN);
  const breached = warned.fire(ACCEPT_DUE);

  describe('when a clock runs', () => {
    it('does not warn a millisecond before the warning time', () => {
      expect(dispatched.fire(JUST_BEFORE(ACCEPT_WARN)).emitted).toEqual([]);
    });
    it('warns (黄灯) exactly at the warning time, each holder once', () => {
      expect(warned.of('DeadlineApproaching')).toEqual([
        {
          caseId: CASE_ID,
          clockId: 'c1',
          obligation: 'accept',
          departmentId: DEPT.committee,
          dueAt: ACCEPT_DUE,
        },
        {
          caseId: CASE_ID,
          clockId: 'c2',
          obligation: 'accept',
          departmentId: DEPT.police,
          dueAt: ACCEPT_DUE,
        },
      ]);
      expect(warned.types).toEqual(['DeadlineApproaching', 'DeadlineApproaching']);
    });
    it.each([ACCEPT_WARN, '2025-03-11T14:00:00.000Z', JUST_BEFORE(ACCEPT_DUE)])(
      'does not warn again at %s',
      (at) => {
        expect(warned.fire(at).emitted).toEqual([]);
      },
    );
    it('breaches (红灯) exactly at the due time, naming who held the case since when', () => {
      expect(breached.of('DeadlineBreached')).toEqual([
        {
          caseId: CASE_ID,
          clockId: 'c1',
          obligation: 'accept',
          departmentId: DEPT.committee,
          handlerId: null,
          heldSince: DISPATCHED,
          dueAt: ACCEPT_DUE,
          policy: 'accept',
          article: null,
        },
        expect.objectContaining({ clockId: 'c2', departmentId: DEPT.police, heldSince: null }),
      ]);
    });
    it.each([ACCEPT_DUE, JUST_BEFORE(TO_COUNTY)])('does not breach again at %s', (at) => {
      expect(breached.fire(at).emitted).toEqual([]);
    });
    it('emits both, in order, when it first runs after the due time', () => {
      const late = dispatched.fire('2025-03-11T17:00:00.000Z');
      expect(late.types.slice(0, 4)).toEqual([
        'DeadlineApproaching',
        'DeadlineBreached',
        'DeadlineApproaching',
        'DeadlineBreached',
      ]);
    });
    it('names the handler who held an accepted case when it breached (责任倒查)', () => {
      const accepted = dispatched.observe(e.accepted('2025-03-10T06:00:00.000Z'));
      // resolve.minor: 5 working days → 24:00 Monday 17 March
      const late = accepted.fire('2025-03-17T16:00:00.000Z');
      expect(late.of('DeadlineBreached')[0]).toMatchObject({
        obligation: 'resolve',
        departmentId: DEPT.committee,
        handlerId: 'u-handler',
        heldSince: DISPATCHED,
      });
    });
  });

  describe('when the events that could meet a clock may still be on their way', () => {
    // What supervision has seen of the producers, as the scheduler hands it over.
    const seenUpTo = (at: string | null) => (ctx: ReturnType<typeof context>) => ({
      ...ctx,
      watermark: () => at,
    });
    const before = JUST_BEFORE(ACCEPT_DUE);

    it('neither warns nor breaches past what has been seen', () => {
      const waiting = dispatched.withContext(seenUpTo(before)(context()));
      expect(waiting.fire('2025-03-12T09:00:00.000Z').types).toEqual([
        'DeadlineApproaching',
        'DeadlineApproaching',
      ]);
      expect(
        dispatched.withContext(seenUpTo(JUST_BEFORE(ACCEPT_WARN))(context())).fire(AFTER_OUTAGE)
          .emitted,
      ).toEqual([]);
    });
    it('fires nothing when nothing has been seen yet', () => {
      expect(dispatched.withContext(seenUpTo(null)(context())).fire(AFTER_OUTAGE).emitted).toEqual(
        [],
      );
    });
    it('breaches once what was seen reaches the due time, and escalates only as far', () => {
      const seen = dispatched.withContext(seenUpTo(ACCEPT_DUE)(context())).fire(AFTER_OUTAGE);
      expect(seen.of('DeadlineBreached')).toHaveLength(2);
      // The township's interval runs out at TO_COUNTY, which has not been seen yet.
      expect(seen.of('SupervisionEscalated')).toEqual([
        expect.objectContaining({ level: 'township' }),
      ]);
      const further = seen.withContext(seenUpTo(TO_CITY)(context())).fire(AFTER_OUTAGE);
      expect(further.of('SupervisionEscalated').map((x) => x.level)).toEqual(['county', 'city']);
    });
    it('is met on time by an acceptance committed before the due time that arrives after it', () => {
      const waiting = dispatched.withContext(seenUpTo(before)(context())).fire(AFTER_OUTAGE);
      const met = waiting.observe(e.accepted(JUST_BEFORE(ACCEPT_DUE)));
      expect(met.of('DeadlineMet').map((m) => m.late)).toEqual([false, false]);
      const later = met.withContext(context()).fire(AFTER_OUTAGE);
      expect(later.of('DeadlineBreached').filter((b) => b.obligation === 'accept')).toEqual([]);
    });
  });

  describe('the escalation ladder (提级督办)', () => {
    it('raises a village case’s breach to its township', () => {
      expect(breached.of('SupervisionEscalated')).toEqual([
        {
          caseId: CASE_ID,
          fromLevel: 'none',
          level: 'township',
          supervisingRegionCode: REGION.township,
          clockIds: ['c1', 'c2'],
          departmentId: DEPT.committee,
          reason: `accept overdue since ${ACCEPT_DUE}`,
          nextEscalationAt: TO_COUNTY,
        },
      ]);
      expect(breached.state).toMatchObject({
        supervisionLevel: 'township',
        supervisingRegionCode: REGION.township,
      });
    });
    it('raises a township department’s breach to its county', () => {
      const township = History.of()
        .observe(
          e.registered('2025-03-10T01:00:00.000Z'),
          e.dispatched(DISPATCHED, DEPT.police, []),
        )
        .fire(ACCEPT_DUE);
      expect(township.of('SupervisionEscalated')).toEqual([
        expect.objectContaining({ level: 'county', supervisingRegionCode: REGION.county }),
      ]);
    });
    it('raises it again only after the interval, then to the city with one notice (通报)', () => {
      expect(breached.fire(JUST_BEFORE(TO_COUNTY)).emitted).toEqual([]);
      const county = breached.fire(TO_COUNTY);
      expect(county.emitted).toEqual([
        {
          type: 'SupervisionEscalated',
          data: expect.objectContaining({
            fromLevel: 'township',
            level: 'county',
            supervisingRegionCode: REGION.county,
            reason: 'still overdue',
            nextEscalationAt: TO_CITY,
          }),
        },
      ]);
      expect(county.fire(JUST_BEFORE(TO_CITY)).emitted).toEqual([]);
      const city = county.fire(TO_CITY);
      expect(city.types).toEqual(['SupervisionEscalated', 'NoticeIssued']);
      expect(city.of('SupervisionEscalated')[0]).toMatchObject({
        level: 'city',
        supervisingRegionCode: REGION.city,
        nextEscalationAt: null,
      });
      expect(city.of('NoticeIssued')).toEqual([
        {
          caseId: CASE_ID,
          noticeId: 'notice-1',
          regionCode: REGION.city,
          departmentId: DEPT.committee,
          clockIds: ['c1', 'c2'],
          obligations: ['accept'],
          text: expect.stringContaining(NUMBER),
        },
      ]);
      expect(city.fire('2025-04-30T00:00:00.000Z').emitted).toEqual([]);
      expect(city.state.noticeIds).toEqual(['notice-1']);
    });
    it('catches up the whole ladder in one run after a 10-day outage, counted from the due time', () => {
      const caughtUp = dispatched.fire(AFTER_OUTAGE);
      expect(caughtUp.types).toEqual([
        'DeadlineApproaching',
        'DeadlineBreached',
        'DeadlineApproaching',
        'DeadlineBreached',
        'SupervisionEscalated',
        'SupervisionEscalated',
        'SupervisionEscalated',
        'NoticeIssued',
      ]);
      expect(caughtUp.of('SupervisionEscalated').map((s) => [s.level, s.nextEscalationAt])).toEqual(
        [
          ['township', TO_COUNTY],
          ['county', TO_CITY],
          ['city', null],
        ],
      );
      expect(caughtUp.fire(AFTER_OUTAGE).emitted).toEqual([]);
    });
    it('stops when the overdue clock is met', () => {
      const cured = breached.observe(e.accepted('2025-03-12T01:00:00.000Z'));
      expect(cured.of('DeadlineMet').every((m) => m.late)).toBe(true);
      expect(cured.fire(TO_CITY).of('SupervisionEscalated')).toEqual([]);
      expect(cured.state.supervisionLevel).toBe('township');
    });
    it('does not escalate a lapsed judicial confirmation window (the parties’, Art 33)', () => {
      const visited = dispatched
        .observe(
          e.accepted('2025-03-10T06:00:00.000Z'),
          e.agreementReached('2025-03-13T02:00:00.000Z'),
        )
        .command(commands.followUp('2025-03-14T02:00:00.000Z'));
      // 30 days after Thu 13 March: Sat 12 April → Monday 14 April.
      const lapsed = visited.fire('2025-04-14T16:00:00.000Z');
      expect(lapsed.of('DeadlineBreached').map((b) => b.obligation)).toEqual([
        'judicial_confirmation',
      ]);
      expect(lapsed.of('SupervisionEscalated')).toEqual([]);
      expect(lapsed.state.supervisionLevel).toBe('none');
      expect(nextFireAt(lapsed.state)).toBeNull();
    });
  });

  describe('nextFireAt', () => {
    it('is null when nothing is pending', () => {
      expect(nextFireAt(History.of().observe(e.registered(DISPATCHED)).state)).toBeNull();
    });
    it('is the earliest warning of the running clocks', () => {
      expect(nextFireAt(dispatched.state)).toBe(ACCEPT_WARN);
    });
    it('is the due time once warned', () => {
      expect(nextFireAt(warned.state)).toBe(ACCEPT_DUE);
    });
    it('is the next rung of the ladder once breached, and nothing at the city', () => {
      expect(nextFireAt(breached.state)).toBe(TO_COUNTY);
      expect(nextFireAt(dispatched.fire(AFTER_OUTAGE).state)).toBeNull();
    });
    it('ignores a met clock’s ladder and looks at the clocks still running', () => {
      const cured = breached.observe(e.accepted('2025-03-12T01:00:00.000Z'));
      // resolve.minor from Wed 12 March: due 24:00 Wed 19 March, warned at 24:00 Tue 18.
      expect(nextFireAt(cured.state)).toBe('2025-03-18T16:00:00.000Z');
    });
  });
});
