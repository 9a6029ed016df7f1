import { deciderSpec } from '@casegrid/testing';
import { mediationDecider } from './mediation.decider';
import {
  agreed,
  CALENDAR,
  CASE_ID,
  decided,
  EVENT_META,
  escalated,
  escalation,
  failed,
  held,
  NOW,
  open,
  opened,
  requested,
  session,
  TOWNSHIP,
  VILLAGE,
} from './mediation.fixtures';

const spec = deciderSpec(mediationDecider(CALENDAR));

describe('a mediation file: opening, sessions, escalation', () => {
  describe('when there is none', () => {
    it('opens with its type and mediators, at now', () => {
      spec.when(open()).then([opened({ openedAt: NOW.toISOString() })]);
    });
    it.each([
      ['people', 'police_station'],
      ['administrative', 'mediation_committee'],
      ['judicial', 'governance_center'],
    ] as const)('refuses %s mediation by a %s (三调联动)', (type, departmentType) => {
      spec.when(open({ type, departmentType })).thenThrows('validation_failed', /^type: /);
    });
    it('opens a court’s judicial and a traffic police’s administrative mediation', () => {
      spec
        .when(open({ type: 'judicial', departmentType: 'people_tribunal' }))
        .then([opened({ type: 'judicial', openedAt: NOW.toISOString() })]);
      spec
        .when(open({ type: 'administrative', departmentType: 'traffic_police' }))
        .then([opened({ type: 'administrative', openedAt: NOW.toISOString() })]);
    });
    it('needs a mediator', () => {
      spec.when(open({ mediatorIds: [] })).thenThrows('validation_failed', /mediatorIds/);
    });
    it.each([
      ['a session', session()],
      ['an escalation', escalation()],
    ])('has no %s', (_what, command) => {
      spec.when(command).thenThrows('illegal_state', /no mediation is open for this case/);
    });
  });

  describe('when open', () => {
    it('is not opened twice', () => {
      spec
        .given([opened()])
        .when(open())
        .thenThrows('illegal_state', /already|open at/);
    });
    it('numbers its sessions over the file', () => {
      spec
        .given([opened()])
        .when(session())
        .then([{ ...held(1), metadata: EVENT_META }]);
      spec
        .given([opened(), held(1)])
        .when(session())
        .then([held(2)]);
    });
    it('refuses a session in the future', () => {
      spec
        .given([opened()])
        .when(session({ heldAt: '2026-03-21T09:00:00+08:00' }))
        .thenThrows('validation_failed', 'heldAt: must not be in the future');
    });
    it('lets only the holding body act', () => {
      spec
        .given([opened()])
        .when(session({ departmentId: TOWNSHIP }))
        .thenThrows('illegal_state', `only the mediation body holding the file (${VILLAGE})`);
    });
    it('escalates to the body one tier up, with the reason', () => {
      spec
        .given([opened(), held(1)])
        .when(escalation())
        .then([escalated()]);
    });
    it('does not escalate to itself', () => {
      spec
        .given([opened()])
        .when(escalation({ toDepartmentId: VILLAGE }))
        .thenThrows('illegal_state', /already held by/);
    });
  });

  describe('when escalated', () => {
    const history = [opened(), held(1), escalated()];
    it('is opened again by the body it went to, keeping its sessions', () => {
      spec
        .given(history)
        .when(open({ departmentId: TOWNSHIP }))
        .then([opened({ departmentId: TOWNSHIP, openedAt: NOW.toISOString() })]);
      spec
        .given([...history, opened({ departmentId: TOWNSHIP })])
        .when(session({ departmentId: TOWNSHIP }))
        .then([held(2, TOWNSHIP)]);
    });
    it('is opened by no other body', () => {
      spec
        .given(history)
        .when(open())
        .thenThrows('illegal_state', `holding the file (${TOWNSHIP}) may open`);
    });
    it('holds no session and escalates no further until opened up there', () => {
      spec
        .given(history)
        .when(session({ departmentId: TOWNSHIP }))
        .thenThrows('illegal_state', /escalated to .* which has not opened it yet/);
      spec
        .given(history)
        .when(escalation({ departmentId: TOWNSHIP }))
        .thenThrows('illegal_state', /has not opened it yet: cannot escalate/);
    });
  });

  describe('when it has an outcome', () => {
    it.each([
      ['agreed', [opened(), held(1), agreed()]],
      ['failed', [opened(), failed()]],
      ['confirmation requested', [opened(), held(1), agreed(), requested()]],
      ['confirmed', [opened(), held(1), agreed(), requested(), decided()]],
    ])('(%s) is neither reopened, nor held, nor escalated', (_state, history) => {
      spec
        .given(history)
        .when(open())
        .thenThrows('illegal_state', /no second outcome/);
      spec
        .given(history)
        .when(session())
        .thenThrows('illegal_state', /no second outcome/);
      spec
        .given(history)
        .when(escalation())
        .thenThrows('illegal_state', /no second outcome/);
    });
  });

  it('folds a replayed history without throwing, ignoring events that do not fit', () => {
    const { evolve, initialState } = mediationDecider(CALENDAR);
    const state = [held(1), agreed(), opened(), decided(), requested()].reduce(
      evolve,
      initialState(),
    );
    expect(state).toMatchObject({ status: 'open', caseId: CASE_ID, sessions: [] });
  });
});
