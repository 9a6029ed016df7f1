import request from 'supertest';
import { freshIdNumber, type TestCasegrid } from './test-casegrid';

/** 历下区信访局 and its seeded petition officer (the routing rule for kind petition leads there). */
export const LIXIA_PETITION_BUREAU = '0193a000-0000-7000-8000-000000000011';
export const PETITION_OFFICER = 'petition.lixia';

export const agentOf = async (casegrid: TestCasegrid, username: string): Promise<request.Agent> =>
  request.agent(casegrid.url).auth(await casegrid.token(username), { type: 'bearer' });

/**
 * A petition registered by 解放路's intake clerk (routed to 历下区信访局 by the seeded rule
 * for petitions) and accepted on the petition track by its officer. `receivedAt` is when
 * the letter reached the centre: the statutory clocks run from it.
 */
export async function acceptedPetition(
  casegrid: TestCasegrid,
  receivedAt: string,
  track: 'petition' | 'direct' = 'petition',
): Promise<string> {
  const clerk = await agentOf(casegrid, 'clerk.jiefang');
  const registered = await clerk
    .post('/api/v1/cases')
    .send({
      kind: 'petition',
      channel: 'letter',
      title: '反映拖欠工资问题',
      description: '来信反映某公司拖欠工资三个月',
      category: 'other',
      regionCode: '370102001001',
      receivedAt,
      parties: [{ role: 'applicant', name: '赵六', idNumber: freshIdNumber() }],
    })
    .expect(201);
  const { id, status } = registered.body as { id: string; status: string };
  if (status !== 'dispatched') throw new Error(`the petition was not routed: ${status}`);
  const officer = await agentOf(casegrid, PETITION_OFFICER);
  await officer.post(`/api/v1/cases/${id}/accept`).send({ track }).expect(200);
  return id;
}
