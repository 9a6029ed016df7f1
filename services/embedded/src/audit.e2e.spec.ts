import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainHash, type BreachResponsibility, type ChainVerdict } from '@casegrid/audit';
import { fromBinaryMessage } from '@casegrid/contracts';
import { batchOf } from '@casegrid/messaging';
import { INFRASTRUCTURE, type Infrastructure } from '@casegrid/runtime';
import { AUDIT_WRITER_ROLE, AuditEventsConsumer } from '@casegrid/service-audit';
import { startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';
import { SupervisionDriver, type LedgerView } from './testing/supervision-scenarios';
import { AuditProbe } from './testing/audit-probe';

const JIEFANG_COMMITTEE = '0193a000-0000-7000-8000-000000000037';
const LIXIA_COMMITTEE = '0193a000-0000-7000-8000-000000000021';
const SHANDA_COMMITTEE = '0193a000-0000-7000-8000-000000000055';

const within = (iso: string, range: { from: string; to: string }): boolean =>
  Date.parse(range.from) <= Date.parse(iso) && Date.parse(iso) <= Date.parse(range.to);

/**
 * Audit (issue 8) on the embedded default: the hash chain against tampering done directly
 * in PostgreSQL, point-in-time state against the live ledger at every step of a case,
 * responsibility across a transfer and an escalation, the export checked offline with the
 * documented command, duplicates absorbed, and the writer role's refusals.
 */
describe('audit', () => {
  let casegrid: TestCasegrid;
  let drive: SupervisionDriver;
  let probe: AuditProbe;

  beforeAll(async () => {
    casegrid = await startTestCasegrid('audit', { SUPERVISION_POLL_MS: '50' });
    drive = new SupervisionDriver(casegrid);
    probe = new AuditProbe(casegrid);
  });
  afterAll(async () => {
    await casegrid?.stop();
  });

  const inspector = () => probe.as('inspector.jinan');
  const verify = async (caseId: string): Promise<ChainVerdict> =>
    (await (await inspector()).get(`/api/v1/audit/cases/${caseId}/verify`).expect(200))
      .body as ChainVerdict;

  describe('a case transferred, accepted, escalated, and late twice', () => {
    let caseId: string;
    const steps: { at: string; view: LedgerView; what: string }[] = [];
    const step = async (what: string) => {
      await probe.settled(caseId);
      const view = await drive.ledger(caseId, () => true, what);
      steps.push({ at: new Date(drive.clock.now().getTime()).toISOString(), view, what });
    };
    // Around the command: a holder's spell starts at its event's recording time.
    const registered = { from: '', to: '' };
    const escalated = { from: '', to: '' };

    beforeAll(async () => {
      drive.travelTo('2025-09-24T10:00:00+08:00'); // a Wednesday
      registered.from = drive.clock.now().toISOString();
      caseId = await drive.register();
      registered.to = drive.clock.now().toISOString();
      await step('registered and dispatched to the 山大路 committee');
      drive.travelTo('2025-09-26T00:00:01+08:00'); // the accept clocks breach at 24:00
      await drive.ledger(caseId, (v) => v.light === 'red', 'the breach');
      await step('the accept clocks breached');
      drive.travelTo('2025-09-26T09:00:00+08:00');
      await (
        await drive.as('dispatcher.jiefang')
      )
        .post(`/api/v1/cases/${caseId}/transfer`)
        .send({ toDepartmentId: JIEFANG_COMMITTEE, reason: '宜由街道调委会调解' })
        .expect(200);
      await step('transferred to the 解放路 committee');
      drive.travelTo('2025-09-26T10:00:00+08:00');
      await (
        await drive.as('mediator.jiefang')
      )
        .post(`/api/v1/cases/${caseId}/accept`)
        .send({ track: 'mediation' })
        .expect(200);
      await step('accepted for mediation');
      drive.travelTo('2025-09-26T11:00:00+08:00');
      escalated.from = drive.clock.now().toISOString();
      await (
        await drive.as('mediator.jiefang')
      )
        .post(`/api/v1/cases/${caseId}/escalate`)
        .send({ reason: '需区级协调' })
        .expect(200);
      escalated.to = drive.clock.now().toISOString();
      await step('escalated to the 历下区 committee');
      drive.travelTo('2025-10-20T10:00:00+08:00'); // long after its accept clock ran out
      await drive.ledger(
        caseId,
        (v) =>
          v.deadlines.some((d) => d.departmentId === LIXIA_COMMITTEE && d.state === 'breached'),
        'the district committee late',
      );
      await step('the district committee late to accept');
    });

    it('keeps an honest chain', async () => {
      expect(await verify(caseId)).toEqual({ valid: true, events: await probe.count(caseId) });
    });

    it('serves the stream in canonical order with its hashes', async () => {
      const { items } = (
        await (await inspector()).get(`/api/v1/audit/cases/${caseId}/events`).expect(200)
      ).body as {
        items: {
          position: number;
          event: { type: string; subject: string };
          prevHash: string;
          hash: string;
        }[];
      };
      expect(items.map((i) => i.position)).toEqual(items.map((_, n) => n + 1));
      expect(items[0]!.event.type).toBe('casegrid.intake.CaseRegistered.v1');
      expect(items.every((i) => i.event.subject === caseId)).toBe(true);
      for (let n = 1; n < items.length; n += 1) expect(items[n]!.prevHash).toBe(items[n - 1]!.hash);
      expect(items[2]!.hash).toBe(chainHash(items[2]!.prevHash, items[2]!.event));
    });

    it('rebuilds the ledger view as it stood at every step', async () => {
      const reader = await inspector();
      for (const { at, view, what } of steps) {
        const response = await reader
          .get(`/api/v1/audit/cases/${caseId}/state`)
          .query({ at })
          .expect(200);
        expect({ what, state: response.body }).toEqual({ what, state: view });
      }
      await reader
        .get(`/api/v1/audit/cases/${caseId}/state`)
        .query({ at: '2025-09-24T01:00:00+08:00' })
        .expect(404);
      await reader
        .get(`/api/v1/audit/cases/${caseId}/state`)
        .query({ at: 'yesterday' })
        .expect(400);
    });

    it('names who held the case at each breach, since when, under which deadline', async () => {
      const { items } = (
        await (await inspector()).get(`/api/v1/audit/cases/${caseId}/responsibility`).expect(200)
      ).body as { items: BreachResponsibility[] };
      const first = items.filter((b) => b.breachedAt < '2025-09-26T01:00:00.000Z');
      expect(first.length).toBeGreaterThanOrEqual(1);
      for (const breach of first) {
        expect(breach).toMatchObject({
          obligation: 'accept',
          dueAt: '2025-09-25T16:00:00.000Z',
          policy: 'accept',
          holder: { departmentId: SHANDA_COMMITTEE, until: null },
        });
        expect(within(breach.holder!.since, registered)).toBe(true);
      }
      const last = items.find((b) => b.departmentId === LIXIA_COMMITTEE);
      expect(last).toMatchObject({
        obligation: 'accept',
        holder: { departmentId: LIXIA_COMMITTEE, handlerId: null, until: null },
      });
      expect(within(last!.holder!.since, escalated)).toBe(true);
      // While the district's clock ran, nobody else held the case.
      expect(last!.holdersWhileRunning.map((h) => h.departmentId)).toEqual([LIXIA_COMMITTEE]);
    });

    it('is for inspectors only', async () => {
      await (
        await drive.as('supervisor.jinan')
      )
        .get(`/api/v1/audit/cases/${caseId}/events`)
        .expect(403);
      await (await drive.as('supervisor.jinan')).get('/api/v1/audit/export').expect(403);
      await (
        await inspector()
      )
        .get(`/api/v1/audit/cases/0193a000-0000-7000-8000-00000000ffff/verify`)
        .expect(404);
    });
  });

  describe('tampering done directly in PostgreSQL', () => {
    /** A superuser's session with triggers off: what an insider with the keys could do. */
    const tamper = async (sql: string, params: unknown[]) => {
      const client = await probe.runtime('audit').db.pool.connect();
      try {
        await client.query('begin');
        await client.query('set local session_replication_role = replica');
        await client.query(sql, params);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw error;
      } finally {
        client.release();
      }
    };
    /** Moves positions `from`… up by one, leaving `from` free (positions are a primary key). */
    const shift = async (caseId: string, from: number) => {
      await tamper(
        'update audit.case_events set position = position + 1000 where case_id = $1 and position >= $2',
        [caseId, from],
      );
      await tamper(
        'update audit.case_events set position = position - 999 where case_id = $1 and position > 1000',
        [caseId],
      );
    };
    const caseWithEvents = async (): Promise<string> => {
      drive.travelTo('2025-11-03T10:00:00+08:00');
      const caseId = await drive.register();
      await (
        await drive.as('mediator.shanda')
      )
        .post(`/api/v1/cases/${caseId}/accept`)
        .send({ track: 'mediation' })
        .expect(200);
      await probe.settled(caseId);
      expect(await probe.count(caseId)).toBeGreaterThanOrEqual(5);
      expect(await verify(caseId)).toMatchObject({ valid: true });
      return caseId;
    };

    it('finds a modified event at its position', async () => {
      const caseId = await caseWithEvents();
      await tamper(
        `update audit.case_events set event = jsonb_set(event, '{data,title}', '"改过的标题"')
         where case_id = $1 and position = 3`,
        [caseId],
      );
      expect(await verify(caseId)).toMatchObject({
        valid: false,
        firstBadPosition: 3,
        fault: 'modified',
      });
    });

    it('finds a deleted event at its position', async () => {
      const caseId = await caseWithEvents();
      await tamper('delete from audit.case_events where case_id = $1 and position = 3', [caseId]);
      expect(await verify(caseId)).toMatchObject({
        valid: false,
        firstBadPosition: 3,
        fault: 'missing',
      });
    });

    it('finds an inserted event at its position, even one forged with a valid hash', async () => {
      const caseId = await caseWithEvents();
      const { rows } = await probe
        .runtime('audit')
        .db.pool.query<{ hash: string; event: Record<string, unknown> }>(
          'select hash, event from audit.case_events where case_id = $1 and position = 2',
          [caseId],
        );
      const forged = { ...rows[0]!.event, id: '0193a000-0000-7000-8000-0000000f0ae1' };
      await shift(caseId, 3);
      await tamper(
        `insert into audit.case_events (case_id, position, event, prev_hash, hash)
         values ($1, 3, $2, $3, $4)`,
        [caseId, JSON.stringify(forged), rows[0]!.hash, chainHash(rows[0]!.hash, forged)],
      );
      expect(await verify(caseId)).toMatchObject({
        valid: false,
        firstBadPosition: 3,
        fault: 'inserted',
      });
    });

    it('finds two events swapped', async () => {
      const caseId = await caseWithEvents();
      await tamper(
        'update audit.case_events set position = position + 1000 where case_id = $1 and position in (3, 4)',
        [caseId],
      );
      await tamper(
        `update audit.case_events set position = case position when 1003 then 4 else 3 end
         where case_id = $1 and position in (1003, 1004)`,
        [caseId],
      );
      expect(await verify(caseId)).toMatchObject({
        valid: false,
        firstBadPosition: 3,
        fault: 'reordered',
      });
    });
  });

  describe('the record itself', () => {
    it('absorbs a duplicated delivery, through the inbox and without it', async () => {
      drive.travelTo('2025-11-10T10:00:00+08:00');
      const caseId = await drive.register();
      await probe.settled(caseId);
      const before = await probe.count(caseId);
      const transport = probe.runtime('audit').db.pool;
      const { rows } = await transport.query<{
        position: string;
        message_key: string;
        headers: Record<string, string>;
        value: string;
      }>(
        `select position, message_key, headers, value from transport.log
         where topic = 'casegrid.case-events' and message_key = $1 order by position limit 1`,
        [caseId],
      );
      const row = rows[0]!;
      // Delivered again by hand on a partition of its own, so that the group's position
      // on the real one does not skip it: the inbox absorbs it.
      const message = {
        topic: 'casegrid.case-events',
        key: row.message_key,
        headers: row.headers,
        value: row.value,
        partition: 9,
        offset: row.position,
      };
      const consumer = casegrid.app.get(AuditEventsConsumer);
      const infra = casegrid.app.get<Infrastructure>(INFRASTRUCTURE);
      await infra.processors.get(consumer.group)!.handleBatch(batchOf([message]));
      // The inbox lost: the unique CloudEvent id still refuses a second copy.
      const client = await transport.connect();
      try {
        await client.query('begin');
        expect(await consumer.store.append(client, fromBinaryMessage(row.headers, row.value))).toBe(
          'duplicate',
        );
        await client.query('commit');
      } finally {
        client.release();
      }
      expect(await probe.count(caseId)).toBe(before);
      expect(await verify(caseId)).toMatchObject({ valid: true, events: before });
    });

    it('cannot be updated, deleted or truncated by the writer role, nor changed by the owner', async () => {
      const client = await probe.runtime('audit').db.pool.connect();
      const attempt = async (sql: string, role: boolean) => {
        await client.query('begin');
        try {
          if (role) await client.query(`set local role ${AUDIT_WRITER_ROLE}`);
          await client.query(sql);
          return 'done';
        } catch (error) {
          return (error as { code?: string; message: string }).message;
        } finally {
          await client.query('rollback');
        }
      };
      try {
        expect(await attempt('update audit.case_events set hash = hash', true)).toMatch(
          /permission denied/,
        );
        expect(await attempt('delete from audit.case_events', true)).toMatch(/permission denied/);
        expect(await attempt('truncate audit.case_events', true)).toMatch(/permission denied/);
        expect(await attempt('update audit.case_events set hash = hash', false)).toMatch(
          /append-only: UPDATE refused/,
        );
        expect(await attempt('delete from audit.case_events', false)).toMatch(
          /append-only: DELETE refused/,
        );
        expect(await attempt('truncate audit.case_events', false)).toMatch(
          /append-only: TRUNCATE refused/,
        );
      } finally {
        client.release();
      }
    });

    it('exports a period as NDJSON that the documented command verifies offline, and catches an edit', async () => {
      // A period after the tampering above: those cases' chains are broken on purpose.
      const from = new Date().toISOString();
      drive.travelTo('2025-11-12T10:00:00+08:00');
      const caseIds = [await drive.register(), await drive.register()];
      for (const id of caseIds) await probe.settled(id);
      const response = await (
        await probe.as('inspector.jinan')
      )
        .get('/api/v1/audit/export')
        .query({ from })
        .buffer(true)
        .parse((res, done) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => done(null, text));
        })
        .expect(200)
        .expect('content-type', /application\/x-ndjson/);
      const body = response.body as string;
      const lines = body.trim().split('\n');
      expect(lines.length).toBeGreaterThanOrEqual(6);
      // Older cases appear too: moving time on made their clocks fire since `from`.
      const exported = new Set(lines.map((l) => (JSON.parse(l) as { caseId: string }).caseId));
      expect(caseIds.every((id) => exported.has(id))).toBe(true);
      const dir = await mkdtemp(join(tmpdir(), 'audit-export-'));
      try {
        const file = join(dir, 'export.ndjson');
        await writeFile(file, body);
        const run = (path: string) => {
          try {
            return {
              code: 0,
              out: execFileSync('sh', ['-c', `node tools/audit/verify-export.mjs < ${path}`], {
                encoding: 'utf8',
              }),
            };
          } catch (error) {
            const failed = error as { status: number; stdout: string };
            return { code: failed.status, out: failed.stdout };
          }
        };
        const honest = run(file);
        expect(honest.code).toBe(0);
        expect(JSON.parse(honest.out)).toMatchObject({ valid: true, events: lines.length });
        const edited = lines.map((line, n) =>
          n === 4 ? line.replace('"specversion":"1.0"', '"specversion":"1.0","x":1') : line,
        );
        await writeFile(join(dir, 'edited.ndjson'), `${edited.join('\n')}\n`);
        const caught = run(join(dir, 'edited.ndjson'));
        const tampered = JSON.parse(lines[4]!) as { caseId: string; position: number };
        expect(caught.code).toBe(1);
        expect(JSON.parse(caught.out)).toMatchObject({
          valid: false,
          failures: [{ caseId: tampered.caseId, firstBadPosition: tampered.position, line: 5 }],
        });
        expect(await readFile(file, 'utf8')).toBe(body);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
