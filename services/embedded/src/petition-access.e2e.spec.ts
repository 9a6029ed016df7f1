import request from 'supertest';
import { ROLES, type Role } from '@casegrid/identity';
import {
  acceptedPetition,
  agentOf,
  petitionAt,
  PETITION_OFFICER,
  type PetitionStage,
} from './testing/petition-cases';
import { heldUntilWritten } from './testing/role-table';
import { startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';

/**
 * The petition endpoints × every role × a petition inside and one outside the caller's
 * jurisdiction, with the status each must get (issue 3's table, rows of issue 7). Written
 * out, not derived from the policy: petition officers of the lead 信访局 act; whoever sees
 * the case reads its petition file; nobody else learns the case exists.
 */

// One seeded user per role, all with jurisdiction over 山大路社区 (370102001001); the lead
// of its petitions is 历下区信访局, petition.lixia's department.
const USER: Readonly<Record<Role, string>> = {
  intake_clerk: 'clerk.jiefang',
  grid_worker: 'grid.shanda',
  dispatcher: 'dispatcher.jiefang',
  handler: 'handler.jiefang.sfs',
  mediator: 'mediator.jiefang',
  petition_officer: PETITION_OFFICER,
  supervisor: 'supervisor.lixia',
  inspector: 'inspector.jinan',
  admin: 'admin',
};

type Statuses = Readonly<Record<Role, number>>;
/** In API.md's order of roles: clerk, grid, dispatcher, handler, mediator, petition, supervisor, inspector, admin. */
const S = (...s: number[]): Statuses =>
  Object.fromEntries(ROLES.map((role, i) => [role, s[i]])) as Statuses;
const NOWHERE = S(404, 404, 404, 404, 404, 404, 404, 404, 404);
/** Only the lead's petition officer; territorial roles see the case (403), the rest do not (404). */
const OFFICER_ONLY = S(403, 403, 403, 404, 404, 200, 403, 403, 404);

interface Target {
  /** A fresh petition of this side at `stage`. */
  at(stage: PetitionStage): Promise<string>;
}
interface Row {
  readonly endpoint: string;
  readonly stage: PetitionStage;
  readonly send: (http: request.Agent, caseId: string) => request.Test;
  readonly inside: Statuses;
}

const post = (step: string, body: () => object) => (h: request.Agent, id: string) =>
  h.post(`/api/v1/cases/${id}/petition/${step}`).send(body());
const now = () => new Date().toISOString();

const ROWS: readonly Row[] = [
  {
    endpoint: 'GET /cases/{id}/petition',
    stage: 'accepted',
    send: (h, id) => h.get(`/api/v1/cases/${id}/petition`),
    inside: S(200, 200, 200, 404, 404, 200, 200, 200, 404),
  },
  {
    endpoint: 'POST /cases/{id}/petition/acceptance',
    stage: 'unopened',
    send: post('acceptance', () => ({ decision: 'accepted', reason: '依法受理' })),
    inside: OFFICER_ONLY,
  },
  {
    endpoint: 'POST /cases/{id}/petition/extension',
    stage: 'accepted',
    send: post('extension', () => ({ days: 10, reason: '情况复杂', approvedBy: '局长 李明' })),
    inside: OFFICER_ONLY,
  },
  {
    endpoint: 'POST /cases/{id}/petition/opinion',
    stage: 'accepted',
    send: post('opinion', () => ({ result: 'supported', text: '予以支持' })),
    inside: OFFICER_ONLY,
  },
  {
    endpoint: 'POST /cases/{id}/petition/review-request',
    stage: 'answered',
    send: post('review-request', () => ({ requestedAt: now(), grounds: '不服' })),
    inside: OFFICER_ONLY,
  },
  {
    endpoint: 'POST /cases/{id}/petition/review-decision',
    stage: 'under_review',
    send: post('review-decision', () => ({ result: 'explained', text: '维持' })),
    inside: OFFICER_ONLY,
  },
  {
    endpoint: 'POST /cases/{id}/petition/re-review-request',
    stage: 'reviewed',
    send: post('re-review-request', () => ({ requestedAt: now(), grounds: '仍不服' })),
    inside: OFFICER_ONLY,
  },
  {
    endpoint: 'POST /cases/{id}/petition/re-review-decision',
    stage: 'heard',
    send: post('re-review-decision', () => ({ result: 'not_supported', text: '维持' })),
    inside: OFFICER_ONLY,
  },
  {
    endpoint: 'POST /cases/{id}/petition/hearing',
    stage: 'under_re_review',
    send: post('hearing', () => ({ reason: '组织听证' })),
    inside: OFFICER_ONLY,
  },
  {
    endpoint: 'POST /cases/{id}/petition/hearing/end',
    stage: 'in_hearing',
    send: post('hearing/end', () => ({})),
    inside: OFFICER_ONLY,
  },
  {
    endpoint: 'POST /cases/{id}/petition/termination',
    stage: 're_reviewed',
    send: post('termination', () => ({ basis: '复核终结' })),
    inside: OFFICER_ONLY,
  },
];

describe('the petition rows of the role and jurisdiction table', () => {
  let casegrid: TestCasegrid;
  let inside: Target;
  let outside: Target;
  const as = (username: string) => agentOf(casegrid, username);

  beforeAll(async () => {
    casegrid = await startTestCasegrid('petition_access');
    const officer = await as(PETITION_OFFICER);
    inside = {
      at: async (stage) => petitionAt(officer, await acceptedPetition(casegrid), stage),
    };
    // Another city, outside every seeded user's jurisdiction, with its own 信访局.
    const admin = await as('admin');
    for (const [code, name] of [
      ['370200000000', '青岛市'],
      ['370202000000', '市南区'],
      ['370202001000', '八大峡街道'],
      ['370202001001', '团岛社区'],
    ]) {
      await admin.post('/api/v1/regions').send({ code, name }).expect(201);
    }
    const department = async (name: string, type: string, regionCode: string) =>
      (
        (await admin.post('/api/v1/departments').send({ name, type, regionCode }).expect(201))
          .body as { id: string }
      ).id;
    const user = async (username: string, departmentId: string, role: string) => {
      await admin
        .post('/api/v1/users')
        .send({
          username,
          name: '外市用户',
          departmentId,
          roles: [role],
          password: 'a-long-test-password',
        })
        .expect(201);
      return request
        .agent(casegrid.url)
        .auth(await casegrid.token(username, 'a-long-test-password'), { type: 'bearer' });
    };
    const centre = await department('八大峡街道综治中心', 'governance_center', '370202001000');
    const bureau = await department('市南区信访局', 'petition_bureau', '370202000000');
    const clerk = await user('clerk.badaxia', centre, 'intake_clerk');
    const outsideOfficer = await user('petition.shinan', bureau, 'petition_officer');
    outside = {
      at: async (stage) =>
        petitionAt(
          outsideOfficer,
          await acceptedPetition(casegrid, undefined, {
            clerk,
            officer: outsideOfficer,
            regionCode: '370202001001',
          }),
          stage,
        ),
    };
  });
  afterAll(async () => {
    await casegrid?.stop();
  });

  describe.each(ROWS.map((row) => [row.endpoint, row] as const))('%s', (_endpoint, row) => {
    const held = heldUntilWritten(row.endpoint, (target: Target) => target.at(row.stage));
    const statusOf = async (agent: request.Agent, target: Target): Promise<number> => {
      const { status } = await row.send(agent, await held.subject(target));
      held.answered(target, status);
      return status;
    };

    it.each(ROLES.map((role) => [role] as const))('as %s', async (role) => {
      const agent = await as(USER[role]);
      const got = {
        inside: await statusOf(agent, inside),
        outside: await statusOf(agent, outside),
      };
      expect(got).toEqual({ inside: row.inside[role], outside: NOWHERE[role] });
    });

    it('without a token is 401', async () => {
      const response = await row.send(request.agent(casegrid.url), await held.subject(inside));
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });
});
