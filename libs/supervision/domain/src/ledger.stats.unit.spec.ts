import {
  DEFAULT_STATS_SETTINGS,
  caseStatsFacts,
  ratio,
  statsPeriod,
  statsRates,
  type StatsCounts,
} from './ledger.stats';
import { History, commands, DEPT, events as e } from './testing/case-history.fixtures';

// Monday 2025-03-10, 09:00 China time; the accept clocks end at 24:00 on Tuesday 03-11.
const REGISTERED = '2025-03-10T01:00:00.000Z';
const DISPATCHED = '2025-03-10T02:00:00.000Z';
const ACCEPTED = '2025-03-10T03:00:00.000Z';
const RESOLVED = '2025-03-11T02:00:00.000Z';
const VISITED = '2025-03-12T02:00:00.000Z';
const ACCEPT_DUE = '2025-03-11T16:00:00.000Z';
const AFTER_DUE = '2025-03-12T01:00:00.000Z';

const counts = (over: Partial<StatsCounts> = {}): StatsCounts => ({
  registered: 0,
  followedUp: 0,
  responded: 0,
  solved: 0,
  satisfied: 0,
  basicallySatisfied: 0,
  clocksEnded: 0,
  clocksMetOnTime: 0,
  repeated: 0,
  ...over,
});

describe('caseStatsFacts', () => {
  const dispatched = History.of().observe(e.registered(REGISTERED), e.dispatched(DISPATCHED));

  it('reads a case just registered as nothing yet', () => {
    const state = History.of().observe(e.registered(REGISTERED)).state;
    expect(caseStatsFacts(state)).toEqual({
      dispatched: false,
      accepted: false,
      outcomeStatus: null,
      respondedOnTime: false,
      followUpCount: 0,
      latestSatisfaction: null,
      reopenCount: 0,
      submissionCount: 1,
      clocksEnded: 0,
      clocksMetOnTime: 0,
      clocksBreached: 0,
    });
  });

  it('counts a case resolved in time and visited: every clock that ended was met on time', () => {
    const visited = dispatched
      .observe(e.accepted(ACCEPTED), e.resolved(RESOLVED))
      .command(commands.followUp(VISITED));
    const facts = caseStatsFacts(visited.state);
    expect(facts).toMatchObject({
      dispatched: true,
      accepted: true,
      outcomeStatus: 'resolved',
      respondedOnTime: true,
      followUpCount: 1,
      latestSatisfaction: 'satisfied',
      reopenCount: 0,
      clocksBreached: 0,
    });
    const ended = visited.state.deadlines.filter((c) => c.state === 'met');
    expect(facts.clocksEnded).toBe(ended.length);
    expect(facts.clocksMetOnTime).toBe(ended.length);
    expect(ended.length).toBeGreaterThanOrEqual(3); // the accept clocks, the resolve clock, the visit's
  });

  it('does not count a late acceptance by the lead as a response in time, and keeps the breach', () => {
    const late = dispatched.fire(ACCEPT_DUE).observe(e.accepted(AFTER_DUE));
    const facts = caseStatsFacts(late.state);
    expect(late.clock('accept', DEPT.committee)).toMatchObject({ state: 'met', late: true });
    expect(facts).toMatchObject({ accepted: true, respondedOnTime: false });
    // The lead's clock was met late; the co-handler's is still breached: both count.
    expect(facts.clocksBreached).toBe(2);
    expect(facts.clocksEnded).toBe(2);
    expect(facts.clocksMetOnTime).toBe(0);
  });

  it('takes the latest follow-up’s answer and counts the reopen it caused', () => {
    const reopened = dispatched
      .observe(e.accepted(ACCEPTED), e.resolved(RESOLVED))
      .command(commands.followUp(VISITED, 'unsatisfied'));
    expect(caseStatsFacts(reopened.state)).toMatchObject({
      outcomeStatus: null,
      latestSatisfaction: 'unsatisfied',
      reopenCount: 1,
      followUpCount: 1,
    });
  });

  it('reads the submission count of a repeated case', () => {
    const repeated = dispatched.observe(e.repeat(RESOLVED, 3));
    expect(caseStatsFacts(repeated.state).submissionCount).toBe(3);
  });
});

