import { findProblems, type Snapshot } from './invariants';
import type { Ack } from './load';

const CASE = '01a20000-0000-7000-8000-000000000001';
const SOURCE = {
  intake: '/casegrid/intake',
  mediation: '/casegrid/mediation',
  supervision: '/casegrid/supervision',
};

const ack = (kind: Ack['kind'], key: string): Ack => ({
  kind,
  key,
  caseId: CASE,
  status: kind === 'register' ? 201 : 200,
  attempts: 1,
  at: 0,
});
const ACKS: readonly Ack[] = [
  ack('register', 'k-1'),
  ack('accept', 'k-1-accept'),
  ack('mediation', 'k-1-mediation'),
];

const event = (id: string, type: string, pos: number) => ({
  stream_id: CASE,
  id,
  type,
  pos: String(pos),
});
const clock = (
  id: string,
  type: string,
  pos: number,
  more: Partial<{ obligation: string; clock: string; late: string }> = {},
) => ({
  ...event(id, type, pos),
  obligation: more.obligation ?? null,
  department: 'd-1',
  clock: more.clock ?? null,
  late: more.late ?? null,
});

/** One case registered, accepted and in mediation, every consumer caught up. */
const settled = (): Snapshot => {
  const intake = [
    { ...event('i-1', 'CaseRegistered', 1), title: '邻里纠纷 k-1' },
    { ...event('i-2', 'CaseDispatched', 2), title: null },
    { ...event('i-3', 'CaseAccepted', 3), title: null },
  ];
  const mediation = [event('m-1', 'MediationOpened', 1)];
  const supervision = [
    clock('s-1', 'DeadlineStarted', 1, { obligation: 'accept', clock: 'c-1' }),
    clock('s-2', 'DeadlineMet', 2, { clock: 'c-1', late: 'false' }),
  ];
  const chain = [
    { id: 'i-1', source: SOURCE.intake, sv: 1 },
    { id: 'i-2', source: SOURCE.intake, sv: 2 },
    { id: 's-1', source: SOURCE.supervision, sv: 1 },
    { id: 'i-3', source: SOURCE.intake, sv: 3 },
    { id: 's-2', source: SOURCE.supervision, sv: 2 },
    { id: 'm-1', source: SOURCE.mediation, sv: 1 },
  ];
  return {
    intake,
    mediation,
    supervision,
    ledger: [{ case_id: CASE, status: 'in_progress', version: 2 }],
    mediationCases: [{ case_id: CASE, track: 'mediation' }],
    petitionCases: [{ case_id: CASE }],
    audit: chain.map((link, i) => ({ case_id: CASE, position: i + 1, ...link })),
  };
};

describe('findProblems', () => {
  it('finds nothing wrong with a case every consumer applied once, in order', () => {
    expect(findProblems(settled(), ACKS)).toEqual({
      cases: 1,
      missing: [],
      duplicated: [],
      orderViolations: [],
      falseBreaches: [],
    });
  });

  it('counts an acknowledged command missing when a consumer has not applied it', () => {
    const snapshot = settled();
    const problems = findProblems(
      {
        ...snapshot,
        ledger: [{ case_id: CASE, status: 'accepted', version: 2 }],
        audit: snapshot.audit.filter((r) => r.id !== 'm-1'),
      },
      ACKS,
    );
    expect(problems.missing).toEqual([
      `mediation k-1-mediation (case ${CASE}): the ledger says accepted`,
      `mediation k-1-mediation (case ${CASE}): audit lacks MediationOpened m-1`,
      `case ${CASE}: audit lacks mediation's MediationOpened m-1`,
    ]);
  });

  it('counts a registration missing when its key found no case, or another one', () => {
    expect(findProblems({ ...settled(), intake: [] }, ACKS.slice(0, 1)).missing).toEqual([
      `register k-1 (case ${CASE}): no such case registered under its key`,
    ]);
  });

  it('finds a key registered twice, a clock started twice and an event stored twice', () => {
    const snapshot = settled();
    const other = '01a20000-0000-7000-8000-000000000002';
    const problems = findProblems(
      {
        ...snapshot,
        intake: [
          ...snapshot.intake,
          { ...event('i-9', 'CaseRegistered', 1), stream_id: other, title: '邻里纠纷 k-1' },
        ],
        supervision: [
          ...snapshot.supervision,
          clock('s-3', 'DeadlineStarted', 3, { obligation: 'accept', clock: 'c-2' }),
        ],
        mediation: [...snapshot.mediation, event('m-1', 'MediationOpened', 2)],
      },
      ACKS,
    );
    expect(problems.duplicated).toEqual(
      expect.arrayContaining([
        'registration k-1: 2 cases',
        `case ${CASE}: 2 × MediationOpened`,
        `case ${CASE}: clock accept/d-1 started 2 ×`,
        'mediation: event m-1 stored twice',
      ]),
    );
  });

  it('finds a gap in a stream and a producer’s events out of their order in the chain', () => {
    const snapshot = settled();
    const swapped = snapshot.audit.map((r) =>
      r.id === 'i-1' ? { ...r, sv: 2 } : r.id === 'i-2' ? { ...r, sv: 1 } : r,
    );
    const problems = findProblems(
      { ...snapshot, mediation: [event('m-1', 'MediationOpened', 2)], audit: swapped },
      ACKS,
    );
    expect(problems.orderViolations).toEqual([
      `mediation stream ${CASE}: positions 2`,
      `audit ${CASE}: ${SOURCE.intake} in the order 2,1,3`,
    ]);
  });

  it('calls any breach, and a clock met late, false: no clock of a run can be due', () => {
    const snapshot = settled();
    const problems = findProblems(
      {
        ...snapshot,
        supervision: [
          clock('s-1', 'DeadlineStarted', 1, { obligation: 'accept', clock: 'c-1' }),
          clock('s-2', 'DeadlineMet', 2, { clock: 'c-1', late: 'true' }),
          clock('s-3', 'DeadlineBreached', 3, { clock: 'c-2' }),
        ],
        ledger: [{ case_id: CASE, status: 'in_progress', version: 3 }],
      },
      ACKS,
    );
    expect(problems.falseBreaches).toEqual([
      `case ${CASE}: clock c-1 met late`,
      `case ${CASE}: DeadlineBreached s-3`,
    ]);
  });
});
