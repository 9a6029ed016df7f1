import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import type { SystemUnderTest } from './http-systems';

export interface CatchUpResult {
  /** Seconds from the end of the load until audit held everything; undefined: timed out. */
  readonly seconds: number | undefined;
  readonly cases: number;
  /** Registered cases with at least one event in audit's log, at the end. */
  readonly casesInAudit: number;
  /** Events of those cases in audit's log, and in intake's and supervision's stores. */
  readonly auditEvents: number;
  readonly sourceEvents: number;
}

const POLL_MS = 200;

const count = async (client: Client, sql: string, params: unknown[]): Promise<number> =>
  Number((await client.query<{ n: string }>(sql, params)).rows[0]!.n);

/**
 * Waits until audit's log holds every event of every registered case: intake's
 * registration and dispatch, and what supervision appended in reply (its clocks).
 * Supervision's reply is complete once its inbox holds every intake event of the cases,
 * since it appends in the transaction that records the inbox row. Read with SQL from the
 * system's own databases: the bench owns them, and this costs less than the API.
 */
export const waitForAuditCatchUp = async (
  system: SystemUnderTest,
  ids: readonly string[],
  loadEndedAt: number,
  timeoutMs: number,
  /** Throws when the system is no longer there to catch up. */
  check: () => void,
): Promise<CatchUpResult> => {
  const clients = new Map<string, Client>();
  const connect = async (url: string): Promise<Client> => {
    const existing = clients.get(url);
    if (existing) return existing;
    const client = new Client({ connectionString: url });
    await client.connect();
    clients.set(url, client);
    return client;
  };
  try {
    const intake = await connect(system.databases.intake);
    const supervision = await connect(system.databases.supervision);
    const audit = await connect(system.databases.audit);
    let last = { casesInAudit: 0, auditEvents: 0, sourceEvents: 0 };
    const caughtUp = async (): Promise<boolean> => {
      const casesInAudit = await count(
        audit,
        'select count(distinct case_id) as n from audit.case_events where case_id = any($1)',
        [ids],
      );
      const intakeEvents = (
        await intake.query<{ id: string }>(
          'select event_id::text as id from intake.events where stream_id = any($1)',
          [ids],
        )
      ).rows.map((r) => r.id);
      const replied = await count(
        supervision,
        'select count(distinct event_id) as n from supervision.inbox where event_id = any($1)',
        [intakeEvents],
      );
      const supervisionEvents = await count(
        supervision,
        'select count(*) as n from supervision.events where stream_id = any($1)',
        [ids],
      );
      const auditEvents = await count(
        audit,
        'select count(*) as n from audit.case_events where case_id = any($1)',
        [ids],
      );
      last = { casesInAudit, auditEvents, sourceEvents: intakeEvents.length + supervisionEvents };
      return (
        casesInAudit === ids.length &&
        replied === intakeEvents.length &&
        auditEvents >= last.sourceEvents
      );
    };
    const deadline = loadEndedAt + timeoutMs;
    for (;;) {
      check();
      if (await caughtUp()) {
        return { seconds: (performance.now() - loadEndedAt) / 1000, cases: ids.length, ...last };
      }
      if (performance.now() > deadline) return { seconds: undefined, cases: ids.length, ...last };
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    await Promise.all([...clients.values()].map((c) => c.end()));
  }
};
