import { deciderSpec } from '@casegrid/testing';
import type { IntakeCommand } from './case.commands';
import { intakeCaseDecider } from './case.decider';
import type { IntakeEvent, Outcome, Referral, Track } from './case.events';
import { evolve, initialState } from './case.state';

const spec = deciderSpec(intakeCaseDecider);

const CASE_ID = '0193b000-0000-7000-8000-000000000001';
const LEAD = 'd-lead';
const CO = 'd-co';
const OTHER = 'd-other';
const UPPER = 'd-upper';
const HANDLER = 'u-handler';
const NOW = new Date('2026-03-02T09:00:00+08:00');
const COMMAND_META = { actor: 'u-1', correlationId: 'c-1', now: NOW };
const EVENT_META = { actor: 'u-1', correlationId: 'c-1', occurredAt: NOW.toISOString() };

describe('the intake lifecycle', () => {
  describe('when registered (waiting for a dispatcher)', () => {
    const history = [registered()];
    it.each([
      ['accepted', accept(LEAD)],
      ['returned', giveBack(LEAD)],
      ['transferred', transfer(OTHER)],
      ['escalated', escalate(UPPER)],
      ['resolved', resolve(LEAD, 'resolved', null)],
    ])('is not %s', (_what, command) => {
      spec
        .given(history)
        .when(command)
        .thenThrows('illegal_state', /waiting for a dispatcher/);
    });
  });

  describe('when dispatched', () => {
    const history = [registered(), dispatched()];
    it('is accepted by its lead on a track, with a handler', () => {
      spec
        .given(history)
        .when(accept(LEAD))
        .then([event('CaseAccepted', { departmentId: LEAD, track: 'direct', handlerId: HANDLER })]);
    });
    it('is not accepted by a co-handler', () => {
      spec
        .given(history)
        .when(accept(CO))
        .thenThrows('illegal_state', /only the lead department may accept/);
    });
    it('is returned by its lead with a reason, back to the dispatcher', () => {
      spec
        .given(history)
        .when(giveBack(LEAD))
        .then([event('CaseReturned', { departmentId: LEAD, reason: '不属于本单位职责' })]);
      expect(
        state([...history, event('CaseReturned', { departmentId: LEAD, reason: 'x' })]),
      ).toMatchObject({
        status: 'registered',
        leadDepartmentId: undefined,
      });
    });
    it('is not returned by another department', () => {
      spec
        .given(history)
        .when(giveBack(OTHER))
        .thenThrows('illegal_state', /only the lead/);
    });
    it('is transferred, and the chain of holders grows', () => {
      spec
        .given(history)
        .when(transfer(OTHER))
        .then([
          event('CaseTransferred', {
            fromDepartmentId: LEAD,
            toDepartmentId: OTHER,
            reason: '属住建部门职责',
          }),
        ]);
      const after = state([
        ...history,
        event('CaseTransferred', { fromDepartmentId: LEAD, toDepartmentId: CO, reason: 'r' }),
      ]);
      expect(after).toMatchObject({
        status: 'dispatched',
        leadDepartmentId: CO,
        coDepartmentIds: [],
      });
      expect(
        after.status !== 'unregistered' && after.holders.map((h) => [h.departmentId, h.how]),
      ).toEqual([
        [LEAD, 'dispatched'],
        [CO, 'transferred'],
      ]);
    });
    it('is not transferred to its own lead', () => {
      spec.given(history).when(transfer(LEAD)).thenThrows('validation_failed');
    });
    it('is escalated one tier up', () => {
      spec
        .given(history)
        .when(escalate(UPPER))
        .then([
          event('CaseEscalated', {
            fromDepartmentId: LEAD,
            toDepartmentId: UPPER,
            toRegionCode: '370102000000',
            reason: '调解不成，需区级协调',
          }),
        ]);
    });
    it('is not dispatched again: it is transferred', () => {
      spec
        .given(history)
        .when(dispatch(OTHER))
        .thenThrows('illegal_state', /transfer it instead/);
    });
    it('is not resolved before it is accepted', () => {
      spec
        .given(history)
        .when(resolve(LEAD, 'resolved', null))
        .thenThrows('illegal_state', /only an accepted case/);
    });
  });

  describe('when accepted', () => {
    const on = (track: Track): IntakeEvent[] => [
      registered(),
      dispatched(),
      event('CaseAccepted', { departmentId: LEAD, track, handlerId: HANDLER }),
    ];
    it('is resolved on the direct track by its lead', () => {
      spec
        .given(on('direct'))
        .when(resolve(LEAD, 'resolved', null))
        .then([
          event('CaseResolved', {
            departmentId: LEAD,
            outcome: 'resolved',
            summary: '已协调解决',
            referral: null,
          }),
        ]);
    });
    it('is referred with the channel named (诉调对接)', () => {
      spec
        .given(on('direct'))
        .when(resolve(LEAD, 'referred', 'litigation'))
        .then([
          event('CaseResolved', {
            departmentId: LEAD,
            outcome: 'referred',
            summary: '已协调解决',
            referral: 'litigation',
          }),
        ]);
      expect(
        state([
          ...on('direct'),
          event('CaseResolved', {
            departmentId: LEAD,
            outcome: 'referred',
            summary: 's',
            referral: 'litigation',
          }),
        ]),
      ).toMatchObject({ status: 'referred', referral: 'litigation' });
    });
    it.each([
      ['a referral without a channel', resolve(LEAD, 'referred', null)],
      ['a resolution with a channel', resolve(LEAD, 'resolved', 'arbitration')],
    ])('refuses %s', (_what, command) => {
      spec.given(on('direct')).when(command).thenThrows('validation_failed');
    });
    it('is not resolved here on the mediation or petition track', () => {
      spec
        .given(on('mediation'))
        .when(resolve(LEAD, 'resolved', null))
        .thenThrows('illegal_state', /mediation track/);
      spec
        .given(on('petition'))
        .when(resolve(LEAD, 'resolved', null))
        .thenThrows('illegal_state', /petition track/);
    });
    it('is not resolved by a co-handler', () => {
      spec
        .given(on('direct'))
        .when(resolve(CO, 'resolved', null))
        .thenThrows('illegal_state', /only the lead/);
    });
    it('is not returned once accepted', () => {
      spec
        .given(on('direct'))
        .when(giveBack(LEAD))
        .thenThrows('illegal_state', /before it is accepted/);
    });
    it('is not accepted twice', () => {
      spec
        .given(on('direct'))
        .when(accept(LEAD))
        .thenThrows('illegal_state', /only a dispatched case/);
    });
    it('can still be transferred or escalated, and the new holder must accept', () => {
      spec
        .given(on('mediation'))
        .when(transfer(OTHER))
        .then([
          event('CaseTransferred', {
            fromDepartmentId: LEAD,
            toDepartmentId: OTHER,
            reason: '属住建部门职责',
          }),
        ]);
      expect(
        state([
          ...on('mediation'),
          event('CaseEscalated', {
            fromDepartmentId: LEAD,
            toDepartmentId: UPPER,
            toRegionCode: '370102000000',
            reason: 'r',
          }),
        ]),
      ).toMatchObject({ status: 'dispatched', leadDepartmentId: UPPER });
    });
  });

  describe('a repeat submission', () => {
    const repeat = command('RecordRepeatSubmission', {
      channel: 'hotline',
      title: '再次反映噪音',
      description: '仍未解决',
      receivedAt: NOW.toISOString(),
      applicantPersonIds: ['p-1'],
    });
    it('is recorded on an open case and counted', () => {
      const second = event('RepeatSubmissionRecorded', {
        submissionCount: 2,
        channel: 'hotline',
        title: '再次反映噪音',
        description: '仍未解决',
        receivedAt: NOW.toISOString(),
        applicantPersonIds: ['p-1'],
      });
      spec.given([registered(), dispatched()]).when(repeat).then([second]);
      spec
        .given([registered(), dispatched(), second])
        .when(repeat)
        .then([{ ...second, data: { ...second.data, submissionCount: 3 } } as IntakeEvent]);
    });
    it('is refused on a resolved case: it opens a new one', () => {
      spec
        .given([
          registered(),
          dispatched(),
          event('CaseAccepted', { departmentId: LEAD, track: 'direct', handlerId: HANDLER }),
          event('CaseResolved', {
            departmentId: LEAD,
            outcome: 'resolved',
            summary: 's',
            referral: null,
          }),
        ])
        .when(repeat)
        .thenThrows('illegal_state', /opens a new case/);
    });
  });

  describe('when resolved', () => {
    const history = [
      registered(),
      dispatched(),
      event('CaseAccepted', { departmentId: LEAD, track: 'direct', handlerId: HANDLER }),
      event('CaseResolved', {
        departmentId: LEAD,
        outcome: 'resolved',
        summary: 's',
        referral: null,
      }),
    ];
    it.each([
      ['transferred', transfer(OTHER)],
      ['escalated', escalate(UPPER)],
      ['resolved again', resolve(LEAD, 'resolved', null)],
    ])('is not %s', (_what, command) => {
      spec.given(history).when(command).thenThrows('illegal_state');
    });

    describe('and reopened by supervision (an unsatisfied follow-up)', () => {
      const resume = command('ResumeHandling', { reason: 'unsatisfied follow-up' });
      const resumed = event('CaseHandlingResumed', {
        departmentId: LEAD,
        reason: 'unsatisfied follow-up',
      });

      it('goes back to its holder on the same track', () => {
        spec.given(history).when(resume).then([resumed]);
        expect(state([...history, resumed])).toMatchObject({
          status: 'accepted',
          track: 'direct',
          leadDepartmentId: LEAD,
          handlerId: HANDLER,
        });
      });

      it('can be resolved again by its lead', () => {
        spec
          .given([...history, resumed])
          .when(resolve(LEAD, 'referred', 'litigation'))
          .then([
            event('CaseResolved', {
              departmentId: LEAD,
              outcome: 'referred',
              summary: '已协调解决',
              referral: 'litigation',
            }),
          ]);
      });

      it('changes nothing when delivered again, or on a case still being handled', () => {
        spec
          .given([...history, resumed])
          .when(resume)
          .thenNothing();
        spec.given(history.slice(0, 3)).when(resume).thenNothing();
      });
    });
  });

  it('replays events that do not fit without failing (evolve never throws)', () => {
    const odd = [
      event('CaseAccepted', { departmentId: LEAD, track: 'direct', handlerId: HANDLER }),
      registered(),
      event('CaseResolved', {
        departmentId: LEAD,
        outcome: 'resolved',
        summary: 's',
        referral: null,
      }),
    ];
    expect(state(odd)).toMatchObject({ status: 'registered' });
  });
});

