import { DEFAULT_CALENDAR_YEARS, WorkingCalendar, type CalendarYear } from '@casegrid/calendar';
import type { VersionedDeadlinePolicy } from './clock.policies';
import { clockMoves, type Recount } from './clock.reschedule';
import { evolveLedger } from './ledger.evolve';
import type { DeadlineCommand } from './deadline.commands';
import {
  calendar,
  DEPT,
  History,
  POLICIES,
  events as e,
  supervisionEvent,
} from './testing/case-history.fixtures';

/**
 * Counting running clocks again when reference data changes (issue 17): which clocks a
 * calendar year or a policy applied to running clocks moves, and to what.
 */

/** Monday 28 December 2026, 10:00 CST: dispatched, and accepted an hour later. */
const DISPATCHED = '2026-12-28T02:00:00.000Z';
const ACCEPTED = '2026-12-28T03:00:00.000Z';
/**
 * Resolve (5 working days) on weekends alone: 29, 30, 31 December, Friday 1 January,
 * Monday 4 January 2027; warned one working day before, at the end of 1 January.
 */
const FALLBACK_DUE = '2027-01-04T16:00:00.000Z';
const FALLBACK_WARN = '2027-01-01T16:00:00.000Z';
/** With 1 January a holiday: Tuesday 5 January, warned at the end of Monday the 4th. */
const DUE_2027 = '2027-01-05T16:00:00.000Z';
const WARN_2027 = '2027-01-04T16:00:00.000Z';
/** A petition accepted for handling Tuesday 8 December 2026: 60 days → Saturday 6 February. */
const DECIDED = '2026-12-08T02:00:00.000Z';
const OPINION_FALLBACK_DUE = '2027-02-08T16:00:00.000Z'; // rolled to Monday
const OPINION_DUE_2027 = '2027-02-12T16:00:00.000Z'; // past the Spring Festival block
const PREVIEWED = '2026-12-28T08:00:00.000Z';

/** A test 2027: New Year's Day and a Spring Festival block, with one make-up Saturday. */
const YEAR_2027: CalendarYear = {
  year: 2027,
  holidays: ['2027-01-01', ...[5, 6, 7, 8, 9, 10, 11].map((d) => `2027-02-${`0${d}`.slice(-2)}`)],
  makeupWorkdays: ['2027-02-20'],
  version: 1,
};
const WITH_2027 = WorkingCalendar.fromYears([...DEFAULT_CALENDAR_YEARS, YEAR_2027]);
const LOAD_2027: Recount = { kind: 'calendar', year: 2027, version: 1, calendar: WITH_2027 };

const accepted = History.of().observe(
  e.registered('2026-12-28T01:00:00.000Z'),
  e.dispatched(DISPATCHED),
  e.accepted(ACCEPTED, 'direct'),
);
const resolveMinor = POLICIES.find((p) => p.code === 'resolve.minor')!;

