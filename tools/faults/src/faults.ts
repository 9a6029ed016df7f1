import { Client } from 'pg';
import {
  KafkaErrorCode,
  TEST_TOPICS,
  waitUntil,
  type MockKafka,
  type TcpProxy,
} from '@casegrid/testing';
import type { SystemUnderTest } from './embedded-system';
import { leasesToLeader } from './lease-holders';
import type { PrivatePostgres } from './private-postgres';
import type { PrivateRedis } from './private-redis';

/** What a fault may act on. */
export interface FaultTargets {
  readonly system: SystemUnderTest;
  /** The server the system's databases are on (private: it may be restarted). */
  readonly postgres: PrivatePostgres;
  /** The system's own databases on it, whose backends a fault may end. */
  readonly databases: readonly string[];
  /** The broker's topics, whose partition leaders a fault may move. */
  readonly topics?: readonly { readonly name: string; readonly partitions: number }[];
  readonly kafka?: MockKafka;
  readonly redis?: PrivateRedis;
  /**
   * A second embedded process on the same database, started first, whose connections go
   * through `proxy`: it holds the leases, `system` (which the load uses) waits behind it.
   */
  readonly leader?: SystemUnderTest;
  readonly proxy?: TcpProxy;
}

/**
 * Which system a fault is injected into: the embedded default on the in-process transport
 * or on Kafka, two embedded processes on one database (`pair`: leader and standby), or the
 * multi-process topology (tools/topology: a process per service, Kafka, nginx).
 */
export type SystemKind = 'in-process' | 'kafka' | 'pair' | 'topology';

/** What the runner lends a fault that must watch the system while it lasts. */
export interface FaultTools {
  /** A registration through `system`, resolved once it is on the ledger and in audit. */
  writeVisible(label: string): Promise<void>;
}

/** What a fault did, and a figure of its own where it measures one (ms). */
export interface Injected {
  readonly detail: string;
  readonly measuredMs?: number;
}

export interface Fault {
  readonly id: string;
  readonly title: string;
  /** The systems it is injected into. */
  readonly systems: readonly SystemKind[];
  /** What `Injected.measuredMs` is, for the report (undefined: it measures nothing). */
  readonly measures?: string;
  /** Injects the fault and resolves when it is over; says what it did, for the log. */
  inject(targets: FaultTargets, run: number, tools: FaultTools): Promise<string | Injected>;
}

export interface FaultTimings {
  /** How long PostgreSQL, the broker or Redis stays away at least. */
  readonly downMs: number;
}

/** The Kafka API keys the mock cluster fails on request. */
const API_PRODUCE = 0;
const API_END_TXN = 26;

/**
 * Keeps a dependency away until the system has noticed (its readiness turned red) and for
 * `downMs` at least: a fault the system never saw would prove nothing.
 */
const whileAway = async (system: SystemUnderTest, downMs: number): Promise<string> => {
  const since = Date.now();
  await waitUntil(async () => !(await system.ready()), {
    what: 'the system to notice (readiness red)',
    timeoutMs: 30_000,
    intervalMs: 50,
  });
  const noticed = Date.now() - since;
  const left = since + downMs - Date.now();
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  return `unready after ${noticed} ms, away ${Date.now() - since} ms`;
};

const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`this fault needs ${what}`);
  return value;
};

/** Ends one backend of the system's database, picked at random among its connections. */
const terminateBackend = async (targets: FaultTargets): Promise<string> => {
  const admin = new Client({ connectionString: targets.postgres.url('postgres') });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ pid: number; state: string | null; query: string }>(
      `select pid, state, left(query, 60) as query from pg_stat_activity
       where datname = any($1) and pid <> pg_backend_pid() and backend_type = 'client backend'
       order by random() limit 1`,
      [targets.databases],
    );
    const victim = rows[0];
    if (!victim) return 'no backend to end';
    await admin.query('select pg_terminate_backend($1)', [victim.pid]);
    return `ended backend ${victim.pid} (${victim.state}: ${victim.query.replace(/\s+/g, ' ')})`;
  } finally {
    await admin.end();
  }
};

