import type { Pool } from 'pg';
import { idNumberCheckCharacter } from '@casegrid/identity';
import type { IngressClient } from './ingress-client';

/** 山大路社区 (历下区): neighbour disputes there are routed by rule to its mediation committee. */
const VILLAGE = '370102001001';

/** A distinct valid resident id number per `n`, so no two registrations link as repeats. */
export const idNumber = (run: number, n: number): string => {
  const seq = run * 10_000 + n;
  const year = 1940 + (seq % 60);
  const month = String(1 + (Math.floor(seq / 60) % 12)).padStart(2, '0');
  const day = String(1 + (Math.floor(seq / 720) % 28)).padStart(2, '0');
  const tail = String(Math.floor(seq / 20_160) % 1000).padStart(3, '0');
  const first17 = `110105${year}${month}${day}${tail}`;
  return `${first17}${idNumberCheckCharacter(first17)}`;
};

export const registration = (idNo: string, category = 'neighbor') => ({
  kind: 'dispute',
  channel: 'window',
  title: '楼道堆物引发邻里矛盾',
  description: '邻居长期在楼道堆放杂物',
  category,
  regionCode: VILLAGE,
  parties: [{ role: 'applicant', name: '孙七', idNumber: idNo }],
});

/**
 * One case of the burst, every command with its own key: registered (and routed), accepted
 * on the mediation track, mediation opened, a session held, agreement reached.
 */
export const mediatedCase = async (
  client: IngressClient,
  key: string,
  idNo: string,
  mediatorId: string,
): Promise<string> => {
  const registered = await client.expect(
    201,
    'POST',
    '/api/v1/cases',
    'clerk.jiefang',
    registration(idNo),
    `${key}-register`,
  );
  const id = registered['id'] as string;
  const path = `/api/v1/cases/${id}`;
  await client.expect(
    200,
    'POST',
    `${path}/accept`,
    'mediator.shanda',
    { track: 'mediation' },
    `${key}-accept`,
  );
  const open = { type: 'people', mediatorIds: [mediatorId] };
  await client.expect(200, 'POST', `${path}/mediation`, 'mediator.shanda', open, `${key}-open`);
  const session = {
    heldAt: new Date().toISOString(),
    location: '社区调解室',
    attendees: ['孙七'],
    notes: '双方陈述',
  };
  await client.expect(
    200,
    'POST',
    `${path}/mediation/sessions`,
    'mediator.shanda',
    session,
    `${key}-session`,
  );
  const agreement = { terms: '清理楼道杂物，互不妨碍通行', signedAt: new Date().toISOString() };
  await client.expect(
    200,
    'POST',
    `${path}/mediation/agreement`,
    'mediator.shanda',
    agreement,
    `${key}-agree`,
  );
  return id;
};

export interface Databases {
  readonly intake: Pool;
  readonly mediation: Pool;
  readonly petition: Pool;
  readonly supervision: Pool;
  readonly audit: Pool;
}

const types = async (pool: Pool, schema: string, caseId: string): Promise<string[]> =>
  (
    await pool.query<{ event_type: string }>(
      `select event_type from ${schema}.events where stream_id = $1 order by stream_position`,
      [caseId],
    )
  ).rows.map((r) => r.event_type);

const known = async (pool: Pool, schema: string, caseId: string) =>
  (
    await pool.query<{ track: string | null; status: string }>(
      `select track, status from ${schema}.known_cases where case_id = $1`,
      [caseId],
    )
  ).rows;

/**
 * Everything each service holds of one case, without ids or times: equal for two cases
 * exactly when every service applied the same events once each.
 */
export const caseSignature = async (
  dbs: Databases,
  client: IngressClient,
  caseId: string,
  audit: boolean,
): Promise<Record<string, unknown>> => {
  const ledger = await client.expect(200, 'GET', `/api/v1/cases/${caseId}`, 'supervisor.jinan');
  const deadlines = (ledger['deadlines'] as { obligation: string; state: string }[])
    .map((d) => `${d.obligation}:${d.state}`)
    .sort();
  return {
    intake: await types(dbs.intake, 'intake', caseId),
    mediation: await types(dbs.mediation, 'mediation', caseId),
    supervision: (await types(dbs.supervision, 'supervision', caseId)).sort(),
    mediationDirectory: await known(dbs.mediation, 'mediation', caseId),
    petitionDirectory: await known(dbs.petition, 'petition', caseId),
    ledger: { status: ledger['status'], deadlines },
    audit: audit
      ? await client.expect(200, 'GET', `/api/v1/audit/cases/${caseId}/verify`, 'inspector.jinan')
      : 'not on this branch',
  };
};
