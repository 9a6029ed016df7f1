import request from 'supertest';
import { CASEGRID_CLOCK, type CasegridClock } from '@casegrid/platform';
import { waitUntil } from '@casegrid/testing';
import { freshIdNumber, type TestCasegrid } from './test-casegrid';

/** The ledger view of a case as GET /cases/{id} answers it (the fields the scenarios read). */
export interface LedgerView {
  id: string;
  number: string;
  status: string;
  light: string;
  supervisionLevel: string;
  supervisingRegionCode: string | null;
  leadDepartmentId: string | null;
  version: number;
  registeredAt: string;
  noticeIds: string[];
  followUps: { satisfaction: string }[];
  orders: { orderId: string; dueAt: string }[];
  deadlines: {
    clockId: string;
    obligation: string;
    departmentId: string | null;
    state: string;
    light: string | null;
    startedAt: string;
    dueAt: string;
    warnAt: string;
    basis: {
      policy: string;
      policyVersion: number;
      article: string | null;
      unit: string;
      length: number;
      calendarVersion: string;
    };
  }[];
}

/** The demo organisation's departments the scenarios use. */
export const DEPARTMENTS = {
  shandaMediation: '0193a000-0000-7000-8000-000000000055',
  shandaResidents: '0193a000-0000-7000-8000-000000000054',
  lixiaLabour: '0193a000-0000-7000-8000-000000000012',
  lixiaCentre: '0193a000-0000-7000-8000-000000000010',
} as const;

/** HTTP and time for supervision scenarios against a running system. */
export class SupervisionDriver {
  readonly clock: CasegridClock;

  constructor(private readonly casegrid: TestCasegrid) {
    this.clock = casegrid.app.get<CasegridClock>(CASEGRID_CLOCK);
  }

  async as(username: string) {
    return request
      .agent(this.casegrid.url)
      .auth(await this.casegrid.token(username), { type: 'bearer' });
  }

  /** Registers a dispute as the 解放路 clerk; the routing rules dispatch it. */
  async register(overrides: Record<string, unknown> = {}): Promise<string> {
    const clerk = await this.as('clerk.jiefang');
    const response = await clerk
      .post('/api/v1/cases')
      .send({
        kind: 'dispute',
        channel: 'grid',
        title: '楼道堆物引发邻里矛盾',
        description: '邻居长期在楼道堆放杂物',
        category: 'neighbor',
        regionCode: '370102001001',
        parties: [{ role: 'applicant', name: '孙七', idNumber: freshIdNumber() }],
        ...overrides,
      })
      .expect(201);
    return (response.body as { id: string }).id;
  }

  /** The case as the city's supervisor sees it, once `until` holds. */
  async ledger(
    caseId: string,
    until: (view: LedgerView) => boolean,
    what: string,
  ): Promise<LedgerView> {
    const supervisor = await this.as('supervisor.jinan');
    let view: LedgerView | undefined;
    await waitUntil(
      async () => {
        const response = await supervisor.get(`/api/v1/cases/${caseId}`);
        if (response.status !== 200) return false;
        view = response.body as LedgerView;
        return until(view);
      },
      { what, timeoutMs: 60_000, intervalMs: 50 },
    );
    return view!;
  }

  /** Moves business time to an instant (China time in the ISO string). */
  travelTo(iso: string): void {
    this.clock.travelTo(new Date(iso));
  }
}