export const faultCatalogue = (timings: FaultTimings): readonly Fault[] => [
  {
    id: 'pg-terminate',
    title: '(1) a PostgreSQL connection terminated (`pg_terminate_backend` of a random backend)',
    systems: ['in-process', 'topology'],
    inject: (targets) => terminateBackend(targets),
  },
  {
    id: 'pg-restart',
    title: `(2) PostgreSQL restarted (fast shutdown, down until the system is unready and ${timings.downMs / 1000} s at least)`,
    systems: ['in-process', 'topology'],
    inject: async (targets) => {
      await targets.postgres.stop();
      const away = await whileAway(targets.system, timings.downMs);
      await targets.postgres.start();
      return `stopped, ${away}, started`;
    },
  },
  {
    id: 'kafka-down',
    title: `(3) every Kafka broker down (until the system is unready and ${timings.downMs / 1000} s at least), then up`,
    systems: ['kafka', 'topology'],
    inject: async (targets) => {
      const kafka = need(targets.kafka, 'Kafka');
      await kafka.control.brokerDown(-1);
      const away = await whileAway(targets.system, timings.downMs);
      await kafka.control.brokerUp(-1);
      return `all brokers down, ${away}, up`;
    },
  },
  {
    id: 'kafka-leaders',
    title: '(4) partition leaders moved to another broker',
    systems: ['kafka', 'topology'],
    inject: async (targets, run) => {
      const kafka = need(targets.kafka, 'Kafka');
      const broker = 1 + ((run + 1) % need(targets.kafka?.bootstrap.length, 'brokers'));
      for (const topic of targets.topics ?? TEST_TOPICS) {
        for (let partition = 0; partition < topic.partitions; partition += 1) {
          await kafka.control.setPartitionLeader(topic.name, partition, broker);
        }
      }
      return `every partition led by broker ${broker}`;
    },
  },
  {
    id: 'kafka-txn-errors',
    title:
      '(5) EndTxn and Produce requests refused (NOT_COORDINATOR ×2; NOT_LEADER, NOT_ENOUGH_REPLICAS, TIMED_OUT)',
    systems: ['kafka', 'topology'],
    inject: async (targets) => {
      const kafka = need(targets.kafka, 'Kafka');
      await kafka.control.pushRequestErrors(API_END_TXN, [
        KafkaErrorCode.NOT_COORDINATOR,
        KafkaErrorCode.NOT_COORDINATOR,
      ]);
      await kafka.control.pushRequestErrors(API_PRODUCE, [
        KafkaErrorCode.NOT_LEADER_FOR_PARTITION,
        KafkaErrorCode.NOT_ENOUGH_REPLICAS,
        KafkaErrorCode.REQUEST_TIMED_OUT,
      ]);
      return 'errors queued for the next 2 EndTxn and 3 Produce requests';
    },
  },
  {
    id: 'kill-9',
    title:
      '(6) kill -9 of the embedded process (on the topology: of each service in turn), started again at once',
    systems: ['in-process', 'topology'],
    inject: async (targets) => {
      return `${await targets.system.crash()} killed and started again`;
    },
  },
  {
    id: 'redis-flush',
    title: '(7a) Redis flushed (`FLUSHALL`)',
    systems: ['in-process', 'topology'],
    inject: async (targets) => {
      await need(targets.redis, 'Redis').flush();
      return 'flushed';
    },
  },
  {
    id: 'redis-stop',
    title: `(7b) Redis stopped (kill -9; until the system is unready and ${timings.downMs / 1000} s at least), started empty`,
    systems: ['in-process', 'topology'],
    inject: async (targets) => {
      const redis = need(targets.redis, 'Redis');
      await redis.stop();
      const away = await whileAway(targets.system, timings.downMs);
      await redis.start();
      return `stopped, ${away}, started`;
    },
  },
  {
    id: 'lease-cut',
    title:
      '(8) the network of the process holding every lease cut (a TCP proxy stops forwarding, its connections stay open), until a second process has taken over, then back',
    systems: ['pair'],
    measures:
      'from the cut until a registration through the second process is on the ledger and in audit',
    inject: async (targets, run, tools) => {
      const proxy = need(targets.proxy, 'a proxied leader');
      await leasesToLeader(targets);
      proxy.blackhole();
      const cut = Date.now();
      try {
        await tools.writeVisible(`cut-${run}`);
      } finally {
        proxy.resume();
      }
      const measuredMs = Date.now() - cut;
      return { detail: `taken over ${(measuredMs / 1000).toFixed(1)} s after the cut`, measuredMs };
    },
  },
];
