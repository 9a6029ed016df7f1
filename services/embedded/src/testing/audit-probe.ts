import request from 'supertest';
import type { ServiceRuntime } from '@casegrid/runtime';
import { serviceRuntime } from '@casegrid/runtime';
import { waitUntil } from '@casegrid/testing';
import type { TestCasegrid } from './test-casegrid';

const STORES = ['intake', 'mediation', 'petition', 'supervision'] as const;

/** Audit's side of a running system, for the audit and replay scenarios. */
export class AuditProbe {
  constructor(private readonly casegrid: TestCasegrid) {}

  runtime(service: 'audit' | (typeof STORES)[number]): ServiceRuntime {
    return this.casegrid.app.get<ServiceRuntime>(serviceRuntime(service));
  }

  async as(username: string) {
    return request
      .agent(this.casegrid.url)
      .auth(await this.casegrid.token(username), { type: 'bearer' });
  }

  async count(caseId: string): Promise<number> {
    const { rows } = await this.runtime('audit').db.pool.query<{ n: string }>(
      'select count(*) as n from audit.case_events where case_id = $1',
      [caseId],
    );
    return Number(rows[0]!.n);
  }

  /**
   * Until nothing of the case is in flight: audit holds every event any service recorded
   * for it, and supervision's consumer has folded each of them (so the ledger row is the
   * fold of exactly audit's stream). Read in that order, the check is sound: stores only
   * grow, and a reaction of supervision commits with its inbox row.
   */
  async settled(caseId: string): Promise<void> {
    await waitUntil(
      async () => {
        const audit = this.runtime('audit').db.pool;
        const ids = (
          await audit.query<{ id: string }>(
            `select event->>'id' as id from audit.case_events where case_id = $1`,
            [caseId],
          )
        ).rows.map((r) => r.id);
        const { rows: folded } = await this.runtime('supervision').db.pool.query<{ n: string }>(
          `select count(*) as n from supervision.inbox
           where consumer = 'supervision.case-events' and event_id = any($1)`,
          [ids],
        );
        if (Number(folded[0]!.n) !== ids.length) return false;
        let recorded = 0;
        for (const service of STORES) {
          const { rows } = await this.runtime(service).db.pool.query<{ n: string }>(
            `select count(*) as n from ${service}.events where stream_id = $1`,
            [caseId],
          );
          recorded += Number(rows[0]!.n);
        }
        return recorded === ids.length;
      },
      { what: `case ${caseId} settled in audit and the ledger`, timeoutMs: 60_000, intervalMs: 30 },
    );
  }
}
