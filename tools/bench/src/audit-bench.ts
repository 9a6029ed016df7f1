import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { verifyChain } from '@casegrid/audit';
import {
  CASE_EVENTS_TOPIC,
  ceSource,
  ceType,
  toBinaryMessage,
  type CloudEvent,
} from '@casegrid/contracts';
import { kernelMigrations, openServiceDatabase, quoteSchema } from '@casegrid/event-store';
import {
  EventProcessor,
  InProcessTransport,
  inProcessTransportMigrations,
} from '@casegrid/messaging';
import {
  AUDIT_EVENTS_GROUP,
  AuditEventsConsumer,
  auditLogMigrations,
  AuditLogStore,
} from '@casegrid/service-audit';
import { AuditStoreSource, CASE_EVENTS_GROUP, LedgerRebuild } from '@casegrid/service-supervision';
import { observe, settle, type CaseEvent, type LedgerCase } from '@casegrid/supervision';
import { DEFAULT_URL, databaseNameOf, readBenchConfig } from './bench-config';
import { dropSchemas, ensureDatabase, holdBenchLock } from './bench-database';
import { BENCH_DEPARTMENTS, openSupervisionBench, seedReference } from './supervision-runtime';

/**
 * (g) audit ingest and (h) the ledger rebuilt from 1,000,000 logged events (issue 8).
 *
 *   npm run bench            # runs it after the event store and supervision phases
 *   BENCH_ONLY=audit npm run bench
 *
 * Both use one realistic case history (intake's registration, dispatch, acceptance and
 * resolution with supervision's clock events and a follow-up and closure, as the domain
 * decides them) copied under fresh case and event ids.
 */
const URL = process.env['BENCH_DATABASE_URL'] ?? DEFAULT_URL;
const INGEST_EVENTS = Number(process.env['BENCH_AUDIT_EVENTS'] ?? 50_000);
const REBUILD_EVENTS = Number(process.env['BENCH_REBUILD_EVENTS'] ?? 1_000_000);
/** Cases whose events are interleaved in the log, as a burst of registrations publishes them. */
const INTERLEAVED = 8;
const AUDIT = 'bench_audit';
const LEDGER = 'bench_ledger';
const LOG = 'bench_audit_log';
const TEMPLATE_CASE = '0190a7f0-0000-7000-8000-00000000feed';

const intake = (type: string, at: string, version: number, data: object): CaseEvent => ({
  id: `${type}-${version}`,
  type,
  service: 'intake',
  time: at,
  actor: 'u-bench',
  streamVersion: version,
  data: { caseId: TEMPLATE_CASE, ...data },
});

