import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { responsibilityOf, stateAt, verifyChain, type ChainLink } from '@casegrid/audit';
import { toCaseEvent, type CloudEvent } from '@casegrid/contracts';
import type { CaseEvent } from '@casegrid/supervision';
import { waitUntil } from '@casegrid/testing';
import { AuditProbe } from '../testing/audit-probe';
import { acceptedPetition, petitionAt, PETITION_OFFICER } from '../testing/petition-cases';
import { SupervisionDriver } from '../testing/supervision-scenarios';
import { startTestCasegrid, type TestCasegrid } from '../testing/test-casegrid';

/**
 * Records the golden histories (issue 18): representative cases driven through the running
 * system, each case's canonical stream as audit holds it (every service's events, in
 * order, with their hashes), written with what today's code folds it into, to
 * `services/audit/src/golden/`. The golden spec folds them again with the code of its
 * day and compares: a reducer change that alters a golden view is a deliberate, reviewed
 * fixture update. Not a test: run by `npm run golden:record` only (its own Jest project),
 * when a producer's events change on purpose.
 */
const OUT = join(__dirname, '../../../audit/src/golden');
const JIEFANG_COMMITTEE = '0193a000-0000-7000-8000-000000000037';
const JIEFANG_JUDICIAL_OFFICE = '0193a000-0000-7000-8000-000000000038';
const LIXIA_COMMITTEE = '0193a000-0000-7000-8000-000000000021';

