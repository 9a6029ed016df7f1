import { evolveLedger } from './ledger.evolve';
import { lightOf } from './ledger.state';
import {
  CASE_ID,
  DEPT,
  History,
  NUMBER,
  REGION,
  caseEvent,
  commands,
  events as e,
  foldLedger,
  supervisionEvent,
} from './testing/case-history.fixtures';

/** The timeline: Monday 10 March 2025 onwards (times in UTC; CST is UTC+8). */
const RECEIVED = '2025-03-09T12:30:00.000Z';
const REGISTERED = '2025-03-10T01:00:00.000Z';
const DISPATCHED = '2025-03-10T02:00:00.000Z';
const ACCEPTED = '2025-03-10T03:00:00.000Z';
const LATER = '2025-03-11T02:00:00.000Z';
const LATEST = '2025-03-12T02:00:00.000Z';
const END = '2025-03-13T02:00:00.000Z';
const AFTER_END = '2025-03-14T02:00:00.000Z';
/** Dispatched Mon 10 March: 1 working day → 24:00 Tue 11 March (CST), warned 4 h before. */
const ACCEPT_DUE = '2025-03-11T16:00:00.000Z';
const ACCEPT_WARN = '2025-03-11T12:00:00.000Z';
const AFTER_DUE = '2025-03-12T01:00:00.000Z';
const TEN_DAYS_LATER = '2025-03-21T16:00:00.000Z';
const ORDER_DUE = '2025-03-20T10:00:00.000Z';

