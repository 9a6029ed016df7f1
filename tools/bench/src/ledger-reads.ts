import { Client } from 'pg';
import type { HttpJsonClient } from './http-client';
import type { LedgerReads } from './visibility-probe';

/**
 * The visibility probe's two looks at supervision's ledger: its table (`supervision.ledger`,
 * the row `LedgerQueries.get` answers from), and the case read over HTTP as `token`.
 */
export const openLedgerReads = async (
  supervisionUrl: string,
  client: HttpJsonClient,
  token: string,
): Promise<LedgerReads & { close(): Promise<void> }> => {
  const db = new Client({ connectionString: supervisionUrl, application_name: 'bench-probe' });
  await db.connect();
  return {
    async present(ids) {
      const { rows } = await db.query<{ id: string }>(
        'select case_id::text as id from supervision.ledger where case_id = any($1::uuid[])',
        [ids],
      );
      return new Set(rows.map((r) => r.id));
    },
    async read(id) {
      return (await client.send('GET', `/api/v1/cases/${id}`, token)).status;
    },
    close: () => db.end(),
  };
};
