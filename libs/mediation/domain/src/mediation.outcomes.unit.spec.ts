import { deciderSpec } from '@casegrid/testing';
import { mediationDecider } from './mediation.decider';
import {
  agreed,
  agreement,
  at,
  CALENDAR,
  decided,
  decision,
  escalated,
  failed,
  failure,
  held,
  open,
  opened,
  request,
  requested,
  TOWNSHIP,
} from './mediation.fixtures';

const spec = deciderSpec(mediationDecider(CALENDAR));

describe('a mediation file: agreement, failure, judicial confirmation', () => {
  describe('when open without a session', () => {
    it('reaches no agreement before a session', () => {
      spec
        .given([opened()])
        .when(agreement())
        .thenThrows('illegal_state', /no agreement before a session.*人民调解法/);
    });
    it('may fail at once, e.g. when a party refuses (Art 17), referred on', () => {
      spec.given([opened()]).when(failure()).then([failed()]);
    });
  });

  describe('when open after a session', () => {
    const history = [opened(), held(1)];
    it('records the agreement with the end of the judicial-confirmation window', () => {
      spec.given(history).when(agreement()).then([agreed()]);
    });
    it('opens no window for a court’s own mediation', () => {
      spec
        .given([opened({ type: 'judicial' }), held(1)])
        .when(agreement())
        .then([agreed({ judicialConfirmationDueAt: null })]);
    });
    it('lists every bad time at once', () => {
      spec
        .given(history)
        .when(agreement({ signedAt: '2026-03-01T09:00:00+08:00' }))
        .thenThrows('validation_failed', /signedAt: must not be before the first session/);
      spec
        .given(history)
        .when(agreement({ signedAt: '2026-03-25T09:00:00+08:00' }))
        .thenThrows('validation_failed', 'signedAt: must not be in the future');
      spec
        .given(history)
        .when(agreement({ performanceDueAt: '2026-03-05T15:00:00+08:00' }))
        .thenThrows('validation_failed', /performanceDueAt: must be after/);
    });
    it('has no confirmation to request or decide without an agreement', () => {
      spec
        .given(history)
        .when(request())
        .thenThrows('illegal_state', /needs an agreement.*Art 33/);
      spec
        .given(history)
        .when(decision())
        .thenThrows('illegal_state', /none is decided/);
    });
  });

  describe('when agreed', () => {
    const history = [opened(), held(1), agreed()];
    it('has no second outcome', () => {
      spec
        .given(history)
        .when(agreement())
        .thenThrows('illegal_state', /no second outcome/);
      spec
        .given(history)
        .when(failure())
        .thenThrows('illegal_state', /no second outcome/);
    });
    it('requests judicial confirmation inside the 30-day window', () => {
      spec.given(history).when(request()).then([requested()]);
    });
    it('accepts the last instant of the rolled last day (04-07 24:00), refuses the next', () => {
      const last = '2026-04-07T23:59:59+08:00';
      const later = at('2026-04-10T09:00:00+08:00');
      const { now: _now, ...context } = later;
      spec
        .given(history)
        .when(request({ requestedAt: last }, later))
        .then([
          {
            ...requested(),
            data: { ...requested().data, requestedAt: last },
            metadata: { ...context, occurredAt: later.now.toISOString() },
          } as ReturnType<typeof requested>,
        ]);
      spec
        .given(history)
        .when(
          request({ requestedAt: '2026-04-08T00:00:00+08:00' }, at('2026-04-10T09:00:00+08:00')),
        )
        .thenThrows('illegal_state', /within 30 days.*Art 33.*2026-04-07T16:00:00.000Z/);
    });
    it('refuses a request dated before the agreement', () => {
      spec
        .given(history)
        .when(request({ requestedAt: '2026-03-05T15:00:00+08:00' }))
        .thenThrows('illegal_state', /outside it/);
    });
    it('refuses a request in the future', () => {
      spec
        .given(history)
        .when(request({ requestedAt: '2026-03-21T09:00:00+08:00' }))
        .thenThrows('validation_failed', 'requestedAt: must not be in the future');
    });
    it('refuses confirmation of a court’s own mediation', () => {
      spec
        .given([opened({ type: 'judicial' }), held(1), agreed({ judicialConfirmationDueAt: null })])
        .when(request())
        .thenThrows('illegal_state', /调解书/);
    });
    it('is acted on only by the holding body', () => {
      spec
        .given(history)
        .when(request({ departmentId: TOWNSHIP }))
        .thenThrows('illegal_state', /only the mediation body/);
    });
  });

  describe('when failed', () => {
    it('has no second outcome and nothing to confirm', () => {
      const history = [opened(), failed()];
      spec
        .given(history)
        .when(failure())
        .thenThrows('illegal_state', /no second outcome/);
      spec
        .given(history)
        .when(agreement())
        .thenThrows('illegal_state', /no second outcome/);
      spec
        .given(history)
        .when(request())
        .thenThrows('illegal_state', /needs an agreement/);
    });
  });

  describe('when escalated', () => {
    it('records no outcome until the body up there opens it', () => {
      const history = [opened(), held(1), escalated()];
      spec
        .given(history)
        .when(failure())
        .thenThrows('illegal_state', /has not opened it yet/);
      spec
        .given(history)
        .when(agreement({ departmentId: TOWNSHIP }))
        .thenThrows('illegal_state', /has not opened it yet/);
    });
  });

  describe('when judicial confirmation was requested', () => {
    const history = [opened(), held(1), agreed(), requested()];
    it('is not requested twice', () => {
      spec
        .given(history)
        .when(request())
        .thenThrows('illegal_state', /already requested/);
    });
    it('records the court’s decision, confirmed or not', () => {
      spec.given(history).when(decision()).then([decided()]);
      spec
        .given(history)
        .when(decision({ confirmed: false }))
        .then([decided(false)]);
    });
    it('refuses a decision before the application or in the future', () => {
      spec
        .given(history)
        .when(decision({ decidedAt: '2026-03-09T09:00:00+08:00' }))
        .thenThrows('validation_failed', /decidedAt: must not be before the application/);
      spec
        .given(history)
        .when(decision({ decidedAt: '2026-03-21T09:00:00+08:00' }))
        .thenThrows('validation_failed', 'decidedAt: must not be in the future');
    });
  });

  describe('when the court decided', () => {
    it('is not decided or requested again', () => {
      const confirmed = [opened(), held(1), agreed(), requested(), decided()];
      spec
        .given(confirmed)
        .when(decision())
        .thenThrows('illegal_state', /already decided/);
      spec
        .given(confirmed)
        .when(request())
        .thenThrows('illegal_state', /already requested/);
      const refused = [opened(), held(1), agreed(), requested(), decided(false)];
      spec
        .given(refused)
        .when(request())
        .thenThrows('illegal_state', /re-mediate or sue/);
      spec
        .given(refused)
        .when(open())
        .thenThrows('illegal_state', /no second outcome/);
    });
  });
});
