import { Client } from 'pg';
import { KafkaErrorCode, TEST_TOPICS, waitUntil, type MockKafka } from '@casegrid/testing';
import type { SystemUnderTest } from './embedded-system';
import type { PrivatePostgres } from './private-postgres';
import type { PrivateRedis } from './private-redis';

/** What a fault may act on. */
export interface FaultTargets {
  readonly system: SystemUnderTest;
  /** The server the system's databases are on (private: it may be restarted). */
  readonly postgres: PrivatePostgres;
  /** The system's own database on it, whose backends a fault may end. */
  readonly database: string;
  readonly kafka?: MockKafka;
  readonly redis?: PrivateRedis;
}

export type Transport = 'in-process' | 'kafka';

export interface Fault {
  readonly id: string;
  readonly title: string;
  /** The transport of the system it is injected into. */
  readonly transport: Transport;
  /** Injects the fault and resolves when it is over; returns what it did, for the log. */
  inject(targets: FaultTargets, run: number): Promise<string>;
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
       where datname = $1 and pid <> pg_backend_pid() and backend_type = 'client backend'
       order by random() limit 1`,
      [targets.database],
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
    transport: 'in-process',
    inject: (targets) => terminateBackend(targets),
  },
  {
    id: 'pg-restart',
    title: `(2) PostgreSQL restarted (fast shutdown, down until the system is unready and ${timings.downMs / 1000} s at least)`,
    transport: 'in-process',
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
    transport: 'kafka',
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
    transport: 'kafka',
    inject: async (targets, run) => {
      const kafka = need(targets.kafka, 'Kafka');
      const broker = 1 + ((run + 1) % need(targets.kafka?.bootstrap.length, 'brokers'));
      for (const topic of TEST_TOPICS) {
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
    transport: 'kafka',
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
    title: '(6) kill -9 of the embedded process, started again at once',
    transport: 'in-process',
    inject: async (targets) => {
      await targets.system.crash();
      return 'killed and started again';
    },
  },
  {
    id: 'redis-flush',
    title: '(7a) Redis flushed (`FLUSHALL`)',
    transport: 'in-process',
    inject: async (targets) => {
      await need(targets.redis, 'Redis').flush();
      return 'flushed';
    },
  },
  {
    id: 'redis-stop',
    title: `(7b) Redis stopped (kill -9; until the system is unready and ${timings.downMs / 1000} s at least), started empty`,
    transport: 'in-process',
    inject: async (targets) => {
      const redis = need(targets.redis, 'Redis');
      await redis.stop();
      const away = await whileAway(targets.system, timings.downMs);
      await redis.start();
      return `stopped, ${away}, started`;
    },
  },
];
