import { spawnSync } from 'node:child_process';
import type { PoolClient } from 'pg';
import { ceSource, ceType, type CloudEvent } from '@casegrid/contracts';
import {
  kernelMigrations,
  openServiceDatabase,
  START,
  type ServiceDatabase,
} from '@casegrid/event-store';
import type { Principal } from '@casegrid/identity';
import { uuidv7 } from '@casegrid/kernel';
import {
  createTestPool,
  dropSchemas,
  freshSchemaName,
  testInfra,
  waitUntil,
} from '@casegrid/testing';
import { AuditQueries } from '../http/audit.queries';
import { auditLogMigrations } from './audit-log.migrations';
import { AuditLogStore, type StoredEvent } from './audit-log.store';

/**
 * Readers of audit's log by position, against two real transactions on PostgreSQL that
 * commit out of the order in which they took their `global_seq` (issue 16): nothing is
 * skipped, and each case's events still come in position order.
 */
describe('AuditLogStore read order', () => {
  const schema = freshSchemaName('audit_log');
  let db: ServiceDatabase;
  let store: AuditLogStore;

  beforeAll(async () => {
    db = await openServiceDatabase({
      url: testInfra().databaseUrl,
      schema,
      migrations: [...kernelMigrations(schema), ...auditLogMigrations(schema)],
    });
    store = new AuditLogStore(db.pool, schema);
  });
  afterAll(async () => {
    await db?.close();
    const admin = createTestPool();
    await dropSchemas(admin, [schema]);
    await admin.end();
  });

  /** A connection of the pool in a transaction of its own, left open until committed. */
  const opened = new Set<PoolClient>();
  const open = async (): Promise<PoolClient> => {
    const client = await db.pool.connect();
    opened.add(client);
    await client.query('begin');
    return client;
  };
  const end = async (client: PoolClient, how: 'commit' | 'rollback'): Promise<void> => {
    opened.delete(client);
    try {
      await client.query(how);
    } finally {
      client.release();
    }
  };
  const commit = (client: PoolClient) => end(client, 'commit');
  afterEach(async () => {
    for (const client of [...opened]) await end(client, 'rollback');
  });

  it('pages past a transaction that took a lower seq and commits later without skipping it', async () => {
    const first = uuidv7();
    const second = uuidv7();
    const a = await open();
    await store.append(a, registered(first)); // takes the lower global_seq
    const b = await open();
    await store.append(b, registered(second));
    await commit(b);

    const read: StoredEvent[] = [];
    let after = START;
    const readPage = async (): Promise<void> => {
      const page = await store.page(db.pool, after, 100);
      read.push(...page.events.filter((s) => [first, second].includes(s.caseId)));
      after = page.next;
    };
    await readPage(); // while a is still open
    await commit(a);
    // Any transaction open on the server holds the horizon back: poll, never skip.
    await waitUntil(async () => (await readPage(), read.length >= 2), {
      what: 'both appends read',
      timeoutMs: 5_000,
    });
    expect(read.map((s) => s.caseId)).toEqual([first, second]);
    expect(read[0]!.globalSeq).toBeLessThan(read[1]!.globalSeq);
  });

  it('exports every chain whole when an append commits after a later-numbered one was exported', async () => {
    const region = '370102002003';
    const inspector: Principal = {
      userId: uuidv7(),
      username: 'inspector.test',
      name: '督查员',
      roles: ['inspector'],
      departmentId: uuidv7(),
      regionCode: region,
    };
    const queries = new AuditQueries(store);
    const x = uuidv7();
    const y = uuidv7();
    const setup = await open();
    await store.append(setup, registered(x, region));
    await commit(setup);

    // a takes x's position 2; b, later numbered, commits a full export page of y.
    const a = await open();
    await store.append(a, follow(x, 2));
    const b = await open();
    await store.appendBatch(b, [
      registered(y, region),
      ...Array.from({ length: 1_000 }, (_, i) => follow(y, i + 2)),
    ]);
    await commit(b);

    // The export reads its first page, then a commits and x goes on to position 3.
    const exporting = queries.export(inspector);
    const lines: string[] = [];
    const pull = async (upTo: number): Promise<void> => {
      while (lines.length < upTo) {
        const line = await exporting.next();
        if (line.done) return;
        lines.push(line.value);
      }
    };
    await pull(1_000); // the first page, not one line more
    await commit(a);
    const c = await open();
    await store.append(c, follow(x, 3));
    await commit(c);
    await pull(Infinity);

    expect(verifyExport(lines)).toMatchObject({ valid: true, failures: [] });
    let everything: string[] = [];
    await waitUntil(
      async () => (everything = await collect(queries.export(inspector))).length >= 1_004,
      {
        what: 'the whole log exported',
        timeoutMs: 5_000,
      },
    );
    expect(verifyExport(everything)).toEqual({
      valid: true,
      events: 1_004,
      cases: 2,
      failures: [],
    });
    expect(positionsOf(everything, x)).toEqual([1, 2, 3]);
  });

  it("refuses an append whose transaction is older than the case's last writer", async () => {
    const caseId = uuidv7();
    const late = await open();
    await late.query('select pg_current_xact_id()'); // an id taken before the append
    const early = await open();
    await store.append(early, registered(caseId));
    await commit(early);

    await expect(store.append(late, follow(caseId, 2))).rejects.toMatchObject({
      code: 'concurrency_conflict',
    });
    await end(late, 'rollback');
    const retried = await open();
    await store.append(retried, follow(caseId, 2));
    await commit(retried);
    expect((await store.events(db.pool, caseId)).map((s) => s.position)).toEqual([1, 2]);
  });
});

const collect = async (lines: AsyncGenerator<string>): Promise<string[]> => {
  const all: string[] = [];
  for await (const line of lines) all.push(line);
  return all;
};

const positionsOf = (lines: readonly string[], caseId: string): number[] =>
  lines
    .map((l) => JSON.parse(l) as { caseId: string; position: number })
    .filter((l) => l.caseId === caseId)
    .map((l) => l.position);

/** The offline checker inspectors run (docs/audit.md), on the lines as exported. */
const verifyExport = (lines: readonly string[]): unknown => {
  const run = spawnSync(process.execPath, ['tools/audit/verify-export.mjs'], {
    input: lines.join(''),
    encoding: 'utf8',
  });
  return JSON.parse(run.stdout) as unknown;
};

const event = (caseId: string, version: number, name: string, data: object): CloudEvent => ({
  specversion: '1.0',
  id: uuidv7(),
  source: ceSource('intake'),
  type: ceType('intake', name, 1),
  time: '2026-03-02T09:00:00+08:00',
  subject: caseId,
  datacontenttype: 'application/json',
  actor: 'u-intake-clerk',
  correlationid: uuidv7(),
  streamversion: version,
  data: { caseId, ...data },
});

const registered = (caseId: string, regionCode = '370102001001'): CloudEvent =>
  event(caseId, 1, 'CaseRegistered', { regionCode, title: '楼道堆物' });

const follow = (caseId: string, version: number): CloudEvent =>
  event(caseId, version, 'CaseNoteAdded', { note: `第 ${version} 条` });
