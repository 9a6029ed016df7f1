import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { SERVICES, type ServiceName } from '@casegrid/contracts';
import { startMockKafka, waitUntil, type MockKafka } from '@casegrid/testing';
import { renderNginxConfig } from './ingress';
import { TOPICS } from './topics';

/**
 * The production topology without Docker: the librdkafka mock broker in its own process,
 * each service's built `main.js` as processes of its own (each with its own database, its
 * own Kafka client and producer id), and Debian's nginx as the ingress in front of them.
 * PostgreSQL and Redis are the machine's. The services know each other only through Kafka
 * (and intake's JWKS URL, which is how a separate process trusts the embedded issuer).
 */
export interface TopologyOptions {
  /** The workspace root (its `dist/` holds the built services). */
  readonly root: string;
  /** Logs, nginx's files. */
  readonly workDir: string;
  readonly databaseUrls: Readonly<Record<ServiceName, string>>;
  readonly redisUrl: string;
  /** Instances per service (default 1 each). */
  readonly instances?: Partial<Record<ServiceName, number>>;
  /** Settings every service gets on top of the topology's own. */
  readonly env?: Readonly<Record<string, string>>;
  /** Partitions of each topic for this broker (default the production count). */
  readonly partitions?: (topic: string, production: number) => number;
  /** Brokers of the mock cluster (default 1; more let a fault move partition leaders). */
  readonly brokers?: number;
  readonly nginx?: string;
}

export interface Instance {
  readonly service: ServiceName;
  readonly index: number;
  readonly url: string;
  /** The process (undefined while stopped). */
  readonly process: ChildProcess | undefined;
}

export interface Topology {
  readonly ingressUrl: string;
  readonly kafka: MockKafka;
  instances(service: ServiceName): readonly Instance[];
  /** Ends an instance with a signal (SIGKILL: a crash) and waits until it is gone. */
  stopInstance(service: ServiceName, index: number, signal: NodeJS.Signals): Promise<void>;
  /** Starts a stopped instance again on its port and waits until it is ready. */
  startInstance(service: ServiceName, index: number): Promise<void>;
  stop(): Promise<void>;
}

const handedOut = new Set<number>();
/**
 * A port nothing listens on now and this process has not handed out before: bind(0) may
 * give back a port it just gave, and two instances sharing one would leave the second
 * dead behind the first's answers.
 */
const freePort = async (): Promise<number> => {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
};

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

/** `url` answers 2xx (and, given `accepts`, with a body it accepts). */
const answers = async (url: string, accepts?: (body: unknown) => boolean): Promise<boolean> => {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return response.ok && (!accepts || accepts(await response.json()));
  } catch {
    return false;
  }
};

/** Ready, and it is `service` answering: its readiness report names its own database. */
const serviceReady = (url: string, service: ServiceName): Promise<boolean> =>
  answers(
    url,
    (report) =>
      (report as { checks?: Record<string, string> }).checks?.[`database:${service}`] === 'ok',
  );

interface Slot {
  service: ServiceName;
  index: number;
  port: number;
  env: Record<string, string>;
  process: ChildProcess | undefined;
}

