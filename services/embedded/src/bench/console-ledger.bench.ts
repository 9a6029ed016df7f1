import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { runCasegrid } from '@casegrid/runtime';
import { DEMO_USER_PASSWORD } from '@casegrid/service-intake';
import { ALL_SERVICES } from '../all-services';
import { launchChromium } from '../testing/console-browser';

/**
 * `npm run bench:ledger`: the console's ledger with 100,000 cases. Seeds one real case
 * through the API, clones its ledger row by SQL (varied number, region, status, light and
 * registration time), then times the first page of `GET /cases` the way the console asks
 * for it (and with its filters, and the next page by cursor), and the console itself in
 * chromium from navigation to the rendered first page. Writes docs/benchmarks.md's
 * console section.
 */
const CASES = Number(process.env['BENCH_LEDGER_CASES'] ?? 100_000);
const RUNS = 30;
const BASE =
  process.env['BENCH_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/casegrid_bench';
// Built to dist/services/embedded/src/bench: five levels up is the repository.
const DOC = join(__dirname, '../../../../../docs/benchmarks.md');

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function freshDatabase(): Promise<string> {
  const url = new URL(BASE);
  const name = `${url.pathname.slice(1)}_console`;
  if (!name.includes('bench')) throw new Error('BENCH_DATABASE_URL must name a bench database');
  const admin = new Pool({ connectionString: BASE.replace(/\/[^/]*$/, '/postgres'), max: 1 });
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.query(`create database "${name}"`);
  await admin.end();
  url.pathname = `/${name}`;
  return url.toString();
}

async function main(): Promise<void> {
  const databaseUrl = await freshDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'casegrid-bench-ledger-'));
  const running = await runCasegrid(ALL_SERVICES, {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    CASEGRID_DATA_DIR: dataDir,
    RATE_LIMIT_ADDRESS: '100000/1m',
    RATE_LIMIT_USER: '100000/1m',
  });
  const url = running.url.replace('[::1]', '127.0.0.1');
  const login = async (username: string) => {
    const r = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: DEMO_USER_PASSWORD }),
    });
    return ((await r.json()) as { accessToken: string }).accessToken;
  };
  try {
    const clerk = await login('clerk.jiefang');
    const registered = await fetch(`${url}/api/v1/cases`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${clerk}`,
        'idempotency-key': 'bench-template',
      },
      body: JSON.stringify({
        kind: 'dispute',
        channel: 'window',
        title: '模板案件',
        description: '基准测试',
        category: 'neighbor',
        regionCode: '370102001001',
        parties: [{ role: 'applicant', name: '基准' }],
      }),
    });
    const template = ((await registered.json()) as { id: string }).id;
    const pool = new Pool({ connectionString: databaseUrl, max: 2 });
    for (let i = 0; i < 100; i += 1) {
      const { rowCount } = await pool.query('select 1 from supervision.ledger where case_id = $1', [
        template,
      ]);
      if (rowCount) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { rows: columns } = await pool.query<{ column_name: string }>(
      "select column_name from information_schema.columns where table_schema = 'supervision' and table_name = 'ledger' order by ordinal_position",
    );
    const overrides: Record<string, string> = {
      case_id: 'gen_random_uuid()',
      number: `'2026-370102-' || lpad((g + 1)::text, 6, '0')`,
      title: `'基准案件 ' || g`,
      region_code: `(array['370102001001','370102001002','370102002001','370103001001'])[1 + g % 4]`,
      status: `(array['dispatched','accepted','in_progress','resolved','closed'])[1 + g % 5]`,
      light: `case when g % 20 = 0 then 'red' when g % 7 = 0 then 'yellow' else 'green' end`,
      registered_at: `now() - (g || ' minutes')::interval`,
    };
    const list = columns.map((c) => c.column_name);
    const started = performance.now();
    await pool.query(
      `insert into supervision.ledger (${list.join(', ')})
       select ${list.map((c) => overrides[c] ?? `t.${c}`).join(', ')}
       from supervision.ledger t, generate_series(1, $2) g where t.case_id = $1`,
      [template, CASES - 1],
    );
    await pool.query('analyze supervision.ledger');
    const seedSeconds = (performance.now() - started) / 1000;
    await pool.end();

    const supervisor = await login('supervisor.jinan');
    const time = async (query: string) => {
      const ms: number[] = [];
      let next: string | null = null;
      for (let i = 0; i < RUNS; i += 1) {
        const t0 = performance.now();
        const r = await fetch(`${url}/api/v1/cases?${query}`, {
          headers: { authorization: `Bearer ${supervisor}` },
        });
        const body = (await r.json()) as { items: unknown[]; nextCursor: string | null };
        ms.push(performance.now() - t0);
        if (r.status !== 200 || body.items.length === 0) throw new Error(`${query}: ${r.status}`);
        next = body.nextCursor;
      }
      return { ms, next };
    };
    const first = await time('limit=50');
    const rows: [string, number[]][] = [
      ['first page (`limit=50`)', first.ms],
      ['next page by cursor', (await time(`limit=50&cursor=${first.next}`)).ms],
      ['`light=red`', (await time('limit=50&light=red')).ms],
      [
        '`status=accepted&regionCode=370102001000`',
        (await time('limit=50&status=accepted&regionCode=370102001000')).ms,
      ],
      ['`q=<case number>`', (await time('limit=50&q=2026-370102-050000')).ms],
    ];

    const browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(url);
    await page.evaluate(`sessionStorage.setItem('casegrid.token', ${JSON.stringify(supervisor)})`);
    const rendered: number[] = [];
    await page.reload();
    await page.getByTestId('user-name').waitFor();
    for (let i = 0; i < 5; i += 1) {
      await page.goto(`${url}/#/work`);
      await page.locator('[data-testid^=work-], .ant-empty').first().waitFor();
      const t0 = performance.now();
      await page.goto(`${url}/#/ledger`);
      await page.locator('[data-testid=ledger-table] .ant-table-row').nth(49).waitFor();
      rendered.push(performance.now() - t0);
    }
    await browser.close();

    const fmt = (x: number) => `${x.toFixed(1)} ms`;
    const section = [
      '<!-- bench:console-ledger:begin (written by npm run bench:ledger) -->',
      '',
      "## The console's ledger with 100,000 cases",
      '',
      `- Command: \`npm run bench:ledger\`; date ${new Date().toISOString()}; ${CASES.toLocaleString('en')} ledger rows (one registered through the API, the rest cloned from it by SQL in ${seedSeconds.toFixed(1)} s), the city supervisor's jurisdiction (all of them).`,
      `- Each API row: ${RUNS} sequential requests over HTTP on loopback, after the previous row's; the browser row: navigation from another page of the console to the ledger's 50 rendered rows, 5 times, in chromium.`,
      '',
      '| request | p50 | p95 | max |',
      '| --- | --- | --- | --- |',
      ...rows.map(
        ([name, ms]) =>
          `| ${name} | ${fmt(percentile(ms, 50))} | ${fmt(percentile(ms, 95))} | ${fmt(Math.max(...ms))} |`,
      ),
      `| console: ledger page rendered (50 rows) | ${fmt(percentile(rendered, 50))} | ${fmt(percentile(rendered, 95))} | ${fmt(Math.max(...rendered))} |`,
      '',
      '<!-- bench:console-ledger:end -->',
    ].join('\n');
    const doc = await readFile(DOC, 'utf8');
    const marked = /<!-- bench:console-ledger:begin[\s\S]*?bench:console-ledger:end -->/;
    await writeFile(
      DOC,
      marked.test(doc) ? doc.replace(marked, section) : `${doc.trimEnd()}\n\n${section}\n`,
    );
    process.stdout.write(`${section}\n`);
  } finally {
    await running.app.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:ledger failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
