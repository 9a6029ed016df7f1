import fc from 'fast-check';
import type { CaseEvent } from './case-event';
import { evolveLedger } from './ledger.evolve';
import type { LedgerCase } from './ledger.state';
import { SUPERVISION_EVENT_TYPES } from './supervision.events';
import {
  caseEvent,
  events as e,
  foldLedger,
  supervisionEvent,
} from './testing/case-history.fixtures';

const REGISTERED = '2025-03-10T01:00:00.000Z';
const DISPATCHED = '2025-03-10T02:00:00.000Z';
const LATER = '2025-03-11T02:00:00.000Z';

/** An inspector's replay of any history succeeds: evolve never throws (DESIGN.md, audit). */
describe('the ledger on what it cannot read', () => {
  describe('on events it does not know', () => {
    const state = foldLedger([e.registered(REGISTERED), e.dispatched(DISPATCHED)]);

    it.each([
      caseEvent('intake', 'PersonalDataRevealed', LATER, { partyIds: ['p1'] }),
      caseEvent('mediation', 'MediationSessionHeld', LATER, { sessionNumber: 1 }),
      caseEvent('audit', 'ChainVerified', LATER),
      caseEvent('intake', 'CaseTeleported', LATER),
    ])('ignores $service $type', (event) => {
      expect(evolveLedger(state, event)).toBe(state);
    });
    it('counts, but otherwise ignores, an unknown supervision event', () => {
      const next = evolveLedger(state, {
        ...supervisionEvent(LATER, 'ClockPolished'),
        streamVersion: 9,
      })!;
      expect(next).toEqual({ ...state, version: 9, updatedAt: LATER });
    });
  });

  describe('properties', () => {
    it('never throws on garbage or out-of-order events and never lowers the version', () => {
      fc.assert(
        fc.property(
          fc.boolean(),
          fc.array(anyEvent, { minLength: 1, maxLength: 60, size: 'max' }),
          (first, history) => {
            let state: LedgerCase | null = first ? foldLedger([e.registered(REGISTERED)]) : null;
            for (const event of history) {
              const before = state?.version ?? 0;
              state = evolveLedger(state, event);
              expect(state?.version ?? 0).toBeGreaterThanOrEqual(before);
            }
          },
        ),
        { numRuns: 300 },
      );
    });
    it.each(['DeadlinePaused', 'DeadlineResumed', 'DeadlineExtended', 'DeadlineMet'])(
      'survives a %s of a clock that started malformed',
      (type) => {
        const state = foldLedger([e.registered(REGISTERED)]);
        for (const basis of [undefined, { pauses: [null], extensions: [] }]) {
          const started = evolveLedger(
            state,
            supervisionEvent(LATER, 'DeadlineStarted', { clockId: 'c1', basis }),
          );
          expect(started?.deadlines).toEqual([]);
          expect(() =>
            evolveLedger(started, supervisionEvent(LATER, type, { clockId: 'c1' })),
          ).not.toThrow();
        }
      },
    );
  });
});

const FIELDS = [
  'caseId',
  'clockId',
  'leadDepartmentId',
  'coDepartmentIds',
  'toDepartmentId',
  'decision',
  'referral',
  'outcome',
  'submissionCount',
  'basis',
  'rules',
  'dueAt',
  'warnAt',
  'pausedLength',
  'extension',
  'level',
  'noticeId',
  'satisfaction',
];
const TYPES = [
  ...SUPERVISION_EVENT_TYPES,
  'CaseRegistered',
  'RepeatSubmissionRecorded',
  'CaseDispatched',
  'CaseReturned',
  'CaseTransferred',
  'CaseEscalated',
  'CaseAccepted',
  'CaseResolved',
  'MediationOpened',
  'MediationAgreementReached',
  'MediationFailed',
  'PetitionAcceptanceDecided',
  'PetitionOpinionIssued',
  'PetitionReviewRequested',
  'PetitionReviewDecided',
  'PetitionReReviewRequested',
  'PetitionReReviewDecided',
  'PetitionTerminated',
  'SomethingElse',
];
const clockish = fc.record({
  clockId: fc.constantFrom('c1', 'c2', undefined),
  basis: fc.oneof(
    fc.constant(undefined),
    fc.record({
      pauses: fc.oneof(fc.anything(), fc.array(fc.anything())),
      extensions: fc.anything(),
    }),
  ),
  rules: fc.anything(),
  dueAt: fc.anything(),
});
const anyData = fc.oneof(
  fc.dictionary(fc.constantFrom(...FIELDS), fc.anything()),
  clockish,
  fc.constantFrom(null, undefined, 'text', 42, [] as unknown[]),
);
const anyEvent: fc.Arbitrary<CaseEvent> = fc.record({
  id: fc.string(),
  type: fc.oneof(
    { arbitrary: fc.constantFrom(...TYPES), weight: 1 },
    { arbitrary: fc.constantFrom(...SUPERVISION_EVENT_TYPES), weight: 2 },
  ),
  service: fc.constantFrom('intake', 'mediation', 'petition', 'supervision', 'audit'),
  time: fc.oneof(
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.string(),
  ),
  actor: fc.string(),
  streamVersion: fc.integer({ min: -3, max: 60 }),
  data: anyData as fc.Arbitrary<CaseEvent['data']>,
});