export const startTopology = async (options: TopologyOptions): Promise<Topology> => {
  await mkdir(options.workDir, { recursive: true });
  const partitions = options.partitions ?? ((_topic, production) => production);
  const kafka = await startMockKafka({
    brokers: options.brokers ?? 1,
    topics: TOPICS.map((t) => ({ name: t.name, partitions: partitions(t.name, t.partitions) })),
  });
  const slots: Slot[] = [];
  let nginx: ChildProcess | undefined;
  const stopAll = async (): Promise<void> => {
    if (nginx) nginx.kill('SIGTERM');
    await Promise.all(
      slots.map(async (slot) => {
        const child = slot.process;
        if (!child) return;
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited(child);
        clearTimeout(kill);
      }),
    );
    if (nginx) await exited(nginx);
    await kafka.stop();
  };
  try {
    for (const service of SERVICES) {
      for (let index = 0; index < (options.instances?.[service] ?? 1); index += 1) {
        slots.push({ service, index, port: await freePort(), env: {}, process: undefined });
      }
    }
    const intakeUrl = `http://127.0.0.1:${slots.find((s) => s.service === 'intake')!.port}`;
    for (const slot of slots) {
      slot.env = {
        ...(process.env as Record<string, string>),
        CASEGRID_ENV: 'development',
        LOG_LEVEL: 'warn',
        ...options.env,
        PORT: String(slot.port),
        HOST: '127.0.0.1',
        DATABASE_URL: options.databaseUrls[slot.service],
        KAFKA_BROKERS: kafka.bootstrap.join(','),
        KAFKA_CLIENT_ID: `casegrid-${slot.service}`,
        // Stable per instance: a restarted instance fences its crashed predecessor.
        KAFKA_INSTANCE_ID: `${slot.service}-${slot.index}`,
        KAFKA_SESSION_TIMEOUT_MS: options.env?.['KAFKA_SESSION_TIMEOUT_MS'] ?? '6000',
        REDIS_URL: options.redisUrl,
        CASEGRID_SERVICES: slot.service,
        TRUST_PROXY: '1',
        ...(slot.service === 'intake'
          ? {}
          : {
              OIDC_JWKS_URL: `${intakeUrl}/api/v1/auth/jwks`,
              OIDC_ISSUER: 'urn:casegrid:embedded',
            }),
      };
    }
    // Intake first: it seeds the organisation and serves the keys the others trust.
    const [intake, ...rest] = slots;
    await launch(options, intake!);
    await Promise.all(rest.map((slot) => launch(options, slot)));

    const ingressPort = await freePort();
    const upstreams = Object.fromEntries(
      SERVICES.map((s) => [
        s,
        slots.filter((slot) => slot.service === s).map((slot) => `127.0.0.1:${slot.port}`),
      ]),
    ) as Record<ServiceName, string[]>;
    const conf = join(options.workDir, 'nginx.conf');
    await writeFile(
      conf,
      renderNginxConfig({
        listen: `127.0.0.1:${ingressPort}`,
        upstreams,
        workDir: options.workDir,
        runAsRoot: process.getuid?.() === 0,
      }),
    );
    nginx = spawn(
      options.nginx ?? (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx'),
      ['-e', join(options.workDir, 'nginx-error.log'), '-p', options.workDir, '-c', conf],
      { stdio: 'ignore' },
    );
    const ingressUrl = `http://127.0.0.1:${ingressPort}`;
    await waitUntil(() => answers(`${ingressUrl}/healthz`), {
      what: `nginx on ${ingressUrl} (see ${options.workDir}/nginx-error.log)`,
      timeoutMs: 15_000,
    });

    const slot = (service: ServiceName, index: number): Slot => {
      const found = slots.find((s) => s.service === service && s.index === index);
      if (!found) throw new Error(`no instance ${service}#${index}`);
      return found;
    };
    return {
      ingressUrl,
      kafka,
      instances: (service) =>
        slots
          .filter((s) => s.service === service)
          .map((s) => ({
            service,
            index: s.index,
            url: `http://127.0.0.1:${s.port}`,
            process: s.process,
          })),
      async stopInstance(service, index, signal) {
        const target = slot(service, index);
        const child = target.process;
        if (!child) return;
        child.kill(signal);
        // A graceful stop that hangs is a finding, but must not hang the topology with it.
        const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited(child);
        clearTimeout(kill);
        target.process = undefined;
      },
      async startInstance(service, index) {
        await launch(options, slot(service, index));
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};

/** Spawns one instance, its output appended to `<workDir>/<service>-<index>.log`. */
const launch = async (options: TopologyOptions, slot: Slot): Promise<void> => {
  const log = createWriteStream(join(options.workDir, `${slot.service}-${slot.index}.log`), {
    flags: 'a',
  });
  const child = spawn(
    process.execPath,
    [join(options.root, 'dist/services', slot.service, 'src/main.js')],
    { env: slot.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  slot.process = child;
  const url = `http://127.0.0.1:${slot.port}/health/ready`;
  await waitUntil(
    async () => {
      if (child.exitCode !== null)
        throw new Error(
          `${slot.service}#${slot.index} exited with ${child.exitCode}; see ${options.workDir}`,
        );
      return serviceReady(url, slot.service);
    },
    { what: `${slot.service}#${slot.index} ready on ${url}`, timeoutMs: 60_000, intervalMs: 100 },
  );
};
