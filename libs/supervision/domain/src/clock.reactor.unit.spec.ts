import type { DeadlineStartedData } from './supervision.events';
import {
  CASE_ID,
  DEPT,
  History,
  POLICIES,
  commands,
  context,
  events as e,
} from './testing/case-history.fixtures';

/** Monday 10 March 2025, an ordinary working week (times in UTC; CST is UTC+8). */
const REGISTERED = '2025-03-10T01:00:00.000Z';
const DISPATCHED = '2025-03-10T02:00:00.000Z';
/** 1 working day after Mon 10 March: 24:00 Tue 11 March CST, warned 4 hours before. */
const ACCEPT_DUE = '2025-03-11T16:00:00.000Z';
const ACCEPT_WARN = '2025-03-11T12:00:00.000Z';
const ACCEPTED = '2025-03-10T06:00:00.000Z';
const TRANSFERRED = '2025-03-10T08:00:00.000Z';
/** Thursday 13 March, 10:00 CST. */
const OUTCOME = '2025-03-13T02:00:00.000Z';
const VISITED = '2025-03-14T02:00:00.000Z';
const CLOSED = '2025-03-14T03:00:00.000Z';
const CALENDAR_VERSION = '2024.1+2025.1+2026.1';

describe('the clock engine (clockReactions)', () => {
  const registered = History.of().observe(e.registered(REGISTERED));
  const dispatched = registered.observe(e.dispatched(DISPATCHED));
  const accepted = dispatched.observe(e.accepted(ACCEPTED));

  describe('when registered', () => {
    it('starts no clock for a dispute that a rule has not routed yet', () => {
      expect(registered.emitted).toEqual([]);
    });
    it('starts the accept clock (1 working day) for the lead and each co-handler on dispatch', () => {
      expect(dispatched.of('DeadlineStarted')).toEqual([
        acceptClock('c1', DEPT.committee, 'lead'),
        acceptClock('c2', DEPT.police, 'co'),
      ]);
    });
    it('gives an urgent case the 2-hour accept policy', () => {
      const urgent = History.of().observe(
        e.registered(REGISTERED, { urgency: 'urgent' }),
        e.dispatched(DISPATCHED),
      );
      expect(urgent.clock('accept', DEPT.committee)).toMatchObject({
        startedAt: DISPATCHED,
        dueAt: '2025-03-10T04:00:00.000Z',
        warnAt: '2025-03-10T03:00:00.000Z',
        basis: { policy: 'accept.urgent', unit: 'hours', length: 2 },
      });
    });
  });

  describe('when dispatched', () => {
    it('stops accept on acceptance and starts resolve.<severity> for the lead and co-handlers', () => {
      expect(accepted.types).toEqual([
        'DeadlineMet',
        'DeadlineMet',
        'DeadlineStarted',
        'DeadlineStarted',
      ]);
      expect(accepted.of('DeadlineMet')).toEqual([
        met('c1', 'accept', DEPT.committee, ACCEPTED, 'CaseAccepted'),
        met('c2', 'accept', DEPT.police, ACCEPTED, 'CaseAccepted'),
      ]);
      expect(
        accepted
          .of('DeadlineStarted')
          .map(({ clockId, departmentId, holderRole }) => ({ clockId, departmentId, holderRole })),
      ).toEqual([
        { clockId: 'c3', departmentId: DEPT.committee, holderRole: 'lead' },
        { clockId: 'c4', departmentId: DEPT.police, holderRole: 'co' },
      ]);
      // 5 working days after Mon 10 March: Mon 17 March; warned at the end of Fri 14.
      expect(accepted.clock('resolve', DEPT.committee)).toMatchObject({
        dueAt: '2025-03-17T16:00:00.000Z',
        warnAt: '2025-03-14T16:00:00.000Z',
        basis: { policy: 'resolve.minor', unit: 'working_days', length: 5 },
      });
    });
    it.each([
      // 15 working days after Mon 10 March: Mon 31 March.
      ['major', 'resolve.major', '2025-03-31T16:00:00.000Z'],
      // 30 calendar days after 10 March: Wed 9 April.
      ['complex', 'resolve.complex', '2025-04-09T16:00:00.000Z'],
    ])('counts a %s case by its own policy', (severity, policy, dueAt) => {
      const history = History.of().observe(
        e.registered(REGISTERED, { severity }),
        e.dispatched(DISPATCHED),
        e.accepted(ACCEPTED),
      );
      expect(history.clock('resolve', DEPT.committee)).toMatchObject({ dueAt, basis: { policy } });
    });
    it('records met late an acceptance after the due time', () => {
      const late = dispatched.observe(e.accepted('2025-03-12T01:00:00.000Z'));
      expect(late.of('DeadlineMet')[0]).toMatchObject({ clockId: 'c1', late: true });
    });
    it('stops accept on a transfer and restarts it for the new holder', () => {
      const transferred = dispatched.observe(e.transferred(TRANSFERRED, DEPT.townOffice));
      expect(transferred.of('DeadlineMet')).toEqual([
        met('c1', 'accept', DEPT.committee, TRANSFERRED, 'CaseTransferred'),
        met('c2', 'accept', DEPT.police, TRANSFERRED, 'CaseTransferred'),
      ]);
      expect(transferred.of('DeadlineStarted')).toEqual([
        {
          ...acceptClock('c3', DEPT.townOffice, 'lead'),
          startedAt: TRANSFERRED,
          basis: expect.objectContaining({ startedBy: 'CaseTransferred' }),
        },
        {
          ...acceptClock('c4', DEPT.police, 'co'),
          startedAt: TRANSFERRED,
          basis: expect.objectContaining({ startedBy: 'CaseTransferred' }),
        },
      ]);
    });
    it('stops resolve when an accepted case is escalated, and asks the new holder to accept', () => {
      const escalated = accepted.observe(e.escalated(OUTCOME, DEPT.townOffice));
      expect(escalated.of('DeadlineMet').map((m) => m.obligation)).toEqual(['resolve', 'resolve']);
      expect(escalated.clock('accept', DEPT.townOffice).state).toBe('running');
    });
    it('stops accept on a return and starts the dispatcher’s clock', () => {
      const returned = dispatched.observe(e.returned(TRANSFERRED));
      expect(returned.of('DeadlineMet').map((m) => m.clockId)).toEqual(['c1', 'c2']);
      expect(returned.of('DeadlineStarted')).toEqual([
        expect.objectContaining({
          obligation: 'dispatch',
          departmentId: null,
          holderRole: 'dispatcher',
        }),
      ]);
    });
  });

  describe('when accepted', () => {
    it('stops resolve on an agreement and starts the follow-up, confirmation and performance clocks', () => {
      const agreed = accepted.observe(e.agreementReached(OUTCOME, '2025-04-30T18:00:00+08:00'));
      expect(agreed.of('DeadlineMet').map((m) => [m.clockId, m.stoppedBy])).toEqual([
        ['c3', 'MediationAgreementReached'],
        ['c4', 'MediationAgreementReached'],
      ]);
      expect(
        agreed.of('DeadlineStarted').map((s) => [s.obligation, s.departmentId, s.dueAt]),
      ).toEqual([
        // 30 days after Thu 13 March is Sat 12 April: moved to Monday 14 April.
        ['judicial_confirmation', DEPT.committee, '2025-04-14T16:00:00.000Z'],
        // the agreement's own date for performance
        ['agreement_performance', DEPT.committee, '2025-04-30T10:00:00.000Z'],
        // 5 working days after Thu 13 March: Thu 20 March
        ['follow_up', null, '2025-03-20T16:00:00.000Z'],
      ]);
    });
    it.each([
      ['a direct resolution', e.resolved(OUTCOME)],
      ['a referral', e.resolved(OUTCOME, 'referred', 'litigation')],
      ['a failed mediation', e.mediationFailed(OUTCOME, 'none')],
    ])('stops resolve on %s and starts the follow-up', (_, event) => {
      const ended = accepted.observe(event);
      expect(ended.of('DeadlineMet').map((m) => m.obligation)).toEqual(['resolve', 'resolve']);
      expect(ended.of('DeadlineStarted')).toEqual([
        expect.objectContaining({
          obligation: 'follow_up',
          holderRole: 'supervisor',
          dueAt: '2025-03-20T16:00:00.000Z',
        }),
      ]);
    });
  });

  describe('on a duplicate delivery', () => {
    it.each([
      ['CaseRegistered', registered, e.registered(REGISTERED)],
      ['CaseDispatched', dispatched, e.dispatched(DISPATCHED)],
      ['CaseAccepted', accepted, e.accepted(ACCEPTED)],
      [
        'CaseTransferred',
        dispatched.observe(e.transferred(TRANSFERRED, DEPT.townOffice)),
        e.transferred(TRANSFERRED, DEPT.townOffice),
      ],
      ['CaseReturned', dispatched.observe(e.returned(TRANSFERRED)), e.returned(TRANSFERRED)],
      [
        'MediationAgreementReached',
        accepted.observe(e.agreementReached(OUTCOME)),
        e.agreementReached(OUTCOME),
      ],
    ])('changes nothing the second time: %s', (_, once, event) => {
      const twice = once.observe(event);
      expect(twice.emitted).toEqual([]);
      expect(twice.state).toEqual(once.state);
    });
  });

  describe('on a supervision order', () => {
    it('counts the order’s clock to the order’s own due time, held by the responsible department', () => {
      const ordered = accepted.command(commands.order(OUTCOME, '2025-03-20T18:00:00+08:00'));
      expect(ordered.types).toEqual(['SupervisionOrderIssued', 'DeadlineStarted']);
      expect(ordered.of('DeadlineStarted')[0]).toMatchObject({
        obligation: 'supervision_order',
        departmentId: DEPT.townOffice,
        holderRole: 'order',
        orderId: 'order-1',
        startedAt: OUTCOME,
        dueAt: '2025-03-20T10:00:00.000Z',
        warnAt: '2025-03-18T10:00:00.000Z',
        basis: { policy: 'supervision_order', eventDueAt: '2025-03-20T18:00:00+08:00' },
      });
    });
  });

  describe('when closed', () => {
    it('stops every clock still open', () => {
      const visited = accepted
        .command(commands.order(ACCEPTED, '2025-03-28T18:00:00+08:00'))
        .observe(e.agreementReached(OUTCOME))
        .command(commands.followUp(VISITED));
      const open = visited.state.deadlines
        .filter((c) => c.state !== 'met')
        .map((c) => c.obligation);
      expect(open.sort()).toEqual(['judicial_confirmation', 'supervision_order']);
      const closed = visited.command(commands.close(CLOSED));
      expect(closed.of('DeadlineMet').map((m) => [m.obligation, m.stoppedBy])).toEqual([
        ['supervision_order', 'CaseClosed'],
        ['judicial_confirmation', 'CaseClosed'],
      ]);
      expect(closed.state.deadlines.every((c) => c.state === 'met')).toBe(true);
    });
  });

  describe('under a policy that changed', () => {
    it('runs a started clock by the rules it started under', () => {
      const changed = POLICIES.map((p) =>
        p.code === 'accept' ? { ...p, version: 2, stopOn: ['CaseReturned'] } : p,
      );
      const later = dispatched.withContext(context(changed)).observe(e.accepted(ACCEPTED));
      expect(later.of('DeadlineMet').map((m) => m.clockId)).toEqual(['c1', 'c2']);
      const fresh = History.of(context(changed)).observe(
        e.registered(REGISTERED),
        e.dispatched(DISPATCHED),
      );
      expect(fresh.clock('accept', DEPT.committee).basis.policyVersion).toBe(2);
    });
  });

  it('starts no clock whose due field the event names as null (no performance date, a court’s own mediation)', () => {
    const started = accepted.observe({
      ...e.agreementReached(OUTCOME, null),
      data: { ...e.agreementReached(OUTCOME, null).data, judicialConfirmationDueAt: null },
    }).state.deadlines;
    expect(started.map((c) => c.obligation)).not.toContain('agreement_performance');
    expect(started.map((c) => c.obligation)).not.toContain('judicial_confirmation');
    expect(started.map((c) => c.obligation)).toContain('follow_up');
  });

  it('gives every clock its basis: policy, version, article, unit, length, calendar', () => {
    const started = accepted.observe(e.agreementReached(OUTCOME, '2025-04-30T18:00:00+08:00')).state
      .deadlines;
    expect(started).toHaveLength(7);
    for (const clock of started) {
      expect(clock.basis).toEqual({
        policy: expect.any(String),
        policyVersion: 1,
        policyName: expect.any(String),
        article: POLICIES.find((p) => p.code === clock.basis.policy)!.article,
        note: expect.any(String),
        unit: POLICIES.find((p) => p.code === clock.basis.policy)!.period.unit,
        length: POLICIES.find((p) => p.code === clock.basis.policy)!.period.length,
        calendarVersion: CALENDAR_VERSION,
        calendarFallback: false,
        startedBy: expect.any(String),
        // The performance clock runs to the date the agreement names.
        eventDueAt:
          clock.obligation === 'agreement_performance' ? '2025-04-30T18:00:00+08:00' : null,
        pauses: [],
        extensions: [],
      });
    }
  });
});

