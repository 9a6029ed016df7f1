import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { uuidv7 } from '@casegrid/kernel';
import { runCasegrid, serviceRuntime, type ServiceRuntime } from '@casegrid/runtime';
import {
  createTestDatabase,
  startSuiteKafka,
  TEST_MASTER_KEY,
  testInfra,
  waitUntil,
  type SuiteKafka,
  type TestDatabase,
} from '@casegrid/testing';
import { SERVICES } from '@casegrid/contracts';
import { ALL_SERVICES } from './all-services';
import { TEST_KAFKA_SESSION_TIMEOUT_MS } from './testing/test-casegrid';

const bootEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
  CASEGRID_ENV: 'test',
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'error',
  CASEGRID_MASTER_KEY: TEST_MASTER_KEY,
  ...extra,
});

describe('the embedded default', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'casegrid-e2e-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves all five services on one port and keeps its data across restarts', async () => {
    const caseId = uuidv7();
    const first = await runCasegrid(ALL_SERVICES, bootEnv({ CASEGRID_DATA_DIR: dataDir }));
    try {
      const ready = await request(first.url).get('/health/ready').expect(200);
      for (const service of SERVICES) expect(ready.body.checks[`database:${service}`]).toBe('ok');
      expect(ready.body.checks['broker:in-process']).toBe('ok');
      await request(first.url).get('/health/live').expect(200, { status: 'ok' });
      const metrics = await request(first.url).get('/metrics').expect(200);
      expect(metrics.text).toContain('casegrid_outbox_backlog{service="audit"} 0');
      const openapi = await request(first.url).get('/api/openapi.json').expect(200);
      expect(openapi.body.openapi).toMatch(/^3\./);
      await request(first.url).get('/api/docs').expect(200);

      const intake = first.app.get<ServiceRuntime>(serviceRuntime('intake'));
      await intake.store.append({
        streamId: caseId,
        expectedVersion: 0,
        events: [
          {
            id: uuidv7(),
            type: 'CaseRegistered',
            data: { title: 't' },
            metadata: { actor: 'e2e', correlationId: caseId, occurredAt: new Date().toISOString() },
          },
        ],
        publishTo: 'casegrid.case-events',
      });
      // The relay hands it to the in-process log: the backlog drains.
      await waitUntil(async () => (await intake.relay.backlog()) === 0, {
        what: 'the outbox to drain',
      });
    } finally {
      await first.app.close();
    }

    const second = await runCasegrid(ALL_SERVICES, bootEnv({ CASEGRID_DATA_DIR: dataDir }));
    try {
      const intake = second.app.get<ServiceRuntime>(serviceRuntime('intake'));
      const stream = await intake.store.readStream(caseId);
      expect(stream.events.map((e) => e.type)).toEqual(['CaseRegistered']);
      await request(second.url).get('/health/ready').expect(200);
    } finally {
      await second.app.close();
    }
  });
});

describe('a service started alone on PostgreSQL and Kafka', () => {
  let db: TestDatabase;
  let kafka: SuiteKafka;
  beforeAll(async () => {
    [db, kafka] = await Promise.all([createTestDatabase('alone'), startSuiteKafka()]);
  });
  afterAll(async () => {
    await kafka?.stop();
    await db?.drop();
  });

  it.each(ALL_SERVICES.map((s) => [s.name, s] as const))(
    '%s is ready with its database and the broker',
    async (_name, service) => {
      const running = await runCasegrid(
        [service],
        bootEnv({
          DATABASE_URL: db.url,
          KAFKA_BROKERS: kafka.brokers.join(','),
          KAFKA_SESSION_TIMEOUT_MS: TEST_KAFKA_SESSION_TIMEOUT_MS,
          REDIS_URL: testInfra().redisUrl,
          // Services without intake verify tokens against its JWKS (fetched on first use).
          ...(service.name === 'intake'
            ? {}
            : { OIDC_JWKS_URL: 'http://127.0.0.1:9/api/v1/auth/jwks' }),
        }),
      );
      try {
        const ready = await request(running.url).get('/health/ready').expect(200);
        expect(ready.body.checks).toEqual({
          [`database:${service.name}`]: 'ok',
          'broker:kafka': 'ok',
          // Every consumer group of the process subscribed and making progress.
          consumers: 'ok',
          redis: 'ok',
        });
      } finally {
        await running.app.close();
      }
    },
  );
});