/** One case's canonical stream as CloudEvents: what every service would have published. */
async function templateHistory(): Promise<CloudEvent[]> {
  const bench = await openSupervisionBench(URL, LEDGER, 2);
  await seedReference(bench);
  const ctx = await bench.context.get();
  const out: CloudEvent[] = [];
  let state: LedgerCase | null = null;
  let supervisionVersion = 0;
  const emit = (e: CaseEvent) =>
    out.push({
      specversion: '1.0',
      id: `__EID__${out.length}`,
      source: ceSource(e.service as 'intake'),
      type: ceType(e.service as 'intake', e.type, 1),
      time: e.time,
      subject: TEMPLATE_CASE,
      datacontenttype: 'application/json',
      actor: e.actor,
      correlationid: 'bench',
      streamversion: e.streamVersion,
      data: e.data,
    });
  const step = (event: CaseEvent, at: string) => {
    emit(event);
    const settled = observe(state, event, new Date(at), ctx)!;
    for (const s of settled.events) {
      supervisionVersion += 1;
      emit({
        ...event,
        id: '',
        type: s.type,
        service: 'supervision',
        streamVersion: supervisionVersion,
        data: s.data as unknown as CaseEvent['data'],
        time: at,
      });
    }
    state = settled.state;
  };
  step(
    intake('CaseRegistered', '2025-03-10T01:00:00Z', 1, {
      number: '2025-370102-000001',
      kind: 'dispute',
      channel: 'window',
      title: '邻里纠纷',
      category: 'neighbor',
      regionCode: BENCH_DEPARTMENTS.committee.regionCode,
      urgency: 'normal',
      severity: 'minor',
      receivedAt: '2025-03-10T01:00:00Z',
      parties: [],
      attachments: [],
    }),
    '2025-03-10T01:00:00Z',
  );
  step(
    intake('CaseDispatched', '2025-03-10T02:00:00Z', 2, {
      leadDepartmentId: BENCH_DEPARTMENTS.committee.id,
      coDepartmentIds: [BENCH_DEPARTMENTS.police.id],
      by: 'rule',
    }),
    '2025-03-10T02:00:00Z',
  );
  step(
    intake('CaseAccepted', '2025-03-10T03:00:00Z', 3, {
      departmentId: BENCH_DEPARTMENTS.committee.id,
      track: 'direct',
      handlerId: '0190a7f0-0000-7000-8000-0000000a0001',
    }),
    '2025-03-10T03:00:00Z',
  );
  step(
    intake('CaseResolved', '2025-03-12T03:00:00Z', 4, {
      departmentId: BENCH_DEPARTMENTS.committee.id,
      outcome: 'resolved',
      summary: '已调解',
      referral: null,
    }),
    '2025-03-12T03:00:00Z',
  );
  const meta = { actor: 'u-supervisor', at: '2025-03-13T03:00:00.000Z' };
  const followed = settle(
    state!,
    [
      {
        type: 'FollowUpRecorded',
        data: {
          caseId: TEMPLATE_CASE,
          followUpId: 'f1',
          method: 'phone',
          satisfaction: 'satisfied',
          notes: '满意',
          recordedBy: 'u-supervisor',
          outcome: 'resolved',
        },
      },
      {
        type: 'CaseClosed',
        data: { caseId: TEMPLATE_CASE, note: '销号', closedBy: 'u-supervisor' },
      },
    ],
    meta,
    ctx,
  );
  for (const s of followed.events) {
    supervisionVersion += 1;
    emit({
      id: '',
      type: s.type,
      service: 'supervision',
      time: meta.at,
      actor: meta.actor,
      streamVersion: supervisionVersion,
      data: s.data as unknown as CaseEvent['data'],
    });
  }
  await bench.close();
  return out;
}

const copyOf = (template: readonly CloudEvent[], caseId: string, n: number): CloudEvent[] =>
  template.map(
    (e, k) =>
      JSON.parse(
        JSON.stringify(e)
          .replaceAll(TEMPLATE_CASE, caseId)
          .replace(`__EID__${k}`, `${caseId.slice(0, 8)}-${n}-${k}`),
      ) as CloudEvent,
  );

const caseIdOf = (n: number): string =>
  `0190a7f1-${String(Math.floor(n / 1e8)).padStart(4, '0')}-7000-8000-${String(n % 1e8).padStart(12, '0')}`;

interface AuditFigures {
  ingest: { events: number; cases: number; seconds: number; perSecond: number; verified: number };
  rebuild: {
    events: number;
    cases: number;
    seedSeconds: number;
    seconds: number;
    perSecond: number;
    peakRssMb: number;
  };
  templateEvents: number;
}

