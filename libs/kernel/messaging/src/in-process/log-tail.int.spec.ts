import { Client } from 'pg';
import { openServiceDatabase, quoteSchema, type ServiceDatabase } from '@casegrid/event-store';
import { createTestPool, dropSchemas, freshSchemaName, testInfra } from '@casegrid/testing';
import { InProcessTransport, inProcessStatements } from '../in-process-transport';
import { inProcessTransportMigrations } from './log.migrations';

/**
 * A group catching up on a backlog (a first start, an outage, the audit bench's 50,000
 * events) reads the log one page after another. Left to the planner, a log filled faster
 * than it was analysed was read by a bitmap scan of every row after the position and a sort,
 * for each page: 2,240 heap pages per page of 500 out of 20,000, 2,287 events/s in the audit
 * bench. Each page must cost about its own rows.
 */
describe('the in-process log read after a position', () => {
  const schema = freshSchemaName('log_read');
  const T = quoteSchema(schema);
  const MESSAGES = 20_000;
  const PAGE = 500;
  let db: ServiceDatabase;
  let client: Client;

  beforeAll(async () => {
    db = await openServiceDatabase({
      url: testInfra().databaseUrl,
      schema,
      migrations: inProcessTransportMigrations(schema),
    });
    const transport = new InProcessTransport({ pool: db.pool, schema });
    for (let n = 0; n < MESSAGES; n += 2_000) {
      await transport.publish(
        Array.from({ length: 2_000 }, (_, k) => ({
          topic: 'casegrid.case-events',
          key: `case-${(n + k) % 97}`,
          headers: { ce_id: `e-${n + k}` },
          value: JSON.stringify({ n: n + k, padding: 'x'.repeat(200) }),
        })),
      );
    }
    await transport.close();
    client = new Client({ connectionString: testInfra().databaseUrl });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await db?.close();
    const admin = createTestPool();
    await dropSchemas(admin, [schema]);
    await admin.end();
  });

  /** Heap pages of the log this session has touched, as the statistics count them. */
  const heapPagesTouched = async (): Promise<number> => {
    // Flushed once the session goes idle after this statement; then read afresh.
    await client.query('select pg_stat_force_next_flush()');
    await client.query('select pg_stat_clear_snapshot()');
    const { rows } = await client.query<{ n: string }>(
      `select heap_blks_hit + heap_blks_read as n from pg_statio_user_tables
       where schemaname = $1 and relname = 'log'`,
      [schema],
    );
    return Number(rows[0]!.n);
  };

  it('reads the whole backlog page by page touching each heap page about once', async () => {
    const { rows: size } = await client.query<{ pages: number }>(
      `select pg_relation_size('${T}.log') / current_setting('block_size')::int as pages`,
    );
    const pages = Number(size[0]!.pages);
    const before = await heapPagesTouched();
    const after = inProcessStatements(T).after;
    let position = '0';
    let read = 0;
    for (;;) {
      const { rows } = await client.query<{ position: string; value: string }>(
        after.with(['casegrid.case-events', position, PAGE]),
      );
      if (rows.length === 0) break;
      // In position order, nothing skipped.
      expect(BigInt(rows[0]!.position)).toBeGreaterThan(BigInt(position));
      read += rows.length;
      position = rows[rows.length - 1]!.position;
    }
    expect(read).toBe(MESSAGES);
    const touched = (await heapPagesTouched()) - before;
    // One pass over the table, plus the page each read starts on again.
    expect(touched).toBeLessThan(pages + (2 * MESSAGES) / PAGE);
    expect(touched).toBeGreaterThanOrEqual(pages);
  });
});
