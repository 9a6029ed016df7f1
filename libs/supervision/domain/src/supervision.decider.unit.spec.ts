import { observe } from './supervision.decider';
import {
  CASE_ID,
  DEPT,
  History,
  NUMBER,
  caseEvent,
  commands,
  errorOf,
  events as e,
} from './testing/case-history.fixtures';

/** Monday 10 March 2025 onwards (UTC; CST is UTC+8). */
const DISPATCHED = '2025-03-10T02:00:00.000Z';
const ACCEPTED = '2025-03-10T06:00:00.000Z';
/** Thursday 13 March, 10:00 CST. */
const OUTCOME = '2025-03-13T02:00:00.000Z';
/** Friday 14 March, 10:00 CST. */
const VISITED = '2025-03-14T02:00:00.000Z';
const CLOSED = '2025-03-14T03:00:00.000Z';
const SECOND_OUTCOME = '2025-03-18T02:00:00.000Z';
const SECOND_VISIT = '2025-03-19T02:00:00.000Z';

describe('supervision’s commands (decideSupervision, settled)', () => {
  const inProgress = History.of().observe(
    e.registered('2025-03-10T01:00:00.000Z'),
    e.dispatched(DISPATCHED),
    e.accepted(ACCEPTED),
    e.mediationOpened(ACCEPTED),
  );
  const resolved = inProgress.observe(e.resolved(OUTCOME));
  const followedUp = resolved.command(commands.followUp(VISITED));
  const closed = followedUp.command(commands.close(CLOSED));

  describe('when in progress, without an outcome', () => {
    it('refuses a follow-up, saying there is no outcome to visit', () => {
      expect(errorOf(() => inProgress.command(commands.followUp(VISITED)))).toMatchObject({
        code: 'illegal_state',
        message: expect.stringMatching(/no outcome yet \(it is in_progress\).*回访/),
      });
    });
    it('refuses to close (销号 needs an outcome)', () => {
      expect(errorOf(() => inProgress.command(commands.close(CLOSED)))).toMatchObject({
        code: 'illegal_state',
        message: expect.stringMatching(/cannot be closed: it has no outcome yet/),
      });
    });
    it('refuses to reopen what is still open', () => {
      expect(errorOf(() => inProgress.command(commands.reopen(VISITED)))).toMatchObject({
        code: 'illegal_state',
        message: expect.stringContaining(`case ${NUMBER} is in_progress`),
      });
    });
    it('issues a supervision order (挂牌督办) naming its leader, department and due time', () => {
      const ordered = inProgress.command(commands.order(OUTCOME, '2025-03-20T18:00:00+08:00'));
      expect(ordered.emitted[0]).toEqual({
        type: 'SupervisionOrderIssued',
        data: {
          caseId: CASE_ID,
          orderId: 'order-1',
          responsibleLeader: 'u-leader',
          responsibleDepartmentId: DEPT.townOffice,
          dueAt: '2025-03-20T18:00:00+08:00',
          instructions: '限期办结',
          issuedBy: 'u-supervisor',
        },
      });
    });
    it.each([
      ['in the past', '2025-03-12T18:00:00+08:00'],
      ['now', OUTCOME],
      // 18:00 CST is 10:00 UTC: before now (10:00 CST + 1 h is 11:00 UTC), whatever the text says.
      ['in the past in another offset', '2025-03-13T18:00:00+08:00'],
      ['not a date', 'next Friday'],
    ])('refuses an order due %s, on the field dueAt', (_, dueAt) => {
      const now = '2025-03-13T11:00:00.000Z';
      expect(errorOf(() => inProgress.command(commands.order(now, dueAt)))).toMatchObject({
        code: 'validation_failed',
        errors: [{ field: 'dueAt', message: expect.any(String) }],
      });
    });
  });

  describe('when it has an outcome', () => {
    it('refuses to close before a follow-up', () => {
      expect(errorOf(() => resolved.command(commands.close(CLOSED)))).toMatchObject({
        code: 'illegal_state',
        message: expect.stringMatching(
          /no follow-up \(回访\) is recorded since its outcome \(resolved/,
        ),
      });
    });
    it('records a satisfied follow-up and stops the follow-up clock', () => {
      expect(followedUp.emitted).toEqual([
        {
          type: 'FollowUpRecorded',
          data: {
            caseId: CASE_ID,
            followUpId: `fu-${VISITED}`,
            method: 'phone',
            satisfaction: 'satisfied',
            notes: '电话回访',
            recordedBy: 'u-supervisor',
            outcome: 'resolved',
          },
        },
        {
          type: 'DeadlineMet',
          data: expect.objectContaining({ obligation: 'follow_up', stoppedBy: 'FollowUpRecorded' }),
        },
      ]);
      expect(followedUp.state.status).toBe('followed_up');
    });
    it.each([
      ['referred', e.resolved(OUTCOME, 'referred', 'litigation')],
      ['terminated', e.mediationFailed(OUTCOME, 'none')],
    ])('visits a case %s too', (outcome, event) => {
      const visited = inProgress.observe(event).command(commands.followUp(VISITED));
      expect(visited.of('FollowUpRecorded')[0]!.outcome).toBe(outcome);
    });
    it('reopens on an unsatisfied follow-up, with a new resolve clock for the lead', () => {
      const unsatisfied = resolved.command(commands.followUp(VISITED, 'unsatisfied'));
      expect(unsatisfied.types).toEqual([
        'FollowUpRecorded',
        'DeadlineMet',
        'CaseReopened',
        'DeadlineStarted',
        'DeadlineStarted',
      ]);
      expect(unsatisfied.of('CaseReopened')).toEqual([
        {
          caseId: CASE_ID,
          reason: 'unsatisfied follow-up: 电话回访',
          cause: 'follow_up',
          reopenedBy: 'u-supervisor',
        },
      ]);
      expect(unsatisfied.of('DeadlineStarted')[0]).toMatchObject({
        obligation: 'resolve',
        departmentId: DEPT.committee,
        holderRole: 'lead',
        startedAt: VISITED,
        // 5 working days after Friday 14 March: Friday 21 March
        dueAt: '2025-03-21T16:00:00.000Z',
        basis: { policy: 'resolve.minor', startedBy: 'CaseReopened' },
      });
      expect(unsatisfied.state).toMatchObject({
        status: 'in_progress',
        outcome: null,
        reopenCount: 1,
      });
    });
    it('is reopened by a supervisor', () => {
      const reopened = resolved.command(commands.reopen(VISITED));
      expect(reopened.of('CaseReopened')).toEqual([
        {
          caseId: CASE_ID,
          reason: '复核发现未解决',
          cause: 'supervisor',
          reopenedBy: 'u-supervisor',
        },
      ]);
      expect(reopened.of('DeadlineStarted').map((s) => s.obligation)).toEqual([
        'resolve',
        'resolve',
      ]);
    });
  });

  describe('when followed up', () => {
    it('is closed off the ledger (销号), stopping what still runs', () => {
      expect(closed.emitted).toEqual([
        { type: 'CaseClosed', data: { caseId: CASE_ID, note: '销号', closedBy: 'u-supervisor' } },
      ]);
      expect(closed.state).toMatchObject({ status: 'closed', closedAt: CLOSED });
    });
    it('needs a follow-up since the latest outcome after a reopen', () => {
      const again = resolved
        .command(commands.followUp(VISITED, 'unsatisfied'))
        .observe(e.resolved(SECOND_OUTCOME));
      expect(errorOf(() => again.command(commands.close(SECOND_VISIT)))).toMatchObject({
        code: 'illegal_state',
        message: expect.stringContaining(`since its outcome (resolved, ${SECOND_OUTCOME})`),
      });
      const visited = again.command(commands.followUp(SECOND_VISIT));
      expect(visited.command(commands.close(SECOND_VISIT)).state.status).toBe('closed');
    });
  });

  describe('when closed', () => {
    it('is not closed twice', () => {
      expect(errorOf(() => closed.command(commands.close(SECOND_VISIT)))).toMatchObject({
        code: 'illegal_state',
        message: expect.stringMatching(/already closed/),
      });
    });
    it('takes no supervision order', () => {
      expect(
        errorOf(() => closed.command(commands.order(SECOND_VISIT, '2025-03-28T18:00:00+08:00'))),
      ).toMatchObject({ code: 'illegal_state', message: expect.stringMatching(/closed.*reopen/) });
    });
    it('takes no follow-up', () => {
      expect(errorOf(() => closed.command(commands.followUp(SECOND_VISIT)))).toMatchObject({
        code: 'illegal_state',
        message: expect.stringMatching(/closed/),
      });
    });
    it('is reopened by a supervisor and handled again', () => {
      const reopened = closed.command(commands.reopen(SECOND_VISIT));
      expect(reopened.types).toEqual(['CaseReopened', 'DeadlineStarted', 'DeadlineStarted']);
      expect(reopened.state).toMatchObject({
        status: 'in_progress',
        closedAt: null,
        reopenCount: 1,
      });
    });
  });

  describe('observing another service’s event', () => {
    it('knows no case before its registration', () => {
      expect(
        observe(null, e.dispatched(DISPATCHED), new Date(DISPATCHED), resolved.ctx),
      ).toBeNull();
    });
    it('reads garbage data as none, without throwing', () => {
      const garbage = {
        ...caseEvent('mediation', 'MediationAgreementReached', OUTCOME),
        data: null,
      };
      const settled = observe(
        inProgress.state,
        garbage as never,
        new Date(OUTCOME),
        inProgress.ctx,
      );
      expect(settled?.state.status).toBe('resolved');
      expect(
        settled?.events.find(
          (x) => x.type === 'DeadlineStarted' && x.data.obligation === 'agreement_performance',
        ),
      ).toMatchObject({
        data: { basis: { eventDueAt: null, length: 30 } },
      });
    });
  });
});