describe('the ledger (evolveLedger)', () => {
  describe('before registration', () => {
    it.each([
      e.dispatched(DISPATCHED),
      e.accepted(ACCEPTED),
      supervisionEvent(LATER, 'CaseClosed'),
    ])('knows no case from a $type', (event) => {
      expect(evolveLedger(null, event)).toBeNull();
    });
  });

  describe('when registered', () => {
    const state = foldLedger([e.registered(REGISTERED, { receivedAt: RECEIVED })]);

    it('records the case as registered, counted from when it reached the centre', () => {
      expect(state).toMatchObject({
        id: CASE_ID,
        number: NUMBER,
        kind: 'dispute',
        regionCode: REGION.village,
        urgency: 'normal',
        severity: 'minor',
        receivedAt: RECEIVED,
        registeredAt: REGISTERED,
        status: 'registered',
        leadDepartmentId: null,
        holders: [],
        outcome: null,
        submissionCount: 1,
        version: 0,
        updatedAt: REGISTERED,
      });
    });
    it('is not registered twice', () => {
      expect(evolveLedger(state, e.registered(LATER, { title: 'another' }))).toBe(state);
    });
    it('counts repeat submissions, from the count intake gives or one more', () => {
      const twice = evolveLedger(state, e.repeat(LATER, 2))!;
      expect(twice.submissionCount).toBe(2);
      const uncounted = evolveLedger(twice, caseEvent('intake', 'RepeatSubmissionRecorded', LATER));
      expect(uncounted!.submissionCount).toBe(3);
    });
    it('waits for dispatch without a change', () => {
      expect(
        evolveLedger(
          state,
          caseEvent('intake', 'CaseAwaitingDispatch', LATER, { reason: 'no_rule' }),
        ),
      ).toBe(state);
    });
    it('is dispatched to a lead and its co-handlers, whose spell starts then', () => {
      expect(foldLedger([e.registered(REGISTERED), e.dispatched(DISPATCHED)])).toMatchObject({
        status: 'dispatched',
        leadDepartmentId: DEPT.committee,
        coDepartmentIds: [DEPT.police],
        holders: [
          { departmentId: DEPT.committee, handlerId: null, since: DISPATCHED, until: null },
        ],
      });
    });
    it('ignores a dispatch that names no lead', () => {
      const bare = caseEvent('intake', 'CaseDispatched', DISPATCHED, { coDepartmentIds: ['x'] });
      expect(evolveLedger(state, bare)).toBe(state);
    });
  });

  describe('when dispatched', () => {
    const history = [e.registered(REGISTERED), e.dispatched(DISPATCHED)];

    it('goes back to the dispatcher on a return, ending the spell', () => {
      expect(foldLedger([...history, e.returned(LATER)])).toMatchObject({
        status: 'registered',
        leadDepartmentId: null,
        handlerId: null,
        holders: [{ departmentId: DEPT.committee, since: DISPATCHED, until: LATER }],
      });
    });
    it.each([
      ['transfer', e.transferred(LATER, DEPT.townOffice)],
      ['escalation', e.escalated(LATER, DEPT.townOffice)],
    ])('hands over on a %s: the new holder must accept in turn', (_, event) => {
      expect(foldLedger([...history, e.accepted(ACCEPTED), event])).toMatchObject({
        status: 'dispatched',
        leadDepartmentId: DEPT.townOffice,
        handlerId: null,
        track: null,
        holders: [
          { departmentId: DEPT.committee, handlerId: 'u-handler', since: DISPATCHED, until: LATER },
          { departmentId: DEPT.townOffice, handlerId: null, since: LATER, until: null },
        ],
      });
    });
    it('is accepted on a track by a handler, who is named on the spell', () => {
      expect(foldLedger([...history, e.accepted(ACCEPTED, 'petition')])).toMatchObject({
        status: 'accepted',
        track: 'petition',
        handlerId: 'u-handler',
        holders: [{ departmentId: DEPT.committee, handlerId: 'u-handler', until: null }],
      });
    });
    it('does not mediate before acceptance', () => {
      expect(foldLedger([...history, e.mediationOpened(LATER)]).status).toBe('dispatched');
    });
  });

  describe('when accepted', () => {
    const history = [e.registered(REGISTERED), e.dispatched(DISPATCHED), e.accepted(ACCEPTED)];

    it('is in progress once mediation opens', () => {
      expect(foldLedger([...history, e.mediationOpened(LATER)]).status).toBe('in_progress');
    });
    it.each([
      ['CaseResolved', e.resolved(LATER), 'resolved', null],
      [
        'CaseResolved (referred)',
        e.resolved(LATER, 'referred', 'litigation'),
        'referred',
        'litigation',
      ],
      ['MediationAgreementReached', e.agreementReached(LATER), 'resolved', null],
      [
        'MediationFailed with a referral',
        e.mediationFailed(LATER, 'arbitration'),
        'referred',
        'arbitration',
      ],
      [
        'MediationFailed without one (终止调解)',
        e.mediationFailed(LATER, 'none'),
        'terminated',
        null,
      ],
    ])('ends on %s', (_, event, status, referral) => {
      expect(foldLedger([...history, e.mediationOpened(ACCEPTED), event])).toMatchObject({
        status,
        outcome: { status, at: LATER, by: event.type, referral },
        resolvedAt: LATER,
      });
    });
    it('keeps the judicial confirmation and the sessions out of the status', () => {
      const resolved = foldLedger([...history, e.agreementReached(LATER)]);
      expect(evolveLedger(resolved, e.confirmationRequested(LATEST))).toBe(resolved);
    });
  });

  describe('on the petition track', () => {
    const history = [
      e.registered(REGISTERED, { kind: 'petition' }),
      e.dispatched(DISPATCHED, DEPT.petitionOffice, []),
      e.accepted(ACCEPTED, 'petition', DEPT.petitionOffice),
    ];

    it('is in progress once accepted for handling (受理)', () => {
      expect(foldLedger([...history, e.acceptanceDecided(LATER)])).toMatchObject({
        status: 'in_progress',
        outcome: null,
      });
    });
    it.each([
      [
        'diverted to another channel',
        e.acceptanceDecided(LATER, 'diverted', 'litigation'),
        'referred',
        'litigation',
      ],
      ['not accepted', e.acceptanceDecided(LATER, 'not_accepted'), 'terminated', null],
      ['answered with an opinion', e.opinionIssued(LATER), 'resolved', null],
      ['terminated', e.petitionTerminated(LATER), 'terminated', null],
    ])('ends when %s', (_, event, status, referral) => {
      expect(foldLedger([...history, event]).outcome).toEqual({
        status,
        at: LATER,
        by: event.type,
        referral,
      });
    });
    it.each([
      ['review', e.reviewRequested, e.reviewDecided],
      ['re-review', e.reReviewRequested, e.reReviewDecided],
    ])('is handled again on a %s request and ends on its decision', (_, request, decide) => {
      const opened = foldLedger([...history, e.opinionIssued(LATER), request(LATEST)]);
      expect(opened).toMatchObject({ status: 'in_progress', outcome: null });
      expect(evolveLedger(opened, decide(END))).toMatchObject({
        status: 'resolved',
        outcome: { status: 'resolved', at: END },
      });
    });
    it('keeps its status through an extension and a hearing', () => {
      const open = foldLedger([...history, e.acceptanceDecided(LATER)]);
      for (const event of [e.extended(LATEST, 30), e.hearingStarted(LATEST), e.hearingEnded(END)]) {
        expect(evolveLedger(open, event)).toBe(open);
      }
    });
  });

  describe('supervision’s own events', () => {
    const dispatched = History.of().observe(e.registered(REGISTERED), e.dispatched(DISPATCHED));

    it('adds each started clock, counts it, and takes the stream version', () => {
      expect(dispatched.state).toMatchObject({ clockCount: 2, version: 2 });
      expect(dispatched.state.deadlines.map((c) => [c.clockId, c.obligation, c.state])).toEqual([
        ['c1', 'accept', 'running'],
        ['c2', 'accept', 'running'],
      ]);
    });
    it('does not add a clock twice, but counts the event', () => {
      const again = evolveLedger(dispatched.state, {
        ...supervisionEvent(LATER, 'DeadlineStarted', dispatched.emitted[0]!.data),
        streamVersion: 3,
      })!;
      expect(again.deadlines).toHaveLength(2);
      expect(again).toMatchObject({ clockCount: 2, version: 3 });
    });
    it('turns yellow on a warning and red on a breach, and keeps red until met', () => {
      const warned = dispatched.fire(ACCEPT_WARN);
      expect(lightOf(warned.state)).toBe('yellow');
      const breached = warned.fire(ACCEPT_DUE);
      expect(lightOf(breached.state)).toBe('red');
      expect(breached.clock('accept', DEPT.committee)).toMatchObject({
        state: 'breached',
        breachedAt: ACCEPT_DUE,
      });
      const met = breached.observe(e.accepted(AFTER_DUE));
      expect(met.clock('accept', DEPT.committee)).toMatchObject({
        state: 'met',
        metAt: AFTER_DUE,
        late: true,
      });
      expect(lightOf(met.state)).toBe('green');
    });
    it('records the escalation level, the supervising region and the notices', () => {
      const atCity = dispatched.fire(TEN_DAYS_LATER).state;
      expect(atCity).toMatchObject({
        supervisionLevel: 'city',
        supervisingRegionCode: REGION.city,
        nextEscalationAt: null,
        noticeIds: ['notice-1'],
      });
    });
    it('follows up an outcome, closes, and reopens', () => {
      const resolved = dispatched.observe(e.accepted(ACCEPTED), e.resolved(LATER));
      const visited = resolved.command(commands.followUp(LATEST));
      expect(visited.state).toMatchObject({ status: 'followed_up' });
      expect(visited.state.followUps).toEqual([
        expect.objectContaining({
          satisfaction: 'satisfied',
          outcome: 'resolved',
          recordedAt: LATEST,
        }),
      ]);
      const closed = visited.command(commands.close(END));
      expect(closed.state).toMatchObject({ status: 'closed', closedAt: END });
      const reopened = closed.command(commands.reopen(AFTER_END));
      expect(reopened.state).toMatchObject({
        status: 'in_progress',
        outcome: null,
        closedAt: null,
        reopenCount: 1,
      });
    });
    it('keeps the status of a case without an outcome on a follow-up record', () => {
      const state = dispatched.state;
      const next = evolveLedger(
        state,
        supervisionEvent(LATER, 'FollowUpRecorded', { followUpId: 'f' }),
      )!;
      expect(next.status).toBe('dispatched');
      expect(next.followUps).toHaveLength(1);
    });
    it('records a supervision order', () => {
      const ordered = dispatched.command(commands.order(LATER, ORDER_DUE));
      expect(ordered.state.orders).toEqual([
        expect.objectContaining({ orderId: 'order-1', dueAt: ORDER_DUE, issuedAt: LATER }),
      ]);
    });
  });
});
