import { join } from 'node:path';
import { SERVICES, type ServiceName } from '@casegrid/contracts';
import type { MockKafka } from '@casegrid/testing';
// The faults start the topology with the topology tool's own launcher, as the HTTP bench
// does, so that both run the same processes.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startTopology } from '../../topology/src/topology';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { TOPICS } from '../../topology/src/topics';
import { RAISED_RATE_LIMITS, readyAt, type SystemUnderTest } from './embedded-system';

export interface TopologySystem {
  readonly system: SystemUnderTest;
  readonly kafka: MockKafka;
  readonly topics: readonly { readonly name: string; readonly partitions: number }[];
}

/**
 * The multi-process topology (`npm run topology`): the mock broker, each service a process
 * of its own on a database of its own, nginx in front; the load goes through the ingress.
 * kill -9 takes the services in turn.
 */
export const startTopologySystem = async (options: {
  readonly root: string;
  readonly workDir: string;
  readonly databaseUrls: Readonly<Record<ServiceName, string>>;
  readonly redisUrl: string;
  readonly env: Readonly<Record<string, string>>;
}): Promise<TopologySystem> => {
  const topology = await startTopology({
    root: options.root,
    workDir: options.workDir,
    databaseUrls: options.databaseUrls,
    redisUrl: options.redisUrl,
    // Three brokers, as for the embedded default on Kafka: leaders have somewhere to move.
    brokers: 3,
    env: {
      CASEGRID_ENV: 'development',
      LOG_LEVEL: 'warn',
      CASEGRID_DATA_DIR: join(options.workDir, 'data'),
      CASE_DIRECTORY_WAIT_MS: '60000',
      ...RAISED_RATE_LIMITS,
      ...options.env,
    },
  });
  let next = 0;
  const restarting = new Set<Promise<void>>();
  const system: SystemUnderTest = {
    label: 'topology: five service processes, Kafka (mock cluster), nginx',
    baseUrl: topology.ingressUrl,
    databases: {
      intake: options.databaseUrls.intake,
      mediation: options.databaseUrls.mediation,
      supervision: options.databaseUrls.supervision,
      audit: options.databaseUrls.audit,
    },
    async crash() {
      const service = SERVICES[next++ % SERVICES.length]!;
      await topology.stopInstance(service, 0, 'SIGKILL');
      // Started at once; `ready` says when it serves again.
      const started = topology.startInstance(service, 0).catch(() => undefined);
      restarting.add(started);
      void started.finally(() => restarting.delete(started));
      return service;
    },
    async ready() {
      const instances = SERVICES.flatMap((s) => topology.instances(s));
      if (instances.some((i) => !i.process)) return false;
      const answers = await Promise.all(instances.map((i) => readyAt(i.url)));
      return answers.every(Boolean);
    },
    async stop() {
      await Promise.allSettled([...restarting]);
      await topology.stop();
    },
  };
  return { system, kafka: topology.kafka, topics: TOPICS };
};
