import request from 'supertest';
import { freshIdNumber, type TestCasegrid } from './test-casegrid';

/** 历下区信访局 and its seeded petition officer (the routing rule for kind petition leads there). */
export const LIXIA_PETITION_BUREAU = '0193a000-0000-7000-8000-000000000011';
export const PETITION_OFFICER = 'petition.lixia';

export const agentOf = async (casegrid: TestCasegrid, username: string): Promise<request.Agent> =>
  request.agent(casegrid.url).auth(await casegrid.token(username), { type: 'bearer' });

export interface PetitionCaseOptions {
  readonly track?: 'petition' | 'direct';
  /** Registers it (default: 解放路's intake clerk). */
  readonly clerk?: request.Agent;
  /** Accepts it for the lead department (default: 历下区信访局's officer). */
  readonly officer?: request.Agent;
  readonly regionCode?: string;
}

/**
 * A petition registered by an intake clerk (routed to the county 信访局 by the seeded rule
 * for petitions) and accepted by its officer on the petition track. `receivedAt` is when
 * the letter reached the centre: the statutory clocks run from it (default now).
 */
export async function acceptedPetition(
  casegrid: TestCasegrid,
  receivedAt?: string,
  options: PetitionCaseOptions = {},
): Promise<string> {
  const clerk = options.clerk ?? (await agentOf(casegrid, 'clerk.jiefang'));
  const registered = await clerk
    .post('/api/v1/cases')
    .send({
      kind: 'petition',
      channel: 'letter',
      title: '反映拖欠工资问题',
      description: '来信反映某公司拖欠工资三个月',
      category: 'other',
      regionCode: options.regionCode ?? '370102001001',
      receivedAt,
      parties: [{ role: 'applicant', name: '赵六', idNumber: freshIdNumber() }],
    })
    .expect(201);
  const { id, status } = registered.body as { id: string; status: string };
  if (status !== 'dispatched') throw new Error(`the petition was not routed: ${status}`);
  const officer = options.officer ?? (await agentOf(casegrid, PETITION_OFFICER));
  await officer
    .post(`/api/v1/cases/${id}/accept`)
    .send({ track: options.track ?? 'petition' })
    .expect(200);
  return id;
}

export const PETITION_STAGES = [
  'unopened',
  'accepted',
  'answered',
  'under_review',
  'reviewed',
  'under_re_review',
  'in_hearing',
  'heard',
  're_reviewed',
] as const;
export type PetitionStage = (typeof PETITION_STAGES)[number];

/** The petition officer takes the petition to `stage`, each act now (the business clock). */
export async function petitionAt(
  officer: request.Agent,
  id: string,
  stage: PetitionStage,
): Promise<string> {
  const now = () => new Date().toISOString();
  const steps: [string, () => object][] = [
    ['acceptance', () => ({ decision: 'accepted', reason: '依法受理' })],
    ['opinion', () => ({ result: 'explained', text: '解释说明' })],
    ['review-request', () => ({ requestedAt: now(), grounds: '不服' })],
    ['review-decision', () => ({ result: 'explained', text: '维持' })],
    ['re-review-request', () => ({ requestedAt: now(), grounds: '仍不服' })],
    ['hearing', () => ({ reason: '组织听证' })],
    ['hearing/end', () => ({})],
    ['re-review-decision', () => ({ result: 'not_supported', text: '维持' })],
  ];
  for (const [step, body] of steps.slice(0, PETITION_STAGES.indexOf(stage))) {
    await officer.post(`/api/v1/cases/${id}/petition/${step}`).send(body()).expect(200);
  }
  return id;
}
