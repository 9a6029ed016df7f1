import { randomUUID } from 'node:crypto';
import { Controller, Get, Module, Req, type INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import request from 'supertest';
import { testInfra } from '@casegrid/testing';
import { loadConfig, type Environment } from '../config/load-config';
import { createHttpApp } from '../http/create-http-app';
import { JsonLogger } from '../http/json.logger';
import { PROBLEM_CONTENT_TYPE } from '../http/problem-details';
import { RedisRateLimiter } from './redis-rate-limiter';

jest.setTimeout(30_000);

const CONSOLE = 'https://console.example.gov.cn';

describe('the per-address rate limit', () => {
  let redis: Redis;
  const apps: INestApplication[] = [];
  const boot = async (env: Environment): Promise<INestApplication> => {
    const config = loadConfig({ CASEGRID_ENV: 'test', ...env });
    const app = await createHttpApp(SampleModule, config, {
      logger: new JsonLogger('error', () => undefined),
      rateLimiter: new RedisRateLimiter(redis, `casegrid:test:rl:${randomUUID()}:`),
    });
    apps.push(app);
    return app;
  };
  beforeAll(async () => {
    redis = new Redis(testInfra().redisUrl, { lazyConnect: true });
    await redis.connect();
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    redis.disconnect();
  });

  describe('behind one trusted proxy', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await boot({ TRUST_PROXY: '1', RATE_LIMIT_ADDRESS: '3/1m', CORS_ORIGINS: CONSOLE });
    });
    // The proxy appends the address it saw; what the client wrote before it is not believed.
    const from = (client: string) => (path: string) =>
      request(app.getHttpServer())
        .get(path)
        .set('X-Forwarded-For', `10.9.9.9, ${client}`)
        .set('Origin', CONSOLE);

    it('takes the client address from the proxy, not from the socket or the client', async () => {
      const res = await from('203.0.113.10')('/api/v1/samples').expect(200);
      expect(res.body).toEqual({ ip: '203.0.113.10' });
    });

    it('answers past the limit with 429 problem+json and Retry-After, readable by the console', async () => {
      const get = from('203.0.113.11');
      for (let i = 0; i < 3; i++) await get('/api/v1/samples').expect(200);
      const res = await get('/api/v1/samples').expect(429);
      expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      expect(res.body).toMatchObject({
        type: 'https://casegrid.dev/problems/too_many_requests',
        title: 'Too many requests',
        status: 429,
      });
      const retryAfter = String(res.headers['retry-after']);
      expect(retryAfter).toMatch(/^\d+$/);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(retryAfter)).toBeLessThanOrEqual(60);
      expect(res.headers['access-control-allow-origin']).toBe(CONSOLE);
      expect(res.headers['access-control-expose-headers']).toContain('Retry-After');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    });

    it('counts every path but health and metrics, and refuses before reading the body', async () => {
      const get = from('203.0.113.12');
      await get('/nowhere').expect(404);
      await get('/api/docs').expect(200);
      await get('/api/openapi.json').expect(200);
      await get('/api/v1/samples').expect(429);
      for (let i = 0; i < 5; i++) {
        await get('/health/live').expect(200);
        await get('/metrics').expect(200);
      }
      const post = await request(app.getHttpServer())
        .post('/api/v1/samples')
        .set('X-Forwarded-For', '203.0.113.12')
        .set('Content-Type', 'application/json')
        .send('{"not": json')
        .expect(429);
      expect(post.body.type).toBe('https://casegrid.dev/problems/too_many_requests');
    });

    it('limits each address on its own', async () => {
      for (let i = 0; i < 3; i++) await from('203.0.113.13')('/api/v1/samples').expect(200);
      await from('203.0.113.13')('/api/v1/samples').expect(429);
      await from('203.0.113.14')('/api/v1/samples').expect(200);
    });
  });

  describe('with no trusted proxy', () => {
    it('ignores X-Forwarded-For: a client cannot buy a fresh limit by making one up', async () => {
      const app = await boot({ RATE_LIMIT_ADDRESS: '2/1m' });
      const get = (forwardedFor: string) =>
        request(app.getHttpServer()).get('/api/v1/samples').set('X-Forwarded-For', forwardedFor);
      const first = await get('198.51.100.1').expect(200);
      expect(first.body.ip).toMatch(/127\.0\.0\.1$/);
      await get('198.51.100.2').expect(200);
      await get('198.51.100.3').expect(429);
    });
  });
});

@Controller('samples')
class SampleController {
  @Get()
  list(@Req() req: { ip?: string }): { ip: string | undefined } {
    return { ip: req.ip };
  }
}

@Module({ controllers: [SampleController] })
class SampleModule {}
