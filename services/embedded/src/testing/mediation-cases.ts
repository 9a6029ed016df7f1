import request from 'supertest';
import { readSeed } from '@casegrid/service-intake';
import {
  referenceReader,
  serviceRuntime,
  type ReferenceReader,
  type ServiceRuntime,
} from '@casegrid/runtime';
import { waitUntil } from '@casegrid/testing';
import { freshIdNumber, type TestCasegrid } from './test-casegrid';

/**
 * Cases on the mediation track for the mediation specs, made through the API as a user
 * would: a neighbour dispute in 山大路社区 (370102001001) routed by rule to the community's
 * mediation committee, accepted there by `mediator.shanda`.
 */
export const VILLAGE_REGION = '370102001001';
const SEED = readSeed();
export const department = (name: string): string =>
  SEED.departments.find((d) => d.name === name)!.id;
export const VILLAGE_COMMITTEE = department('山大路社区人民调解委员会');
export const TOWNSHIP_COMMITTEE = department('解放路街道人民调解委员会');
export const POLICE_STATION = department('解放路街道派出所');

export const hoursAgo = (hours: number): string =>
  new Date(Date.now() - hours * 3_600_000).toISOString();

export interface MediationCases {
  as(username: string): Promise<request.Agent>;
  userId(username: string): Promise<string>;
  /** Registered and dispatched by rule to the village committee (co: the residents' committee). */
  dispatched(): Promise<string>;
  /** …and accepted on `track` by mediator.shanda. */
  accepted(track?: 'mediation' | 'direct'): Promise<string>;
  /** Awaiting dispatch, then dispatched by hand to the committee with the police station as co-handler. */
  acceptedWithPolice(): Promise<string>;
  /** An accepted case with its mediation opened by mediator.shanda. */
  opened(): Promise<string>;
  /** Until mediation's reference replica holds the demo mediators and departments. */
  ready(): Promise<void>;
  /** The mediation service's event count (nothing written on an error). */
  mediationEventCount(): Promise<number>;
}

export function mediationCases(casegrid: TestCasegrid): MediationCases {
  const ids = new Map<string, string>();
  const as = async (username: string) =>
    request.agent(casegrid.url).auth(await casegrid.token(username), { type: 'bearer' });
  const userId = async (username: string): Promise<string> => {
    const known = ids.get(username);
    if (known) return known;
    const me = await (await as(username)).get('/api/v1/me').expect(200);
    const id = (me.body as { user: { id: string } }).user.id;
    ids.set(username, id);
    return id;
  };
  const register = async (category: string): Promise<string> => {
    const response = await (
      await as('clerk.jiefang')
    )
      .post('/api/v1/cases')
      .send({
        kind: 'dispute',
        channel: 'window',
        title: '楼道堆物引发邻里矛盾',
        description: '邻居长期在楼道堆放杂物',
        category,
        regionCode: VILLAGE_REGION,
        parties: [{ role: 'applicant', name: '孙七', idNumber: freshIdNumber() }],
      })
      .expect(201);
    return (response.body as { id: string }).id;
  };
  const accept = async (id: string, track: string) =>
    (await as('mediator.shanda')).post(`/api/v1/cases/${id}/accept`).send({ track }).expect(200);
  const cases: MediationCases = {
    as,
    userId,
    dispatched: () => register('neighbor'),
    async accepted(track = 'mediation') {
      const id = await register('neighbor');
      await accept(id, track);
      return id;
    },
    async acceptedWithPolice() {
      const id = await register('other');
      await (
        await as('dispatcher.jiefang')
      )
        .post(`/api/v1/cases/${id}/dispatch`)
        .send({ leadDepartmentId: VILLAGE_COMMITTEE, coDepartmentIds: [POLICE_STATION] })
        .expect(200);
      await accept(id, 'mediation');
      return id;
    },
    async opened() {
      const id = await cases.accepted();
      await (
        await as('mediator.shanda')
      )
        .post(`/api/v1/cases/${id}/mediation`)
        .send({ type: 'people', mediatorIds: [await userId('mediator.shanda')] })
        .expect(200);
      return id;
    },
    async ready() {
      const reader = casegrid.app.get<ReferenceReader>(referenceReader('mediation'));
      const mediators = ['mediator.shanda', 'mediator.jiefang'];
      const wanted = await Promise.all(mediators.map(userId));
      await waitUntil(
        async () =>
          (await Promise.all(wanted.map((id) => reader.get('user', id)))).every(Boolean) &&
          (await reader.list('department')).length === SEED.departments.length,
        { what: "mediation's copy of the demo organisation" },
      );
    },
    async mediationEventCount() {
      const runtime = casegrid.app.get<ServiceRuntime>(serviceRuntime('mediation'));
      const { rows } = await runtime.db.pool.query<{ n: string }>(
        'select count(*) as n from mediation.events',
      );
      return Number(rows[0]!.n);
    },
  };
  return cases;
}
