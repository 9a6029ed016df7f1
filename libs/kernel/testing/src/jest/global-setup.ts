import type { Config } from 'jest';
import { ensureDatabase, provisionTestInfra } from '../infra';
import { TEST_ENV, workerDatabaseUrl } from '../infra-env';
import { getGlobalInfraState, setGlobalInfraState } from './state';

/**
 * Provisions the run's infrastructure once and publishes it to the workers through
 * process.env (workers are forked after globalSetup and inherit it), with a database for
 * each worker (worker-database.ts).
 */
export default async function globalSetup(
  globalConfig?: Pick<Config, 'maxWorkers'>,
): Promise<void> {
  // The int and e2e projects share this file; Jest dedupes it, but a second call is harmless.
  if (getGlobalInfraState()) return;
  const previousEnv = Object.fromEntries(
    Object.values(TEST_ENV).map((name) => [name, process.env[name]]),
  );
  const provisioned = await provisionTestInfra(process.env);
  const { infra, sources } = provisioned;
  const workers = typeof globalConfig?.maxWorkers === 'number' ? globalConfig.maxWorkers : 1;
  for (let id = 1; id <= Math.max(1, workers); id += 1) {
    await ensureDatabase(workerDatabaseUrl(infra.databaseUrl, id));
  }
  process.env[TEST_ENV.databaseUrl] = infra.databaseUrl;
  process.env[TEST_ENV.redisUrl] = infra.redisUrl;
  process.env[TEST_ENV.kafkaBrokers] = infra.kafkaBrokers.join(',');
  if (infra.kafkaControl) process.env[TEST_ENV.kafkaControl] = infra.kafkaControl;
  else delete process.env[TEST_ENV.kafkaControl];
  setGlobalInfraState({ provisioned, previousEnv });
  process.stderr.write(
    `\ncasegrid test infra: postgres=${sources.postgres} redis=${sources.redis} ` +
      `kafka=${sources.kafka} (${infra.kafkaBrokers.join(',')})\n`,
  );
}
