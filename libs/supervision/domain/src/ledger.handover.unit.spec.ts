import { DEPT, History, caseEvent, commands, events as e } from './testing/case-history.fixtures';

/** Monday 10 March 2025 onwards (UTC; China time is UTC+8). */
const REGISTERED = '2025-03-10T01:00:00.000Z';
const DISPATCHED = '2025-03-10T02:00:00.000Z';
const ACCEPTED = '2025-03-10T03:00:00.000Z';
const ESCALATED = '2025-03-12T03:00:00.000Z';

const accepted = () =>
  History.of().observe(
    e.registered(REGISTERED),
    e.dispatched(DISPATCHED, DEPT.committee, []),
    e.accepted(ACCEPTED),
    e.mediationOpened(ACCEPTED),
  );

describe('the ledger when a mediation is escalated one tier up', () => {
  const escalated = () =>
    accepted().observe(
      caseEvent('mediation', 'MediationEscalated', ESCALATED, {
        fromDepartmentId: DEPT.committee,
        departmentId: DEPT.townOffice,
        toRegionCode: '370102001000',
        reason: '村级调解不成',
      }),
    );

  it('hands the case to the body one tier up, ending the old holder’s spell', () => {
    const { state } = escalated();
    expect(state.leadDepartmentId).toBe(DEPT.townOffice);
    expect(state.holders.map((h) => [h.departmentId, h.until])).toEqual([
      [DEPT.committee, ESCALATED],
      [DEPT.townOffice, null],
    ]);
  });

  it('ends the old holder’s handling clock and starts the new holder’s', () => {
    const history = escalated();
    expect(history.clock('resolve', DEPT.committee)).toMatchObject({
      state: 'met',
      late: false,
    });
    expect(history.clock('resolve', DEPT.townOffice)).toMatchObject({
      state: 'running',
      startedAt: ESCALATED,
    });
  });
});

describe('the ladder once the overdue obligation is met', () => {
  it('stops: nothing is left to escalate', () => {
    const breached = History.of()
      .observe(e.registered(REGISTERED), e.dispatched(DISPATCHED, DEPT.committee, []))
      .fire('2025-03-11T16:00:01.000Z');
    expect(breached.state.supervisionLevel).toBe('township');
    expect(breached.state.nextEscalationAt).not.toBeNull();
    const cured = breached.observe(e.accepted('2025-03-12T01:00:00.000Z'));
    expect(cured.state.nextEscalationAt).toBeNull();
    expect(cured.state.supervisionLevel).toBe('township');
    const later = cured.fire('2025-03-20T01:00:00.000Z');
    expect(later.of('SupervisionEscalated')).toEqual([]);
  });
});

describe('an answer arriving after the case was closed', () => {
  it('is recorded but leaves the case closed', () => {
    const closed = History.of()
      .observe(
        e.registered(REGISTERED),
        e.dispatched(DISPATCHED, DEPT.committee, []),
        e.accepted(ACCEPTED, 'direct'),
        e.resolved('2025-03-11T02:00:00.000Z'),
      )
      .command(commands.followUp('2025-03-12T02:00:00.000Z'))
      .command(commands.close('2025-03-12T03:00:00.000Z'));
    expect(closed.state.status).toBe('closed');
    const late = closed.observe(e.resolved('2025-03-13T02:00:00.000Z', 'referred', 'litigation'));
    expect(late.state).toMatchObject({
      status: 'closed',
      outcome: { status: 'referred', referral: 'litigation' },
    });
  });
});
