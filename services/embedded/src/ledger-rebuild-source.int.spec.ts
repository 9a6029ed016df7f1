import type { PoolClient } from 'pg';
import { ceSource, ceType, type CloudEvent } from '@casegrid/contracts';
import { kernelMigrations, openServiceDatabase, type ServiceDatabase } from '@casegrid/event-store';
import { uuidv7 } from '@casegrid/kernel';
import { auditLogMigrations, AuditLogStore } from '@casegrid/service-audit';
import { AuditStoreSource, type LoggedEvent } from '@casegrid/service-supervision';
import {
  createTestPool,
  dropSchemas,
  freshSchemaName,
  testInfra,
  waitUntil,
} from '@casegrid/testing';

/**
 * The ledger rebuild's reader of audit's store, against two real transactions on
 * PostgreSQL that commit out of the order in which they took their `global_seq` (issue 16):
 * a page after the later one must not lose the earlier one for good.
 */
describe('AuditStoreSource', () => {
  const schema = freshSchemaName('rebuild_source');
  let db: ServiceDatabase;
  let store: AuditLogStore;
  const opened = new Set<PoolClient>();

  beforeAll(async () => {
    db = await openServiceDatabase({
      url: testInfra().databaseUrl,
      schema,
      migrations: [...kernelMigrations(schema), ...auditLogMigrations(schema)],
    });
    store = new AuditLogStore(db.pool, schema);
  });
  afterEach(async () => {
    for (const client of [...opened]) await end(client, 'rollback');
  });
  afterAll(async () => {
    await db?.close();
    const admin = createTestPool();
    await dropSchemas(admin, [schema]);
    await admin.end();
  });

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

  it('returns an append that took a lower seq and committed after a later one was read', async () => {
    const early = registered(uuidv7());
    const late = registered(uuidv7());
    const a = await open();
    await store.append(a, early); // seq n, still open
    const b = await open();
    await store.append(b, late); // seq n + 1
    await end(b, 'commit');

    const reader = await new AuditStoreSource(db.pool, schema).open();
    const read: LoggedEvent[] = [];
    read.push(...(await reader.next(100))); // while a is still open
    await end(a, 'commit');
    // Any transaction open on the server holds the horizon back: poll, never skip.
    await waitUntil(async () => (read.push(...(await reader.next(100))), read.length >= 2), {
      what: 'both appends read',
      timeoutMs: 5_000,
    });
    expect(read.map((r) => r.event.id)).toEqual([early.id, late.id]);
    await reader.close();
  });
});

const registered = (caseId: string): CloudEvent => ({
  specversion: '1.0',
  id: uuidv7(),
  source: ceSource('intake'),
  type: ceType('intake', 'CaseRegistered', 1),
  time: '2026-03-02T09:00:00+08:00',
  subject: caseId,
  datacontenttype: 'application/json',
  actor: 'u-intake-clerk',
  correlationid: uuidv7(),
  streamversion: 1,
  data: { caseId, regionCode: '370102001001', title: '楼道堆物' },
});