async function main(): Promise<void> {
  // The audit group runs after the others (package.json `bench`), unless BENCH_ONLY leaves it out.
  if (!readBenchConfig().groups.includes('audit')) return;
  await ensureDatabase(URL, databaseNameOf(URL));
  const release = await holdBenchLock(URL);
  try {
    await dropSchemas(URL, [AUDIT, LEDGER, LOG, `${LEDGER}_transport`]);
    const template = await templateHistory();
    const audit = await openServiceDatabase({
      url: URL,
      schema: AUDIT,
      migrations: [...kernelMigrations(AUDIT), ...auditLogMigrations(AUDIT)],
      poolSize: 4,
    });
    const store = new AuditLogStore(audit.pool, AUDIT);

    // (g) Ingest through audit's own consumer on the event processor every consumer runs on:
    // the in-process transport's log holds the cases' events interleaved as a burst of
    // registrations publishes them (INTERLEAVED cases at a time, each case's events in order);
    // the processor applies them in batches, each batch's appends, inbox rows and the
    // group's position in one transaction (event-processor.ts).
    const cases = Math.max(1, Math.round(INGEST_EVENTS / template.length));
    console.log(
      `[bench] (g) audit ingest: ${cases * template.length} events of ${cases} cases through the event processor`,
    );
    const log = await openServiceDatabase({
      url: URL,
      schema: LOG,
      migrations: inProcessTransportMigrations(LOG),
      poolSize: 4,
    });
    const transport = new InProcessTransport({ pool: log.pool, schema: LOG });
    for (let first = 0; first < cases; first += INTERLEAVED) {
      const copies = Array.from({ length: Math.min(INTERLEAVED, cases - first) }, (_, k) =>
        copyOf(template, caseIdOf(first + k), first + k),
      );
      const interleaved = template.flatMap((_, i) => copies.map((events) => events[i]!));
      await transport.publish(interleaved.map((e) => toBinaryMessage(CASE_EVENTS_TOPIC, e)));
    }
    const processor = new EventProcessor(new AuditEventsConsumer(store), transport);
    const total = cases * template.length;
    const started = performance.now();
    await processor.start();
    // Done when the group's position (committed with each batch) reaches the log's last
    // message: a cheap lookup, unlike counting audit's growing table every 20 ms.
    const last = (
      await log.pool.query<{ head: string }>(
        `select max(position) as head from ${quoteSchema(LOG)}.log`,
      )
    ).rows[0]!.head;
    for (;;) {
      const { rows } = await audit.pool.query<{ position: string | null }>(
        `select max(position) as position from ${quoteSchema(AUDIT)}.checkpoints where processor = $1`,
        [AUDIT_EVENTS_GROUP],
      );
      if (rows[0]?.position != null && BigInt(rows[0].position) >= BigInt(last)) break;
      if (processor.status().lastError) throw new Error(processor.status().lastError);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const ingestSeconds = (performance.now() - started) / 1000;
    await processor.stop();
    await transport.close();
    await log.close();
    const appended = Number(
      (
        await audit.pool.query<{ n: string }>(
          `select count(*) as n from ${quoteSchema(AUDIT)}.case_events`,
        )
      ).rows[0]!.n,
    );
    if (appended !== total) throw new Error(`audit holds ${appended} of ${total} events`);
    let verified = 0;
    for (const n of [0, Math.floor(cases / 2), cases - 1]) {
      const events = await store.events(audit.pool, caseIdOf(n));
      if (verifyChain(events).valid && events.length === template.length) verified += 1;
    }
    if (verified !== 3) throw new Error('an ingested chain does not verify');

    // (h) The ledger rebuilt from REBUILD_EVENTS logged events: the log is seeded set-based
    // (the rebuild folds events; it does not check hashes, which verify covers).
    const s = quoteSchema(AUDIT);
    const rebuildCases = Math.round(REBUILD_EVENTS / template.length);
    console.log(
      `[bench] (h) seeding ${rebuildCases * template.length} logged events of ${rebuildCases} cases`,
    );
    await audit.pool.query(`truncate ${s}.case_events`).catch(async () => {
      await audit.pool.query(`alter table ${s}.case_events disable trigger user`);
      await audit.pool.query(`truncate ${s}.case_events`);
      await audit.pool.query(`alter table ${s}.case_events enable trigger user`);
    });
    const seedStarted = performance.now();
    await audit.pool.query(
      `insert into ${s}.case_events (case_id, position, event, prev_hash, hash, region_code)
       select c.id::uuid, t.n,
              replace(replace(t.event::text, $1, c.id),
                      '"__EID__' || (t.n - 1) || '"', '"' || c.id || '-' || t.n || '"')::jsonb,
              repeat('0', 64), repeat('0', 64), $3
       from (select '0190a7f2-0000-7000-8000-' || lpad(g::text, 12, '0') as id
             from generate_series(1, $2::int) g) c
       cross join unnest($4::jsonb[]) with ordinality as t(event, n)
       order by c.id, t.n`,
      [
        TEMPLATE_CASE,
        rebuildCases,
        BENCH_DEPARTMENTS.committee.regionCode,
        template.map((e) => JSON.stringify(e)),
      ],
    );
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const ledgerDb = await openSupervisionBench(URL, LEDGER, 4);
    // As on a live system whose ledger consumer has applied the whole log: a rebuild folds,
    // per case, only what the live consumer's inbox says it applied (ledger.rebuild.ts).
    await ledgerDb.runtime.db.pool.query(
      `insert into ${quoteSchema(LEDGER)}.inbox (consumer, event_id)
       select $1, event->>'id' from ${s}.case_events`,
      [CASE_EVENTS_GROUP],
    );
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(
      () => (peakRss = Math.max(peakRss, process.memoryUsage().rss)),
      200,
    );
    const report = await new LedgerRebuild(
      ledgerDb.runtime.db.pool,
      LEDGER,
      new AuditStoreSource(ledgerDb.runtime.db.pool, AUDIT),
    ).run();
    clearInterval(sampler);
    const { rows } = await ledgerDb.runtime.db.pool.query<{ n: string }>(
      `select count(*) as n from ${quoteSchema(LEDGER)}.ledger where status = 'closed'`,
    );
    if (Number(rows[0]!.n) !== rebuildCases)
      throw new Error(`rebuilt ${rows[0]!.n} closed cases of ${rebuildCases}`);
    await ledgerDb.close();
    await audit.close();

    const figures: AuditFigures = {
      templateEvents: template.length,
      ingest: {
        events: cases * template.length,
        cases,
        seconds: ingestSeconds,
        perSecond: (cases * template.length) / ingestSeconds,
        verified,
      },
      rebuild: {
        events: report.events,
        cases: report.cases,
        seedSeconds,
        seconds: report.ms / 1000,
        perSecond: report.events / (report.ms / 1000),
        peakRssMb: peakRss / 2 ** 20,
      },
    };
    console.log(JSON.stringify(figures, null, 2));
    writeDoc(figures);
  } finally {
    await dropSchemas(URL, [AUDIT, LEDGER, LOG, `${LEDGER}_transport`]).catch(() => undefined);
    await release();
  }
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function writeDoc(f: AuditFigures): void {
  let root = __dirname;
  while (!root.endsWith('/dist')) root = join(root, '..');
  const file = join(root, '..', 'docs', 'benchmarks.md');
  const env = Object.keys(process.env)
    .filter((k) => k.startsWith('BENCH_'))
    .sort()
    .map((k) => `${k}=${process.env[k]}`);
  const section = `<!-- audit-bench:start -->
## Audit ingest and the ledger rebuilt from the log (issue 8)

Command: \`${[...env, 'npm run bench'].join(' ')}\` (${new Date().toISOString()}, load average ${loadavg()[0]!.toFixed(2)}). One realistic case history of ${f.templateEvents} events — intake's registration, dispatch, acceptance
and resolution with supervision's clock events, a follow-up and the closure, as the domain decides them — copied under fresh ids.

| workload | events | cases | time | rate |
| --- | --- | --- | --- | --- |
| (g) audit ingest through audit's consumer on the event processor (in-process log, ${INTERLEAVED} cases interleaved): one transaction per batch | ${fmt(f.ingest.events)} | ${fmt(f.ingest.cases)} | ${fmt(f.ingest.seconds, 1)} s | **${fmt(f.ingest.perSecond)} events/s** |
| (h) ledger rebuilt from audit's store into fresh tables, then swapped in | ${fmt(f.rebuild.events)} | ${fmt(f.rebuild.cases)} | ${fmt(f.rebuild.seconds, 1)} s | **${fmt(f.rebuild.perSecond)} events/s**, peak RSS ${fmt(f.rebuild.peakRssMb)} MB |

- (g) checks its work: three ingested cases' chains are recomputed and verify (${f.ingest.verified}/3).
- (h) seeds the log set-based in ${fmt(f.rebuild.seedSeconds, 1)} s (hashes are not recomputed for the seed: the rebuild folds
  events and does not check the chain, which (g) and \`/verify\` cover) and checks that every case came out closed.
<!-- audit-bench:end -->
`;
  const doc = readFileSync(file, 'utf8');
  const start = doc.indexOf('<!-- audit-bench:start -->');
  const end = doc.indexOf('<!-- audit-bench:end -->');
  writeFileSync(
    file,
    start >= 0 && end > start
      ? doc.slice(0, start) + section + doc.slice(end + '<!-- audit-bench:end -->\n'.length)
      : `${doc.trimEnd()}\n\n${section}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