describe('golden histories', () => {
  let casegrid: TestCasegrid;
  let drive: SupervisionDriver;
  let probe: AuditProbe;
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();

  beforeAll(async () => {
    casegrid = await startTestCasegrid('golden', { SUPERVISION_POLL_MS: '50' });
    drive = new SupervisionDriver(casegrid);
    probe = new AuditProbe(casegrid);
  });
  afterAll(async () => {
    await casegrid?.stop();
  });

  const as = (user: string) => drive.as(user);
  const settle = (caseId: string) => probe.settled(caseId);

  /** Writes the case's stream and what it folds into; checks the fold is the live ledger's. */
  const record = async (name: string, caseId: string, story: string) => {
    await settle(caseId);
    const { rows } = await probe
      .runtime('audit')
      .db.pool.query<{ position: number; event: CloudEvent; prev_hash: string; hash: string }>(
        `select position, event, prev_hash, hash from audit.case_events
         where case_id = $1 order by position`,
        [caseId],
      );
    const links: ChainLink[] = rows.map((r) => ({
      position: r.position,
      event: r.event,
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
    expect(verifyChain(links)).toEqual({ valid: true, events: links.length });
    const events = rows.map((r) => toCaseEvent(r.event)).filter((e): e is CaseEvent => !!e);
    const ledger = stateAt(events, new Date(8.64e15));
    const live = await probe
      .runtime('supervision')
      .db.pool.query<{ state: unknown }>(
        'select state from supervision.ledger where case_id = $1',
        [caseId],
      );
    expect(ledger).toEqual(live.rows[0]!.state);
    const responsibility = responsibilityOf(
      rows.flatMap((r) => {
        const event = toCaseEvent(r.event);
        return event ? [{ position: r.position, event }] : [];
      }),
    );
    writeFileSync(
      join(OUT, `${name}.json`),
      `${JSON.stringify({ story, recordedAt: commit, links, expected: { ledger, responsibility } }, null, 2)}\n`,
    );
  };

  /** Routed to the 山大路 committee, handed to the 解放路 司法所, accepted there for direct handling. */
  const handledDirectly = async (): Promise<string> => {
    const caseId = await drive.register();
    await drive.ledger(caseId, (v) => v.deadlines.length >= 2, 'its accept clocks');
    await (
      await as('dispatcher.jiefang')
    )
      .post(`/api/v1/cases/${caseId}/transfer`)
      .send({ toDepartmentId: JIEFANG_JUDICIAL_OFFICE, reason: '宜由司法所直接处理' })
      .expect(200);
    await (
      await as('handler.jiefang.sfs')
    )
      .post(`/api/v1/cases/${caseId}/accept`)
      .send({ track: 'direct' })
      .expect(200);
    return caseId;
  };

  /** 回访 by phone, satisfied, then 销号, as 历下区's supervisor. */
  const satisfiedAndClosed = async (caseId: string, notes: string, note: string) => {
    const supervisor = await as('supervisor.lixia');
    await supervisor
      .post(`/api/v1/cases/${caseId}/follow-ups`)
      .send({ method: 'phone', satisfaction: 'satisfied', notes })
      .expect(200);
    await supervisor.post(`/api/v1/cases/${caseId}/close`).send({ note }).expect(200);
    await drive.ledger(caseId, (v) => v.status === 'closed', 'closed');
  };

  it('a dispute handled directly, followed up and closed', async () => {
    drive.travelTo('2025-09-24T10:00:00+08:00'); // a Wednesday
    const caseId = await handledDirectly();
    drive.travelTo('2025-09-26T10:00:00+08:00');
    await (
      await as('handler.jiefang.sfs')
    )
      .post(`/api/v1/cases/${caseId}/resolve`)
      .send({ outcome: 'resolved', summary: '双方达成谅解，杂物已清理' })
      .expect(200);
    await drive.ledger(caseId, (v) => v.status === 'resolved', 'resolved');
    drive.travelTo('2025-09-29T10:00:00+08:00');
    await satisfiedAndClosed(caseId, '电话回访，当事人满意', '化解完毕，销号');
    await record(
      'direct-closed',
      caseId,
      'registered, routed, transferred, accepted direct, resolved, 回访, 销号',
    );
  });

  it('a dispute mediated to a judicially confirmed agreement', async () => {
    drive.travelTo('2025-10-15T10:00:00+08:00');
    const caseId = await drive.register();
    await drive.ledger(caseId, (v) => v.deadlines.length >= 2, 'its accept clocks');
    const mediator = await as('mediator.shanda');
    const me = await mediator.get('/api/v1/me').expect(200);
    const mediatorId = (me.body as { user: { id: string } }).user.id;
    await mediator.post(`/api/v1/cases/${caseId}/accept`).send({ track: 'mediation' }).expect(200);
    await mediator
      .post(`/api/v1/cases/${caseId}/mediation`)
      .send({ type: 'people', mediatorIds: [mediatorId] })
      .expect(200);
    drive.travelTo('2025-10-16T10:00:00+08:00');
    await mediator
      .post(`/api/v1/cases/${caseId}/mediation/sessions`)
      .send({
        heldAt: '2025-10-16T09:00:00+08:00',
        location: '社区调解室',
        attendees: ['孙七'],
        notes: '双方陈述',
      })
      .expect(200);
    await mediator
      .post(`/api/v1/cases/${caseId}/mediation/agreement`)
      .send({ terms: '十日内清理楼道杂物', signedAt: '2025-10-16T09:30:00+08:00' })
      .expect(200);
    drive.travelTo('2025-10-20T10:00:00+08:00');
    await mediator
      .post(`/api/v1/cases/${caseId}/mediation/judicial-confirmation`)
      .send({ court: '历下区人民法院解放路人民法庭', requestedAt: '2025-10-20T09:00:00+08:00' })
      .expect(200);
    drive.travelTo('2025-10-27T10:00:00+08:00');
    await mediator
      .post(`/api/v1/cases/${caseId}/mediation/judicial-confirmation/decision`)
      .send({ confirmed: true, decidedAt: '2025-10-27T09:00:00+08:00' })
      .expect(200);
    await drive.ledger(caseId, (v) => v.status === 'resolved', 'resolved');
    await record(
      'mediated-confirmed',
      caseId,
      'accepted for mediation, a session, an agreement, judicial confirmation asked and given',
    );
  });

  it('a dispute late, transferred, accepted, escalated and late again', async () => {
    drive.travelTo('2025-11-12T10:00:00+08:00'); // a Wednesday
    const caseId = await drive.register();
    drive.travelTo('2025-11-14T00:00:01+08:00'); // the accept clocks breach at 24:00
    await drive.ledger(caseId, (v) => v.light === 'red', 'the breach');
    drive.travelTo('2025-11-14T09:00:00+08:00');
    await (
      await as('dispatcher.jiefang')
    )
      .post(`/api/v1/cases/${caseId}/transfer`)
      .send({ toDepartmentId: JIEFANG_COMMITTEE, reason: '宜由街道调委会调解' })
      .expect(200);
    drive.travelTo('2025-11-14T10:00:00+08:00');
    await (
      await as('mediator.jiefang')
    )
      .post(`/api/v1/cases/${caseId}/accept`)
      .send({ track: 'mediation' })
      .expect(200);
    drive.travelTo('2025-11-14T11:00:00+08:00');
    await (
      await as('mediator.jiefang')
    )
      .post(`/api/v1/cases/${caseId}/escalate`)
      .send({ reason: '需区级协调' })
      .expect(200);
    drive.travelTo('2025-12-08T10:00:00+08:00'); // long after the district's accept clock
    await drive.ledger(
      caseId,
      (v) => v.deadlines.some((d) => d.departmentId === LIXIA_COMMITTEE && d.state === 'breached'),
      'the district committee late',
    );
    await record(
      'late-transferred-escalated',
      caseId,
      'breached, 提级督办, transferred, accepted, escalated one tier, late again',
    );
  });

  it('a dispute reopened after an unsatisfied follow-up, then closed', async () => {
    drive.travelTo('2025-12-10T10:00:00+08:00');
    const caseId = await handledDirectly();
    const handler = await as('handler.jiefang.sfs');
    await handler
      .post(`/api/v1/cases/${caseId}/resolve`)
      .send({ outcome: 'resolved', summary: '已协调' })
      .expect(200);
    await drive.ledger(caseId, (v) => v.status === 'resolved', 'resolved');
    drive.travelTo('2025-12-11T10:00:00+08:00');
    await (
      await as('supervisor.lixia')
    )
      .post(`/api/v1/cases/${caseId}/follow-ups`)
      .send({ method: 'visit', satisfaction: 'unsatisfied', notes: '杂物仍未清理' })
      .expect(200);
    await drive.ledger(caseId, (v) => v.status === 'in_progress', 'reopened');
    // …and intake has handed it back to its holder (CaseHandlingResumed).
    await waitUntil(
      async () =>
        (
          await probe
            .runtime('intake')
            .db.pool.query(
              `select 1 from intake.events where stream_id = $1 and event_type = 'CaseHandlingResumed'`,
              [caseId],
            )
        ).rowCount === 1,
      { what: 'intake resumed the handling' },
    );
    drive.travelTo('2025-12-12T10:00:00+08:00');
    await handler
      .post(`/api/v1/cases/${caseId}/resolve`)
      .send({ outcome: 'resolved', summary: '再次协调，已清理' })
      .expect(200);
    await drive.ledger(caseId, (v) => v.status === 'resolved', 'resolved again');
    drive.travelTo('2025-12-15T10:00:00+08:00');
    await satisfiedAndClosed(caseId, '复访满意', '销号');
    await record(
      'reopened-closed',
      caseId,
      'resolved, 回访 unsatisfied reopens it, resolved again, closed',
    );
  });

  it('a dispute whose applicant was erased', async () => {
    drive.travelTo('2025-12-17T10:00:00+08:00');
    const caseId = await drive.register();
    await drive.ledger(caseId, (v) => v.deadlines.length >= 2, 'its accept clocks');
    const parties = await (
      await as('clerk.jiefang')
    )
      .get(`/api/v1/cases/${caseId}/parties`)
      .expect(200);
    const { personId } = (parties.body as { parties: { personId: string }[] }).parties[0]!;
    await (
      await as('admin')
    )
      .post(`/api/v1/persons/${personId}/erasure`)
      .send({ reason: '当事人申请删除个人信息' })
      .expect(200);
    await record(
      'erased',
      caseId,
      'registered and routed; its applicant erased (the key shredded)',
    );
  });

  it('a petition answered and reviewed', async () => {
    // Last, on business time as the wall clock has it: the petition steps are dated now.
    drive.travelTo(new Date().toISOString());
    const caseId = await acceptedPetition(casegrid);
    await petitionAt(await as(PETITION_OFFICER), caseId, 'reviewed');
    await drive.ledger(caseId, (v) => v.status !== 'accepted', 'the petition answered');
    await record(
      'petition-reviewed',
      caseId,
      'a petition accepted, its acceptance decided, answered, reviewed (复查) and decided',
    );
  });
});
