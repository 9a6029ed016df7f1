import { deciderSpec } from '@casegrid/testing';
import type { IntakeCommand } from './case.commands';
import { intakeCaseDecider } from './case.decider';
import type { CaseRegistered, Party } from './case.events';
import type { RoutingDecision } from './routing';

const spec = deciderSpec(intakeCaseDecider);

describe('an intake case', () => {
  describe('when unregistered', () => {
    it('is registered with its sealed parties', () => {
      spec.when(register()).then([registered()]);
    });
    it('is dispatched at once when a routing rule decided, with the explanation', () => {
      const routed: RoutingDecision = {
        outcome: 'routed',
        ruleId: 'rule-neighbor',
        leadDepartmentId: 'd-committee',
        coDepartmentIds: ['d-police'],
        explanation: '规则 rule-neighbor 匹配：邻里纠纷，轻微，村级调委会',
        tier: 'village',
      };
      spec.when(register({}, routed)).then([
        registered(),
        {
          type: 'CaseDispatched',
          data: {
            caseId: CASE_ID,
            leadDepartmentId: 'd-committee',
            coDepartmentIds: ['d-police'],
            note: null,
            by: 'rule',
            ruleId: 'rule-neighbor',
            explanation: routed.explanation,
          },
          metadata: EVENT_META,
        },
      ]);
    });
    it('waits for the township dispatcher when no rule decided, and says why', () => {
      const unrouted: RoutingDecision = {
        outcome: 'unrouted',
        reason: 'no_rule',
        explanation: '无匹配规则，待解放路街道综治中心分流',
        dispatcherRegionCode: '370102001000',
      };
      spec.when(register({}, unrouted)).then([
        registered(),
        {
          type: 'CaseAwaitingDispatch',
          data: {
            caseId: CASE_ID,
            reason: 'no_rule',
            explanation: unrouted.explanation,
            dispatcherRegionCode: '370102001000',
          },
          metadata: EVENT_META,
        },
      ]);
    });
    it('needs an applicant', () => {
      spec
        .when(register({ parties: [{ ...applicant, role: 'respondent' }] }))
        .thenThrows('validation_failed', /applicant/);
    });
    it('has nothing to reveal', () => {
      spec.when(reveal([applicant.partyId])).thenThrows('illegal_state');
    });
  });

  describe('when registered', () => {
    it('is not registered twice', () => {
      spec
        .given([registered()])
        .when(register())
        .thenThrows('illegal_state', /2026-370102-000001/);
    });
    it('records who revealed which fields of which parties, and why', () => {
      spec
        .given([registered()])
        .when(reveal([applicant.partyId]))
        .then([
          {
            type: 'PersonalDataRevealed',
            data: {
              caseId: CASE_ID,
              partyIds: [applicant.partyId],
              fields: ['phone'],
              reason: '回访核实',
            },
            metadata: EVENT_META,
          },
        ]);
    });
    it('refuses to reveal a party of another case', () => {
      spec
        .given([registered()])
        .when(reveal(['0193b000-0000-7000-8000-00000000ffff']))
        .thenThrows('validation_failed');
    });
    it('is dispatched by hand to a lead and its co-handlers', () => {
      spec
        .given([registered()])
        .when(dispatchTo('d-lead', ['d-co']))
        .then([
          {
            type: 'CaseDispatched',
            data: {
              caseId: CASE_ID,
              leadDepartmentId: 'd-lead',
              coDepartmentIds: ['d-co'],
              note: null,
              by: 'manual',
              ruleId: null,
              explanation: null,
            },
            metadata: EVENT_META,
          },
        ]);
    });
    it('does not co-handle with its own lead', () => {
      spec
        .given([registered()])
        .when(dispatchTo('d-lead', ['d-lead']))
        .thenThrows('validation_failed');
    });
    it('is not dispatched twice', () => {
      const dispatched = {
        type: 'CaseDispatched' as const,
        data: {
          caseId: CASE_ID,
          leadDepartmentId: 'd-lead',
          coDepartmentIds: [],
          note: null,
          by: 'manual' as const,
          ruleId: null,
          explanation: null,
        },
        metadata: EVENT_META,
      };
      spec
        .given([registered(), dispatched])
        .when(dispatchTo('d-other', []))
        .thenThrows('illegal_state', /transfer/);
    });
    it('records an erasure once', () => {
      const erased = {
        type: 'PersonalDataErased' as const,
        data: {
          caseId: CASE_ID,
          personId: applicant.personId,
          partyIds: [applicant.partyId],
          reason: '本人申请',
        },
        metadata: EVENT_META,
      };
      spec.given([registered()]).when(erase(applicant.personId)).then([erased]);
      spec.given([registered(), erased]).when(erase(applicant.personId)).thenNothing();
      spec
        .given([registered()])
        .when(erase('0193b000-0000-7000-8000-00000000eeee'))
        .thenThrows('validation_failed');
    });
  });
});

// Fixtures
const CASE_ID = '0193b000-0000-7000-8000-000000000001';
const NOW = new Date('2026-03-02T09:00:00+08:00');
const COMMAND_META = { actor: 'u-clerk', department: 'd-center', correlationId: 'c-1', now: NOW };
const EVENT_META = {
  actor: 'u-clerk',
  department: 'd-center',
  correlationId: 'c-1',
  occurredAt: NOW.toISOString(),
};
const applicant: Party = {
  partyId: '0193b000-0000-7000-8000-0000000000a1',
  role: 'applicant',
  personId: '0193b000-0000-7000-8000-0000000000b1',
  personalData: 'pd1.sealed',
};
const DATA: CaseRegistered['data'] = {
  caseId: CASE_ID,
  number: '2026-370102-000001',
  kind: 'dispute',
  channel: 'window',
  title: '邻里噪音纠纷',
  description: '楼上装修噪音持续',
  category: 'neighbor',
  regionCode: '370102001001',
  urgency: 'normal',
  severity: 'minor',
  receivedAt: NOW.toISOString(),
  occurredAt: null,
  parties: [applicant],
  attachments: [],
};
function register(
  overrides: Partial<CaseRegistered['data']> = {},
  routing: RoutingDecision | null = null,
): IntakeCommand {
  return { type: 'RegisterCase', data: { ...DATA, ...overrides, routing }, metadata: COMMAND_META };
}
function registered(): CaseRegistered {
  return { type: 'CaseRegistered', data: DATA, metadata: EVENT_META };
}
function dispatchTo(leadDepartmentId: string, coDepartmentIds: string[]): IntakeCommand {
  return {
    type: 'DispatchCase',
    data: { leadDepartmentId, coDepartmentIds, note: null },
    metadata: COMMAND_META,
  };
}
function reveal(partyIds: string[]): IntakeCommand {
  return {
    type: 'RecordPersonalDataReveal',
    data: { partyIds, fields: ['phone'], reason: '回访核实' },
    metadata: COMMAND_META,
  };
}
function erase(personId: string): IntakeCommand {
  return {
    type: 'RecordPersonalDataErasure',
    data: { personId, reason: '本人申请' },
    metadata: COMMAND_META,
  };
}