// Fixtures (functions below)
function state(events: IntakeEvent[]) {
  return events.reduce(evolve, initialState());
}
function event<T extends IntakeEvent['type']>(
  type: T,
  data: Omit<Extract<IntakeEvent, { type: T }>['data'], 'caseId'>,
): IntakeEvent {
  return {
    type,
    data: { caseId: CASE_ID, ...data },
    metadata: EVENT_META,
  } as unknown as IntakeEvent;
}
function registered(): IntakeEvent {
  return event('CaseRegistered', {
    number: '2026-370102-000001',
    kind: 'dispute',
    channel: 'window',
    title: 't',
    description: 'd',
    category: 'neighbor',
    regionCode: '370102001001',
    urgency: 'normal',
    severity: 'minor',
    receivedAt: NOW.toISOString(),
    occurredAt: null,
    parties: [],
    attachments: [],
  });
}
function dispatched(): IntakeEvent {
  return event('CaseDispatched', {
    leadDepartmentId: LEAD,
    coDepartmentIds: [CO],
    note: null,
    by: 'manual',
    ruleId: null,
    explanation: null,
  });
}
function command(type: IntakeCommand['type'], data: unknown): IntakeCommand {
  return { type, data, metadata: COMMAND_META } as IntakeCommand;
}
function dispatch(lead: string) {
  return command('DispatchCase', { leadDepartmentId: lead, coDepartmentIds: [], note: null });
}
function accept(departmentId: string) {
  return command('AcceptCase', { departmentId, track: 'direct', handlerId: HANDLER });
}
function giveBack(departmentId: string) {
  return command('ReturnCase', { departmentId, reason: '不属于本单位职责' });
}
function transfer(toDepartmentId: string) {
  return command('TransferCase', { toDepartmentId, reason: '属住建部门职责' });
}
function escalate(toDepartmentId: string) {
  return command('EscalateCase', {
    toDepartmentId,
    toRegionCode: '370102000000',
    reason: '调解不成，需区级协调',
  });
}
function resolve(departmentId: string, outcome: Outcome, referral: Referral | null) {
  return command('ResolveCase', { departmentId, outcome, summary: '已协调解决', referral });
}
