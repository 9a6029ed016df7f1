import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig, type Environment } from '../config/load-config';
import { createHttpApp } from '../http/create-http-app';
import { JsonLogger } from '../http/json.logger';

jest.setTimeout(30_000);

const CONSOLE = 'https://console.example.gov.cn';

describe('HTTP hardening', () => {
  const apps: INestApplication[] = [];
  const boot = async (env: Environment): Promise<INestApplication> => {
    const config = loadConfig({ CASEGRID_ENV: 'test', ...env });
    const app = await createHttpApp(SampleModule, config, {
      logger: new JsonLogger('error', () => undefined),
    });
    apps.push(app);
    return app;
  };
  afterAll(() => Promise.all(apps.map((app) => app.close())));

  describe('with CORS_ORIGINS naming the console', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await boot({ CORS_ORIGINS: `${CONSOLE},http://localhost:5173` });
    });
    const http = () => request(app.getHttpServer());

    it('sends the security headers and no X-Powered-By', async () => {
      const res = await http().get('/api/v1/samples').expect(200);
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'referrer-policy': 'no-referrer',
        'strict-transport-security': expect.stringContaining('max-age='),
        'content-security-policy': expect.stringContaining("default-src 'self'"),
      });
    });

    it('forbids caching API responses, which carry personal data, and only those', async () => {
      const api = await http().get('/api/v1/samples').expect(200);
      expect(api.headers['cache-control']).toBe('no-store');
      const refused = await http().get('/api/v1/nowhere').expect(404);
      expect(refused.headers['cache-control']).toBe('no-store');
      const health = await http().get('/health/live').expect(200);
      expect(health.headers['cache-control']).toBeUndefined();
    });

    it('keeps the headers on answers of the error path', async () => {
      const res = await http().get('/nowhere').expect(404);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-powered-by']).toBeUndefined();
    });

    it('answers a preflight from an allowed origin with the headers the API uses', async () => {
      const res = await http()
        .options('/api/v1/samples')
        .set('Origin', CONSOLE)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,content-type,idempotency-key')
        .expect(204);
      expect(res.headers).toMatchObject({
        'access-control-allow-origin': CONSOLE,
        'access-control-allow-credentials': 'true',
        'access-control-allow-headers': 'Authorization,Content-Type,Idempotency-Key,If-Match',
        'access-control-max-age': '600',
      });
      expect(res.headers['access-control-allow-methods']).toContain('POST');
      expect(res.headers['vary']).toContain('Origin');
    });

    it('lets the console read ETag, Location and Retry-After', async () => {
      const res = await http().get('/api/v1/samples').set('Origin', CONSOLE).expect(200);
      expect(res.headers['access-control-allow-origin']).toBe(CONSOLE);
      expect(res.headers['access-control-expose-headers']).toBe('ETag,Location,Retry-After');
    });

    it('does not allow another origin', async () => {
      const res = await http()
        .get('/api/v1/samples')
        .set('Origin', 'https://evil.example')
        .expect(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('with no CORS_ORIGINS', () => {
    it('sends no CORS header at all, even to a preflight', async () => {
      const app = await boot({});
      const http = () => request(app.getHttpServer());
      const get = await http().get('/api/v1/samples').set('Origin', CONSOLE).expect(200);
      const preflight = await http()
        .options('/api/v1/samples')
        .set('Origin', CONSOLE)
        .set('Access-Control-Request-Method', 'POST');
      for (const res of [get, preflight]) {
        expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
      }
    });
  });

  describe('with CORS_ORIGINS=*', () => {
    it('allows any origin but never with credentials', async () => {
      const app = await boot({ CORS_ORIGINS: '*' });
      const res = await request(app.getHttpServer())
        .options('/api/v1/samples')
        .set('Origin', 'https://anyone.example')
        .set('Access-Control-Request-Method', 'GET')
        .expect(204);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    });
  });

  describe('the Swagger UI', () => {
    it('loads its page and every asset under a CSP that allows them', async () => {
      const app = await boot({});
      const http = () => request(app.getHttpServer());
      const page = await http().get('/api/docs').expect(200).expect('content-type', /html/);
      const csp = String(page.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toMatch(/style-src [^;]*'unsafe-inline'/);
      // Browsers would fetch the assets over https, breaking the docs served over http.
      expect(csp).not.toContain('upgrade-insecure-requests');
      // script-src 'self' forbids inline scripts: every script must be a file of ours.
      const scripts = [...page.text.matchAll(/<script([^>]*)>/g)].map((m) => m[1] ?? '');
      expect(scripts.length).toBeGreaterThan(0);
      expect(scripts.every((attributes) => /\bsrc=/.test(attributes))).toBe(true);

      const assets = [...page.text.matchAll(/(?:src|href)=["']([^"']+)["']/g)].map((m) => m[1]);
      expect(assets.length).toBeGreaterThanOrEqual(4);
      for (const asset of assets) {
        expect(asset).not.toMatch(/^[a-z]+:\/\//);
        const res = await http().get(new URL(asset!, 'http://host/api/docs').pathname);
        expect([asset, res.status]).toEqual([asset, 200]);
        const type = String(res.headers['content-type']);
        if (asset!.endsWith('.js')) expect(type).toMatch(/javascript/);
        if (asset!.endsWith('.css')) expect(type).toMatch(/text\/css/);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
      }
    });
  });
});

@Controller('samples')
class SampleController {
  @Get()
  list(): { items: never[] } {
    return { items: [] };
  }
}

@Module({ controllers: [SampleController] })
class SampleModule {}
