import type request from 'supertest';
import { hoursAgo, mediationCases, type MediationCases } from './testing/mediation-cases';
import { startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';

/**
 * Issue 6: every mediation endpoint × the users who relate to a mediation case in every
 * way, with the status each must get. The case lies in 山大路社区, is led by its mediation
 * committee (mediator.shanda) and co-handled by 解放路街道派出所 (handler.jiefang.pcs).
 * Written out, not derived from the policy: this table is its specification.
 */
const USERS = [
  'mediator.shanda', // a mediator of the lead committee
  'handler.jiefang.pcs', // a handler of the co-handling police station: reads only
  'mediator.jiefang', // a mediator of another committee (the township's): 404
  'mediator.daguanyuan', // a mediator in another district: 404
  'handler.jiefang.sfs', // a handler of an uninvolved department: 404
  'petition.lixia', // a petition officer: 404
  'clerk.jiefang', // territorial roles read only
  'dispatcher.jiefang',
  'grid.shanda',
  'supervisor.lixia',
  'inspector.jinan',
  'supervisor.shizhong', // a supervisor of another district: 404
  'admin', // sees no case content: 404
] as const;
type User = (typeof USERS)[number];

const READ_ONLY: readonly User[] = [
  'handler.jiefang.pcs',
  'clerk.jiefang',
  'dispatcher.jiefang',
  'grid.shanda',
  'supervisor.lixia',
  'inspector.jinan',
];
/** The lead mediator may; those who see the case get 403; everyone else 404. */
const command = (user: User): number =>
  user === 'mediator.shanda' ? 200 : READ_ONLY.includes(user) ? 403 : 404;
const read = (user: User): number =>
  user === 'mediator.shanda' || READ_ONLY.includes(user) ? 200 : 404;

type State = 'accepted' | 'opened' | 'held' | 'agreed' | 'requested';
interface Row {
  readonly endpoint: string;
  readonly state: State;
  readonly send: (http: request.Agent, id: string, mediatorId: string) => request.Test;
  readonly expected: (user: User) => number;
}

const session = () => ({
  heldAt: hoursAgo(3),
  location: '调解室',
  attendees: ['双方'],
  notes: '调解',
});
const ROWS: readonly Row[] = [
  {
    endpoint: 'POST /cases/{id}/mediation',
    state: 'accepted',
    send: (http, id, mediatorId) =>
      http
        .post(`/api/v1/cases/${id}/mediation`)
        .send({ type: 'people', mediatorIds: [mediatorId] }),
    expected: command,
  },
  {
    endpoint: 'POST /cases/{id}/mediation/sessions',
    state: 'opened',
    send: (http, id) => http.post(`/api/v1/cases/${id}/mediation/sessions`).send(session()),
    expected: command,
  },
  {
    endpoint: 'POST /cases/{id}/mediation/agreement',
    state: 'held',
    send: (http, id) =>
      http
        .post(`/api/v1/cases/${id}/mediation/agreement`)
        .send({ terms: '和解', signedAt: hoursAgo(2) }),
    expected: command,
  },
  {
    endpoint: 'POST /cases/{id}/mediation/failure',
    state: 'opened',
    send: (http, id) =>
      http
        .post(`/api/v1/cases/${id}/mediation/failure`)
        .send({ reason: '拒绝调解', referral: 'arbitration' }),
    expected: command,
  },
  {
    endpoint: 'POST /cases/{id}/mediation/judicial-confirmation',
    state: 'agreed',
    send: (http, id) =>
      http
        .post(`/api/v1/cases/${id}/mediation/judicial-confirmation`)
        .send({ court: '解放路人民法庭', requestedAt: hoursAgo(1) }),
    expected: command,
  },
  {
    endpoint: 'POST /cases/{id}/mediation/judicial-confirmation/decision',
    state: 'requested',
    send: (http, id) =>
      http
        .post(`/api/v1/cases/${id}/mediation/judicial-confirmation/decision`)
        .send({ confirmed: false, decidedAt: hoursAgo(0.5) }),
    expected: command,
  },
  {
    endpoint: 'POST /cases/{id}/mediation/escalation',
    state: 'opened',
    send: (http, id) =>
      http.post(`/api/v1/cases/${id}/mediation/escalation`).send({ reason: '无法化解' }),
    expected: command,
  },
  {
    endpoint: 'GET /cases/{id}/mediation',
    state: 'opened',
    send: (http, id) => http.get(`/api/v1/cases/${id}/mediation`),
    expected: read,
  },
];

describe('who may do what to a mediation', () => {
  let casegrid: TestCasegrid;
  let cases: MediationCases;
  beforeAll(async () => {
    casegrid = await startTestCasegrid('mediation_access');
    cases = mediationCases(casegrid);
    await cases.ready();
  });
  afterAll(async () => {
    await casegrid?.stop();
  });

  /** A case co-handled by the police station, brought to `state` by the lead mediator. */
  const caseIn = async (state: State): Promise<string> => {
    const id = await cases.acceptedWithPolice();
    if (state === 'accepted') return id;
    const m = await cases.as('mediator.shanda');
    const shanda = await cases.userId('mediator.shanda');
    const steps: [State, string, object][] = [
      ['opened', '', { type: 'people', mediatorIds: [shanda] }],
      ['held', '/sessions', session()],
      ['agreed', '/agreement', { terms: '和解', signedAt: hoursAgo(2) }],
      [
        'requested',
        '/judicial-confirmation',
        { court: '解放路人民法庭', requestedAt: hoursAgo(1) },
      ],
    ];
    for (const [reached, path, body] of steps) {
      await m.post(`/api/v1/cases/${id}/mediation${path}`).send(body).expect(200);
      if (reached === state) break;
    }
    return id;
  };

  it.each(ROWS.map((row) => [row.endpoint, row] as const))('%s', async (_endpoint, row) => {
    const id = await caseIn(row.state);
    const shanda = await cases.userId('mediator.shanda');
    const got: Record<string, number> = {};
    const want: Record<string, number> = {};
    // The lead mediator last: the others' attempts must have changed nothing it relies on.
    for (const user of [
      ...USERS.filter((u) => u !== 'mediator.shanda'),
      'mediator.shanda',
    ] as const) {
      got[user] = (await row.send(await cases.as(user), id, shanda)).status;
      want[user] = row.expected(user);
    }
    expect(got).toEqual(want);
  });
});
