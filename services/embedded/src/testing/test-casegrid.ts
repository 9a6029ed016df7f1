import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { runCasegrid, type RunningCasegrid } from '@casegrid/runtime';
import { DEMO_USER_PASSWORD } from '@casegrid/service-intake';
import {
  createTestDatabase,
  startSuiteKafka,
  TEST_MASTER_KEY,
  type SuiteKafka,
  type TestDatabase,
} from '@casegrid/testing';
import { idNumberCheckCharacter } from '@casegrid/identity';
import { ALL_SERVICES } from '../all-services';

export interface TestCasegrid extends RunningCasegrid {
  /** A bearer token for a seeded or created user (the demo password by default). */
  token(username: string, password?: string): Promise<string>;
  /** The suite's own broker, when started with `{ kafka: true }`. */
  readonly kafka: SuiteKafka | undefined;
  stop(): Promise<void>;
}

export interface TestCasegridOptions {
  /** On Kafka: a broker of this suite's own (startSuiteKafka), stopped with the system. */
  readonly kafka?: boolean;
}

/** Generous limits: suites sign in many users from one address; the limits have their own spec. */
const UNLIMITED = {
  RATE_LIMIT_LOGIN: '100000/1m',
  RATE_LIMIT_LOGIN_FAILURES: '100000/1m',
  RATE_LIMIT_ADDRESS: '100000/1m',
  RATE_LIMIT_USER: '100000/1m',
};

/**
 * On Kafka, a short consumer session: every suite joins the same groups anew, and the
 * broker holds a rebalance open for up to the session timeout (the mock cluster for the
 * timeout less 1 s) waiting for members that have gone, about 29 s at the default 30 s.
 * The multi-process topology runs with the same 6 s.
 */
export const TEST_KAFKA_SESSION_TIMEOUT_MS = '6000';

/**
 * The whole system in this process on a database of its own (fixed schema names, fresh
 * seeds), with the run's master key, and on Kafka a broker of its own: nothing it uses is
 * shared with a suite in another Jest worker. `env` adds or overrides settings (limits).
 */
export async function startTestCasegrid(
  name: string,
  env: Record<string, string> = {},
  options: TestCasegridOptions = {},
): Promise<TestCasegrid> {
  const db: TestDatabase = await createTestDatabase(name);
  const dataDir = await mkdtemp(join(tmpdir(), `casegrid-${name}-`));
  let kafka: SuiteKafka | undefined;
  let running: RunningCasegrid;
  try {
    kafka = options.kafka ? await startSuiteKafka() : undefined;
    if (kafka) env = { KAFKA_BROKERS: kafka.brokers.join(','), ...env };
    running = await runCasegrid(ALL_SERVICES, {
      CASEGRID_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      DATABASE_URL: db.url,
      CASEGRID_DATA_DIR: dataDir,
      CASEGRID_MASTER_KEY: TEST_MASTER_KEY,
      ...UNLIMITED,
      ...(env['KAFKA_BROKERS'] ? { KAFKA_SESSION_TIMEOUT_MS: TEST_KAFKA_SESSION_TIMEOUT_MS } : {}),
      ...env,
    });
  } catch (error) {
    await kafka?.stop();
    await db.drop();
    throw error;
  }
  const tokens = new Map<string, string>();
  return {
    ...running,
    kafka,
    async token(username, password = DEMO_USER_PASSWORD) {
      const cached = tokens.get(`${username}\n${password}`);
      if (cached) return cached;
      const response = await request(running.url)
        .post('/api/v1/auth/login')
        .send({ username, password });
      if (response.status !== 200)
        throw new Error(`login of ${username} failed: ${response.status} ${response.text}`);
      const token = (response.body as { accessToken: string }).accessToken;
      tokens.set(`${username}\n${password}`, token);
      return token;
    },
    async stop() {
      await running.app.close();
      await kafka?.stop();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

let idSequence = 0;
/**
 * A valid resident id number no other registration of the run uses: registrations that
 * share an applicant, category and village link as repeats of one open case.
 */
export function freshIdNumber(): string {
  idSequence += 1;
  const sequence = String((process.pid * 7 + idSequence) % 1000).padStart(3, '0');
  const day = String(1 + (idSequence % 28)).padStart(2, '0');
  const year = 1950 + (Math.floor(idSequence / 28) % 60);
  const first17 = `110105${year}01${day}${sequence}`;
  return `${first17}${idNumberCheckCharacter(first17)}`;
}