function acceptClock(
  clockId: string,
  departmentId: string,
  holderRole: 'lead' | 'co',
): DeadlineStartedData {
  return {
    caseId: CASE_ID,
    clockId,
    obligation: 'accept',
    departmentId,
    holderRole,
    orderId: null,
    startedAt: DISPATCHED,
    dueAt: ACCEPT_DUE,
    warnAt: ACCEPT_WARN,
    basis: {
      policy: 'accept',
      policyVersion: 1,
      policyName: '签收',
      article: null,
      note: 'local practice: sign for a dispatched case within one working day',
      unit: 'working_days',
      length: 1,
      calendarVersion: CALENDAR_VERSION,
      calendarFallback: false,
      startedBy: 'CaseDispatched',
      eventDueAt: null,
      pauses: [],
      extensions: [],
    },
    rules: {
      stopOn: ['CaseAccepted', 'CaseReturned', 'CaseTransferred', 'CaseEscalated'],
      pauseOn: [],
      resumeOn: [],
      extendOn: [],
      warnBefore: { length: 4, unit: 'hours' },
      extension: { maxTimes: 0, maxTotal: null },
    },
  };
}

function met(
  clockId: string,
  obligation: string,
  departmentId: string | null,
  at: string,
  stoppedBy: string,
) {
  return { caseId: CASE_ID, clockId, obligation, departmentId, metAt: at, stoppedBy, late: false };
}
