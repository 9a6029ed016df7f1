import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';
import { SERVICES, isServiceName, type ServiceName } from '@casegrid/contracts';
import { startTopology } from './topology';

const HELP = `npm run topology [-- --scale service=N ...]

The production topology without Docker: the librdkafka mock broker, the five services as
processes of their own (each on its own database casegrid_<service>, created if missing)
and nginx as the ingress, on this machine's PostgreSQL and Redis. Stops on Ctrl-C.

  DATABASE_URL   the server to create the databases on (default postgres://postgres@127.0.0.1:5432/postgres)
  REDIS_URL      default redis://127.0.0.1:6379/0
  --scale s=N    N instances of service s in one consumer group (e.g. --scale supervision=2)
`;

const scale = (argv: readonly string[]): Partial<Record<ServiceName, number>> => {
  const out: Partial<Record<ServiceName, number>> = {};
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] !== '--scale') throw new Error(`unknown argument ${argv[i]}\n\n${HELP}`);
    const [service, n] = (argv[++i] ?? '').split('=');
    if (!service || !isServiceName(service) || !/^[1-9]\d?$/.test(n ?? ''))
      throw new Error(`--scale needs service=N with one of ${SERVICES.join(', ')}`);
    out[service] = Number(n);
  }
  return out;
};

const databases = async (server: string): Promise<Record<ServiceName, string>> => {
  const admin = new Pool({ connectionString: server, max: 1 });
  const urls = {} as Record<ServiceName, string>;
  try {
    for (const service of SERVICES) {
      const name = `casegrid_${service}`;
      const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [
        name,
      ]);
      if (!rowCount) await admin.query(`create database "${name}"`);
      const url = new URL(server);
      url.pathname = `/${name}`;
      urls[service] = url.toString();
    }
  } finally {
    await admin.end();
  }
  return urls;
};

const run = async (): Promise<void> => {
  const args = process.argv.slice(2);
  if (args.includes('--help')) return void process.stdout.write(HELP);
  const topology = await startTopology({
    root: resolve(__dirname, '../../../..'),
    workDir: await mkdtemp(join(tmpdir(), 'casegrid-topology-')),
    databaseUrls: await databases(
      process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    ),
    redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379/0',
    instances: scale(args),
  });
  process.stdout.write(
    `casegrid topology: ingress ${topology.ingressUrl}, Kafka ${topology.kafka.bootstrap.join(',')}\n` +
      SERVICES.flatMap((s) =>
        topology.instances(s).map((i) => `  ${s}#${i.index} ${i.url}\n`),
      ).join(''),
  );
  const stop = () => void topology.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
};

run().catch((error: unknown) => {
  process.stderr.write(
    `topology failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
