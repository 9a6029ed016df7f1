import { Client } from 'pg';
import { waitUntil } from '@casegrid/testing';
import { LEADER_APP, STANDBY_APP } from './embedded-system';
import type { FaultTargets } from './faults';

/** Session advisory locks (leases) held by idle sessions, per application name. */
const leasesHeld = async (admin: Client, database: string): Promise<Map<string, number[]>> => {
  const { rows } = await admin.query<{ app: string; pid: number }>(
    `select a.application_name as app, a.pid from pg_locks l join pg_stat_activity a on a.pid = l.pid
     where l.locktype = 'advisory' and l.granted and a.datname = $1 and a.state = 'idle'`,
    [database],
  );
  const held = new Map<string, number[]>();
  for (const row of rows) held.set(row.app, [...(held.get(row.app) ?? []), row.pid]);
  return held;
};

/** How many leases the leader held when it held them all (before the first cut). */
let leaseCount: number | undefined;

/**
 * Every lease back with the leader before a cut: a previous cut left them with the
 * standby. Its lease sessions are ended until it has held none for longer than both
 * processes' retry interval (1 s), so that the leader, trying as often, has taken them all.
 */
export const leasesToLeader = async (targets: FaultTargets): Promise<void> => {
  const admin = new Client({ connectionString: targets.postgres.url('postgres') });
  await admin.connect();
  try {
    let quietSince = Date.now();
    await waitUntil(
      async () => {
        const held = await leasesHeld(admin, targets.databases[0] ?? '');
        const standby = held.get(STANDBY_APP) ?? [];
        if (standby.length > 0) {
          await admin.query('select pg_terminate_backend(pid) from unnest($1::int[]) pid', [
            standby,
          ]);
          quietSince = Date.now();
          return false;
        }
        const leader = (held.get(LEADER_APP) ?? []).length;
        leaseCount ??= leader;
        return leader >= leaseCount && leader > 0 && Date.now() - quietSince > 2_500;
      },
      { what: 'every lease with the leader', timeoutMs: 60_000, intervalMs: 100 },
    );
  } finally {
    await admin.end();
  }
};