describe('clockMoves on loading a calendar year', () => {
  it('moves the running clocks that counted into the year on weekends alone', () => {
    expect(accepted.clock('resolve', DEPT.committee)).toMatchObject({
      dueAt: FALLBACK_DUE,
      warnAt: FALLBACK_WARN,
      basis: { calendarFallback: true, calendarVersion: '2024.1+2025.1+2026.1' },
    });
    const moves = clockMoves(accepted.state, LOAD_2027, new Date(PREVIEWED));
    expect(moves.map((m) => [m.clockId, m.departmentId])).toEqual([
      ['c3', DEPT.committee],
      ['c4', DEPT.police],
    ]);
    expect(moves[0]).toEqual({
      clockId: 'c3',
      obligation: 'resolve',
      departmentId: DEPT.committee,
      previousDueAt: FALLBACK_DUE,
      dueAt: DUE_2027,
      previousWarnAt: FALLBACK_WARN,
      warnAt: WARN_2027,
      previousLight: 'green',
      light: 'green',
      basis: {
        ...accepted.clock('resolve', DEPT.committee).basis,
        calendarVersion: '2024.1+2025.1+2026.1+2027.1',
        calendarFallback: false,
      },
      rules: accepted.clock('resolve', DEPT.committee).rules,
    });
  });

  it('moves a calendar-day period out of the Spring Festival block', () => {
    const petition = History.of().observe(
      e.registered('2026-12-07T01:00:00.000Z', { kind: 'petition' }),
      e.dispatched('2026-12-07T02:00:00.000Z', DEPT.petitionOffice, []),
      e.accepted('2026-12-07T03:00:00.000Z', 'petition', DEPT.petitionOffice),
      e.acceptanceDecided(DECIDED),
    );
    expect(petition.clock('petition_opinion').dueAt).toBe(OPINION_FALLBACK_DUE);
    const moves = clockMoves(petition.state, LOAD_2027, new Date(PREVIEWED));
    expect(moves.map((m) => [m.obligation, m.previousDueAt, m.dueAt])).toEqual([
      ['petition_opinion', OPINION_FALLBACK_DUE, OPINION_DUE_2027],
    ]);
  });

  it('leaves clocks that end within the loaded years alone', () => {
    // Dispatched only: the accept clocks end on Tuesday 29 December 2026.
    const dispatched = History.of().observe(
      e.registered('2026-12-28T01:00:00.000Z'),
      e.dispatched(DISPATCHED),
    );
    expect(dispatched.state.deadlines.map((c) => c.dueAt)).toEqual([
      '2026-12-29T16:00:00.000Z',
      '2026-12-29T16:00:00.000Z',
    ]);
    expect(clockMoves(dispatched.state, LOAD_2027, new Date(PREVIEWED))).toEqual([]);
  });

  it('moves nothing the second time: the recounted case is what the year gives', () => {
    const loaded = accepted.recount(LOAD_2027, PREVIEWED);
    expect(loaded.of('DeadlineRescheduled').map((d) => [d.clockId, d.dueAt, d.reason])).toEqual([
      ['c3', DUE_2027, { kind: 'calendar', year: 2027, version: 1 }],
      ['c4', DUE_2027, { kind: 'calendar', year: 2027, version: 1 }],
    ]);
    expect(clockMoves(loaded.state, LOAD_2027, new Date(PREVIEWED))).toEqual([]);
    const again = loaded.recount({ ...LOAD_2027, version: 2 }, PREVIEWED);
    expect(again.emitted).toEqual([]);
  });

  it('never un-breaches a clock, and leaves met and paused clocks alone', () => {
    const breached = accepted.fire(FALLBACK_DUE);
    expect(breached.clock('resolve', DEPT.committee).state).toBe('breached');
    expect(clockMoves(breached.state, LOAD_2027, new Date(FALLBACK_DUE))).toEqual([]);

    const met = accepted.observe(e.resolved('2026-12-29T02:00:00.000Z'));
    expect(met.clock('resolve', DEPT.committee).state).toBe('met');
    // Only the follow-up clock the outcome started moves (5 working days from the 29th).
    expect(clockMoves(met.state, LOAD_2027, new Date(PREVIEWED)).map((m) => m.obligation)).toEqual([
      'follow_up',
    ]);

    const paused = accepted.command(pause('c3', '2026-12-28T06:00:00.000Z'));
    const moves = clockMoves(paused.state, LOAD_2027, new Date(PREVIEWED));
    expect(moves.map((m) => m.clockId)).toEqual(['c4']);
  });

  it('moves a clock whose period a corrected year changes, and no other', () => {
    // 2026, version 2: Wednesday 30 December made a day off.
    const y2026 = DEFAULT_CALENDAR_YEARS.find((y) => y.year === 2026)!;
    const corrected = WorkingCalendar.fromYears([
      ...DEFAULT_CALENDAR_YEARS.filter((y) => y.year !== 2026),
      { ...y2026, holidays: [...y2026.holidays, '2026-12-30'], version: 2 },
    ]);
    const recount: Recount = { kind: 'calendar', year: 2026, version: 2, calendar: corrected };
    const moves = clockMoves(accepted.state, recount, new Date(PREVIEWED));
    expect(moves.map((m) => [m.clockId, m.dueAt, m.basis.calendarFallback])).toEqual([
      ['c3', '2027-01-05T16:00:00.000Z', true],
      ['c4', '2027-01-05T16:00:00.000Z', true],
    ]);
    const earlier = History.of().observe(
      e.registered('2026-11-02T01:00:00.000Z'),
      e.dispatched('2026-11-02T02:00:00.000Z'),
      e.accepted('2026-11-02T03:00:00.000Z', 'direct'),
    );
    expect(clockMoves(earlier.state, recount, new Date(PREVIEWED))).toEqual([]);
  });

  it('gives the light each moved clock has once counted again', () => {
    // At 20:00 on 4 January the weekends-only clock is yellow (warned at the end of the 1st);
    // counted on 2027 its warning is at 24:00 that day: green until then.
    const warned = accepted.fire(FALLBACK_WARN);
    expect(warned.clock('resolve', DEPT.committee).warned).toBe(true);
    const at = '2027-01-04T12:00:00.000Z';
    const [move] = clockMoves(warned.state, LOAD_2027, new Date(at));
    expect([move?.previousLight, move?.light]).toEqual(['yellow', 'green']);
    const folded = warned.recount(LOAD_2027, at);
    expect(folded.clock('resolve', DEPT.committee)).toMatchObject({
      warned: false,
      dueAt: DUE_2027,
    });
    expect(folded.fire(WARN_2027).types).toContain('DeadlineApproaching');
    // A year that brings the due time before now: red once the scheduler fires it.
    const shorter = WorkingCalendar.fromYears([
      ...DEFAULT_CALENDAR_YEARS,
      { year: 2027, holidays: [], makeupWorkdays: ['2027-01-02'], version: 1 },
    ]);
    const [early] = clockMoves(
      accepted.state,
      { kind: 'calendar', year: 2027, version: 1, calendar: shorter },
      new Date('2027-01-03T12:00:00.000Z'),
    );
    expect([early?.dueAt, early?.light]).toEqual(['2027-01-02T16:00:00.000Z', 'red']);
  });
});

