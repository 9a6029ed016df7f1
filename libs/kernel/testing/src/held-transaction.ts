import { Client } from 'pg';

/**
 * A transaction held open in the database at `url`, with an id: it holds that database's
 * snapshot horizon, so the service's relay can neither publish past it nor say it has
 * published all it committed before a time (the deadline scenarios' "long transaction
 * anywhere on the cluster"). `hold` opens it, `release` commits it.
 */
export const heldTransaction = (
  url: string,
): { hold(): Promise<void>; release(): Promise<void> } => {
  const open = new Client({ connectionString: url });
  return {
    async hold() {
      await open.connect();
      await open.query('begin');
      await open.query('select pg_current_xact_id()');
    },
    async release() {
      await open.query('commit');
      await open.end();
    },
  };
};
