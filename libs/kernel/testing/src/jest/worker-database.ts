import { TEST_ENV, workerDatabaseUrl } from '../infra-env';

/**
 * Runs before every spec file: points the spec at its worker's database, which the global
 * setup created (`workerDatabaseUrl` says why). A worker runs one file at a time and
 * keeps its process.env from file to file, so the run's URL is kept aside the first time.
 */
const run = (process.env[TEST_ENV.runDatabaseUrl] ??= process.env[TEST_ENV.databaseUrl]);
if (run) {
  process.env[TEST_ENV.databaseUrl] = workerDatabaseUrl(run, process.env['JEST_WORKER_ID'] ?? 1);
}