/** `policy` applied to running clocks, among the seeded policies (and `others`) as they stand. */
const applied = (
  policy: VersionedDeadlinePolicy,
  others: readonly VersionedDeadlinePolicy[] = [],
  on: WorkingCalendar = WITH_2027,
): Recount => ({
  kind: 'deadline_policy',
  policy,
  policies: [...POLICIES.filter((p) => p.code !== policy.code), ...others, policy],
  calendar: on,
});

describe('clockMoves on a policy applied to running clocks', () => {
  const eight = { ...resolveMinor, period: { length: 8, unit: 'working_days' as const } };
  const v2 = applied({
    ...eight,
    version: 2,
    name: '办结（一般，八日）',
    stopOn: ['CaseResolved'],
  });

  it('moves the clocks started under earlier versions of its code to the new version', () => {
    const moves = clockMoves(accepted.state, v2, new Date(PREVIEWED));
    // Eight working days after 28 December on the 2027 calendar: Friday 8 January.
    expect(moves.map((m) => [m.clockId, m.previousDueAt, m.dueAt])).toEqual([
      ['c3', FALLBACK_DUE, '2027-01-08T16:00:00.000Z'],
      ['c4', FALLBACK_DUE, '2027-01-08T16:00:00.000Z'],
    ]);
    expect(moves[0]!.basis).toMatchObject({
      policy: 'resolve.minor',
      policyVersion: 2,
      policyName: '办结（一般，八日）',
      length: 8,
      calendarFallback: false,
    });
    expect(moves[0]!.rules.stopOn).toEqual(['CaseResolved']);
    const followed = accepted.recount(v2, PREVIEWED);
    expect(followed.of('DeadlineRescheduled')[0]!.reason).toEqual({
      kind: 'deadline_policy',
      code: 'resolve.minor',
      version: 2,
    });
    expect(clockMoves(followed.state, v2, new Date(PREVIEWED))).toEqual([]);
    // The clock now stops on what version 2 says, and only on that.
    const transferred = followed.observe(e.transferred('2026-12-29T02:00:00.000Z', DEPT.police));
    expect(transferred.clock('resolve', DEPT.committee).state).toBe('running');
  });

  it('moves even when the due time stays: the clock follows the version’s rules', () => {
    const same = applied({ ...resolveMinor, version: 2, stopOn: ['CaseResolved'] }, [], calendar);
    const moves = clockMoves(accepted.state, same, new Date(PREVIEWED));
    expect(moves.map((m) => [m.dueAt, m.basis.policyVersion, m.rules.stopOn])).toEqual([
      [FALLBACK_DUE, 2, ['CaseResolved']],
      [FALLBACK_DUE, 2, ['CaseResolved']],
    ]);
  });

  it('leaves clocks of other policies, and a clock whose extension is in another unit', () => {
    const accept = POLICIES.find((p) => p.code === 'accept')!;
    const dispatched = History.of().observe(
      e.registered('2026-12-28T01:00:00.000Z'),
      e.dispatched(DISPATCHED),
    );
    expect(clockMoves(dispatched.state, v2, new Date(PREVIEWED))).toEqual([]);
    const extended = accepted.command(extend('c3', '2026-12-28T06:00:00.000Z'));
    const inHours = applied({ ...resolveMinor, version: 2, period: { length: 48, unit: 'hours' } });
    expect(clockMoves(extended.state, inHours, new Date(PREVIEWED)).map((m) => m.clockId)).toEqual([
      'c4',
    ]);
    const acceptV2 = applied({ ...accept, version: 2 });
    expect(clockMoves(accepted.state, acceptV2, new Date(PREVIEWED))).toEqual([]);
  });

  /** For direct handling of minor disputes: three working days (a new, more specific code). */
  const direct: VersionedDeadlinePolicy = {
    ...resolveMinor,
    code: 'resolve.minor.direct',
    name: '办结（一般，直接办理）',
    appliesTo: { kind: 'dispute', severity: 'minor', track: 'direct' },
    period: { length: 3, unit: 'working_days' },
    version: 1,
  };

  it('hands the clocks a new, more specific policy now governs over to it', () => {
    const moves = clockMoves(accepted.state, applied(direct), new Date(PREVIEWED));
    // Three working days after Monday 28 December: the end of Thursday the 31st.
    expect(moves.map((m) => [m.clockId, m.dueAt, m.basis.policy, m.basis.policyVersion])).toEqual([
      ['c3', '2026-12-31T16:00:00.000Z', 'resolve.minor.direct', 1],
      ['c4', '2026-12-31T16:00:00.000Z', 'resolve.minor.direct', 1],
    ]);
    expect(moves[0]!.basis).toMatchObject({ policyName: '办结（一般，直接办理）', length: 3 });
    // A case on another track is not one it governs.
    const mediated = History.of().observe(
      e.registered('2026-12-28T01:00:00.000Z'),
      e.dispatched(DISPATCHED),
      e.accepted(ACCEPTED, 'mediation'),
    );
    expect(clockMoves(mediated.state, applied(direct), new Date(PREVIEWED))).toEqual([]);
  });

  it('hands a clock its policy no longer governs to the one that does, or leaves it', () => {
    // resolve.minor narrowed to mediated disputes: the direct case's clocks leave it.
    const narrowed = {
      ...resolveMinor,
      appliesTo: { ...resolveMinor.appliesTo, track: 'mediation' as const },
      version: 2,
    };
    const anyDispute: VersionedDeadlinePolicy = {
      ...resolveMinor,
      code: 'resolve.dispute',
      name: '办结（纠纷）',
      appliesTo: { kind: 'dispute' },
      period: { length: 10, unit: 'working_days' },
      version: 1,
    };
    const moves = clockMoves(accepted.state, applied(narrowed, [anyDispute]), new Date(PREVIEWED));
    expect(moves.map((m) => [m.clockId, m.basis.policy, m.basis.policyVersion])).toEqual([
      ['c3', 'resolve.dispute', 1],
      ['c4', 'resolve.dispute', 1],
    ]);
    // With no other policy for them, they keep the count they run on.
    expect(clockMoves(accepted.state, applied(narrowed), new Date(PREVIEWED))).toEqual([]);
    // Nor does a policy that no longer starts on the event that started them govern them.
    const restarted = { ...resolveMinor, startOn: ['CaseHandlingResumed'], version: 2 };
    expect(clockMoves(accepted.state, applied(restarted), new Date(PREVIEWED))).toEqual([]);
  });

  it('leaves a co-handler’s clock to its policy when the new one keeps no clocks for co-handlers', () => {
    const leadOnly = { ...direct, perCoHandler: false };
    const moves = clockMoves(accepted.state, applied(leadOnly), new Date(PREVIEWED));
    expect(moves.map((m) => [m.clockId, m.departmentId])).toEqual([['c3', DEPT.committee]]);
  });
});