describe('statsRates', () => {
  it('is null, never 0 or NaN, for every rate whose denominator is zero', () => {
    expect(statsRates(counts(), DEFAULT_STATS_SETTINGS)).toEqual({
      onTimeRate: null,
      responseRate: null,
      resolutionRate: null,
      satisfactionRate: null,
      compositeScore: null,
      repeatRate: null,
    });
  });

  it('computes the worked example of docs/statistics.md: the labour bureau’s four cases', () => {
    // Satisfied; basically satisfied after a late acceptance; unsatisfied and reopened; a
    // repeat left unresolved. 12 clocks ended, 9 on time.
    const rates = statsRates(
      counts({
        registered: 4,
        followedUp: 3,
        responded: 2,
        solved: 2,
        satisfied: 1,
        basicallySatisfied: 1,
        clocksEnded: 12,
        clocksMetOnTime: 9,
        repeated: 1,
      }),
      DEFAULT_STATS_SETTINGS,
    );
    expect(rates).toEqual({
      onTimeRate: 0.75,
      responseRate: 0.6667,
      resolutionRate: 0.6667,
      satisfactionRate: 0.6333, // (1 + 0.9 × 1) ÷ 3
      compositeScore: 0.6533, // 0.1 × 2/3 + 0.5 × 2/3 + 0.4 × 1.9/3
      repeatRate: 0.25,
    });
  });

  it('computes the worked example’s committee: no follow-ups, no three rates', () => {
    expect(statsRates(counts({ registered: 1, clocksEnded: 2 }), DEFAULT_STATS_SETTINGS)).toEqual({
      onTimeRate: 0,
      responseRate: null,
      resolutionRate: null,
      satisfactionRate: null,
      compositeScore: null,
      repeatRate: 0,
    });
  });

  it('weights and credits as configured', () => {
    const rates = statsRates(
      counts({ registered: 3, followedUp: 3, responded: 3, solved: 0, basicallySatisfied: 3 }),
      { weights: { response: 0.2, resolution: 0.3, satisfaction: 0.5 }, basicSatisfaction: 0.5 },
    );
    expect(rates).toMatchObject({ satisfactionRate: 0.5, compositeScore: 0.45 });
  });

  it('rounds once, from the exact rates', () => {
    const rates = statsRates(
      counts({ registered: 3, followedUp: 3, responded: 1, solved: 1, satisfied: 1 }),
      DEFAULT_STATS_SETTINGS,
    );
    expect(rates).toMatchObject({
      responseRate: 0.3333,
      resolutionRate: 0.3333,
      satisfactionRate: 0.3333,
      compositeScore: 0.3333,
    });
    expect(ratio(2, 3)).toBe(0.6667);
  });
});

describe('statsPeriod', () => {
  const now = new Date('2025-09-30T17:00:00Z'); // 01:00 on 10-01 in China

  it('defaults to the China-time month of now', () => {
    expect(statsPeriod(now)).toEqual({
      from: new Date('2025-09-30T16:00:00Z'),
      to: new Date('2025-10-31T16:00:00Z'),
    });
  });

  it('runs a lone from to the end of its month, and starts a lone to at its month’s start', () => {
    const from = new Date('2025-12-15T00:00:00+08:00');
    expect(statsPeriod(now, from).to).toEqual(new Date('2026-01-01T00:00:00+08:00'));
    const to = new Date('2025-03-01T00:00:00+08:00');
    expect(statsPeriod(now, undefined, to).from).toEqual(new Date('2025-02-01T00:00:00+08:00'));
  });

  it('keeps both bounds when given', () => {
    const from = new Date('2025-01-01T00:00:00+08:00');
    const to = new Date('2025-07-01T00:00:00+08:00');
    expect(statsPeriod(now, from, to)).toEqual({ from, to });
  });
});
