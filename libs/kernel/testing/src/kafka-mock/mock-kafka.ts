import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Socket } from 'node:net';

/**
 * Fault injection on the librdkafka mock cluster (see launcher.js). Every fault is
 * cluster-wide: a spec that injects faults should start its own cluster with
 * `startMockKafka` rather than disturb the run's shared one.
 */
export interface MockKafkaControl {
  readonly url: string;
  createTopic(topic: string, partitions: number): Promise<void>;
  /** The next `errors.length` requests of `apiKey` (0 = Produce, 1 = Fetch…) fail in order. */
  pushRequestErrors(apiKey: number, errors: readonly number[]): Promise<void>;
  clearRequestErrors(apiKey: number): Promise<void>;
  /** Drops the broker's connections and refuses new ones; leaders do not move. -1 = all. */
  brokerDown(broker: number): Promise<void>;
  brokerUp(broker: number): Promise<void>;
  setPartitionLeader(topic: string, partition: number, broker: number): Promise<void>;
}

export interface MockKafka {
  /** host:port of each broker; broker ids run from 1. */
  readonly bootstrap: string[];
  readonly control: MockKafkaControl;
  stop(): Promise<void>;
}

export interface MockKafkaOptions {
  brokers?: number;
  topics?: { name: string; partitions: number }[];
  /** Fixed control port (default: any free one). */
  controlPort?: number;
  readyTimeoutMs?: number;
  /** Path or soname of librdkafka (default librdkafka.so.1; CASEGRID_LIBRDKAFKA also works). */
  library?: string;
}

/** Kafka protocol error codes that tests commonly inject. */
export const KafkaErrorCode = {
  NOT_LEADER_FOR_PARTITION: 6,
  REQUEST_TIMED_OUT: 7,
  NOT_ENOUGH_REPLICAS: 19,
  NOT_COORDINATOR: 16,
  /** librdkafka's internal code: the mock broker drops the connection. */
  TRANSPORT: -195,
} as const;

export const KafkaApiKey = { Produce: 0, Fetch: 1, Metadata: 3, OffsetCommit: 8 } as const;

const LAUNCHER = join(__dirname, 'launcher.js');
/** launcher.js exits with this code when librdkafka cannot be loaded. */
const EXIT_NO_LIBRDKAFKA = 3;

interface ReadyLine {
  bootstrap: string;
  control: string;
}

const isReadyLine = (v: unknown): v is ReadyLine =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Partial<ReadyLine>).bootstrap === 'string' &&
  typeof (v as Partial<ReadyLine>).control === 'string';

export const startMockKafka = async (opts: MockKafkaOptions = {}): Promise<MockKafka> => {
  const args = [LAUNCHER, '--brokers', String(opts.brokers ?? 1)];
  for (const t of opts.topics ?? []) args.push('--topic', `${t.name}:${t.partitions}`);
  if (opts.controlPort !== undefined) args.push('--control-port', String(opts.controlPort));
  // stdin stays an open pipe: the launcher exits when it closes, i.e. when we die.
  const env = opts.library ? { ...process.env, CASEGRID_LIBRDKAFKA: opts.library } : process.env;
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));

  const ready = await new Promise<ReadyLine>((resolve, reject) => {
    let stdout = '';
    const timeoutMs = opts.readyTimeoutMs ?? 10_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mock Kafka broker not ready within ${timeoutMs} ms. ${stderr}`));
    }, timeoutMs);
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      const hint =
        code === EXIT_NO_LIBRDKAFKA || /librdkafka/.test(stderr)
          ? ' The librdkafka mock cluster needs the shared library: apt-get install librdkafka1.'
          : '';
      reject(
        new Error(
          `mock Kafka broker exited before it was ready (code ${code}, signal ${signal}).${hint}\n${stderr.trim()}`,
        ),
      );
    };
    child.once('exit', onExit);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout.removeAllListeners('data');
      try {
        const line: unknown = JSON.parse(stdout.slice(0, newline));
        if (!isReadyLine(line)) throw new Error(`unexpected ready line: ${stdout}`);
        resolve(line);
      } catch (e) {
        child.kill('SIGKILL');
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });

  // Neither the child nor its pipes may keep a Jest worker alive; an unref'd, forgotten
  // broker still dies with us because its stdin closes.
  child.unref();
  // From here on the broker's complaints are the spec's business, not start-up diagnostics.
  child.stderr.removeAllListeners('data');
  child.stderr.on('data', (chunk: string) => process.stderr.write(chunk));
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    if (stream instanceof Socket) stream.unref();
  }

  let exited: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    exited ??= new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.ref();
      const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
    return exited;
  };

  return {
    bootstrap: ready.bootstrap.split(','),
    control: connectMockKafkaControl(ready.control),
    stop,
  };
};

interface ControlReply {
  ok: boolean;
  error?: string;
}

/** A client for the control API of a broker started elsewhere (e.g. by the global setup). */
export const connectMockKafkaControl = (url: string): MockKafkaControl => {
  const send = async (command: Record<string, unknown>): Promise<void> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(command),
      signal: AbortSignal.timeout(10_000),
    });
    const reply = (await res.json()) as ControlReply;
    if (!reply.ok) {
      throw new Error(`mock Kafka ${String(command['op'])}: ${reply.error ?? res.statusText}`);
    }
  };
  return {
    url,
    createTopic: (topic, partitions) => send({ op: 'createTopic', topic, partitions }),
    pushRequestErrors: (apiKey, errors) => send({ op: 'pushRequestErrors', apiKey, errors }),
    clearRequestErrors: (apiKey) => send({ op: 'clearRequestErrors', apiKey }),
    brokerDown: (broker) => send({ op: 'brokerDown', broker }),
    brokerUp: (broker) => send({ op: 'brokerUp', broker }),
    setPartitionLeader: (topic, partition, broker) =>
      send({ op: 'setPartitionLeader', topic, partition, broker }),
  };
};