describe('evolveLedger on DeadlineRescheduled', () => {
  const loaded = accepted.recount(LOAD_2027, PREVIEWED);
  const data = loaded.of('DeadlineRescheduled')[0]!;

  it('sets the clock’s times, basis and rules', () => {
    expect(loaded.clock('resolve', DEPT.committee)).toMatchObject({
      state: 'running',
      dueAt: DUE_2027,
      warnAt: WARN_2027,
      basis: { calendarFallback: false, calendarVersion: '2024.1+2025.1+2026.1+2027.1' },
    });
    expect(loaded.state.version).toBe(accepted.state.version + 2);
  });

  it('never moves a clock that breached or was met before it arrived', () => {
    const breached = accepted.fire(FALLBACK_DUE);
    const late = evolveLedger(
      breached.state,
      supervisionEvent('2027-01-05T01:00:00.000Z', 'DeadlineRescheduled', data),
    )!;
    expect(late.deadlines.find((c) => c.clockId === 'c3')).toEqual(
      breached.state.deadlines.find((c) => c.clockId === 'c3'),
    );
  });

  it('ignores a recount it could not run a clock on', () => {
    for (const broken of [
      { ...data, dueAt: 42 },
      { ...data, basis: { pauses: 'none' } },
      { ...data, rules: { stopOn: [] } },
      { ...data, rules: null },
    ]) {
      const next = evolveLedger(
        accepted.state,
        supervisionEvent(PREVIEWED, 'DeadlineRescheduled', broken),
      )!;
      expect(next.deadlines).toEqual(accepted.state.deadlines);
    }
  });
});

const command = <T extends DeadlineCommand['type']>(
  type: T,
  data: Extract<DeadlineCommand, { type: T }>['data'],
  now: string,
): DeadlineCommand =>
  ({
    type,
    data,
    metadata: { actor: 'u-head', correlationId: 'corr-1', now: new Date(now) },
  }) as DeadlineCommand;

const pause = (clockId: string, now: string) =>
  command('PauseDeadline', { clockId, reason: '等待鉴定', approvedBy: '所长' }, now);
const extend = (clockId: string, now: string) =>
  command('ExtendDeadline', { clockId, length: 2, reason: '情况复杂', approvedBy: '所长' }, now);
