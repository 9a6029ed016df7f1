import { SignJWT, UnsecuredJWT } from 'jose';
import request from 'supertest';
import { KeyRing, claimsOf, generateSigningKey, issueToken } from '@casegrid/auth';
import type { Principal } from '@casegrid/identity';
import { runCasegrid } from '@casegrid/runtime';
import { testInfra } from '@casegrid/testing';
import { startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';

/**
 * Issue 3, authentication: bad tokens of every kind get 401, sign-in brute force is
 * limited per username and per address (in memory here: no REDIS_URL, as in the
 * embedded default), /me tells who, where and what, and production refuses demo users.
 */
describe('authentication', () => {
  let casegrid: TestCasegrid;
  let clerk: Principal;
  beforeAll(async () => {
    casegrid = await startTestCasegrid('authentication', {
      RATE_LIMIT_LOGIN_FAILURES: '3/15m',
      RATE_LIMIT_LOGIN: '12/15m',
      AUTH_TOKEN_TTL: '600',
    });
    const token = await casegrid.token('clerk.jiefang');
    const me = await request(casegrid.url)
      .get('/api/v1/me')
      .auth(token, { type: 'bearer' })
      .expect(200);
    const body = me.body as {
      user: {
        id: string;
        username: string;
        name: string;
        departmentId: string;
        roles: Principal['roles'];
      };
      jurisdiction: { regionCode: string };
    };
    clerk = {
      userId: body.user.id,
      username: body.user.username,
      name: body.user.name,
      roles: body.user.roles,
      departmentId: body.user.departmentId,
      regionCode: body.jurisdiction.regionCode,
    };
  });
  afterAll(async () => {
    await casegrid?.stop();
  });

  it('signs in a seeded user with a short-lived token and tells them who they are', async () => {
    const login = await request(casegrid.url)
      .post('/api/v1/auth/login')
      .send({ username: 'supervisor.lixia', password: 'casegrid-demo' })
      .expect(200);
    expect(login.body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 600,
      accessToken: expect.stringMatching(/^ey/) as string,
    });
    const me = await request(casegrid.url)
      .get('/api/v1/me')
      .auth((login.body as { accessToken: string }).accessToken, { type: 'bearer' })
      .expect(200);
    expect(me.body).toMatchObject({
      user: { username: 'supervisor.lixia', name: '许军', roles: ['supervisor'] },
      roles: ['supervisor'],
      department: {
        name: '历下区综治中心',
        type: 'governance_center',
        regionCode: '370102000000',
        tier: 'county',
      },
      jurisdiction: {
        regionCode: '370102000000',
        regionName: '历下区',
        tier: 'county',
        cases: { regionPrefixes: ['370102'], departmentIds: [] },
      },
    });
  });

  describe('refuses with 401', () => {
    const config = () => casegrid.config.auth;
    const ring = () => casegrid.app.get(KeyRing);
    const tokens: Record<string, () => Promise<string>> = {
      expired: async () =>
        (await issueToken(ring(), config(), clerk, new Date(Date.now() - 3_600_000))).accessToken,
      tampered: async () => {
        const [h, p, s] = (await issueToken(ring(), config(), clerk, new Date())).accessToken.split(
          '.',
        );
        const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<
          string,
          unknown
        >;
        return `${h}.${Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url')}.${s}`;
      },
      'of the wrong issuer': async () =>
        (
          await issueToken(
            ring(),
            { ...config(), issuer: 'https://evil.example' },
            clerk,
            new Date(),
          )
        ).accessToken,
      'of the wrong audience': async () =>
        (await issueToken(ring(), { ...config(), audience: 'other-api' }, clerk, new Date()))
          .accessToken,
      unsigned: async () =>
        new UnsecuredJWT(claimsOf(clerk))
          .setIssuer(config().issuer)
          .setAudience(config().audience)
          .setExpirationTime('5m')
          .encode(),
      'signed by a stranger': async () => {
        const { key } = await generateSigningKey('stranger', new Date());
        return new SignJWT(claimsOf(clerk))
          .setProtectedHeader({ alg: 'ES256', kid: key.kid })
          .setIssuer(config().issuer)
          .setAudience(config().audience)
          .setExpirationTime('5m')
          .sign(key.privateKey);
      },
      garbage: async () => 'not-a-jwt',
    };
    it.each(Object.keys(tokens))('a token %s', async (kind) => {
      const response = await request(casegrid.url)
        .get('/api/v1/me')
        .auth(await tokens[kind]!(), { type: 'bearer' })
        .expect(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
      expect(response.body).toMatchObject({
        status: 401,
        type: expect.stringMatching(/unauthorized$/) as string,
      });
    });
    it('another scheme', async () => {
      await request(casegrid.url)
        .get('/api/v1/me')
        .set('Authorization', 'Basic YWRtaW46Y2FzZWdyaWQtZGVtbw==')
        .expect(401);
    });
  });

  it('blocks a username after repeated failures, even with the right password', async () => {
    const attempt = (password: string) =>
      request(casegrid.url)
        .post('/api/v1/auth/login')
        .send({ username: 'mediator.jiefang', password });
    for (let i = 0; i < 3; i += 1) expect((await attempt(`guess-${i}`)).status).toBe(401);
    const blocked = await attempt('casegrid-demo');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(800);
    expect(blocked.body).toMatchObject({ status: 429 });
  });

  it('answers an unknown username exactly like a wrong password', async () => {
    const unknown = await request(casegrid.url)
      .post('/api/v1/auth/login')
      .send({ username: 'no-such-user', password: 'casegrid-demo' });
    const wrong = await request(casegrid.url)
      .post('/api/v1/auth/login')
      .send({ username: 'clerk.jiefang', password: 'wrong-password' });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('limits sign-in attempts per address, whatever the username', async () => {
    // 1 (beforeAll) + 1 (supervisor) + 4 (mediator) + 2 (unknown) of 12 so far from here.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      statuses.push(
        (
          await request(casegrid.url)
            .post('/api/v1/auth/login')
            .send({ username: `nobody-${i}`, password: 'x' })
        ).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
  });
});

describe('the per-user rate limit, shared through Redis', () => {
  it('answers 429 with Retry-After past the limit, per user', async () => {
    const env = { REDIS_URL: testInfra().redisUrl, RATE_LIMIT_USER: '3/1m' };
    const first = await startTestCasegrid('rate_user', env);
    try {
      const token = await first.token('supervisor.lixia');
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        statuses.push(
          (await request(first.url).get('/api/v1/me').auth(token, { type: 'bearer' })).status,
        );
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      const refused = await request(first.url)
        .get('/api/v1/regions')
        .auth(token, { type: 'bearer' })
        .expect(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      // Another user is not affected.
      const other = await first.token('inspector.jinan');
      await request(first.url).get('/api/v1/me').auth(other, { type: 'bearer' }).expect(200);
    } finally {
      await first.stop();
    }
  });
});

describe('in production', () => {
  it('refuses to start with demo users', async () => {
    await expect(
      runCasegrid([], {
        CASEGRID_ENV: 'production',
        CASEGRID_DEMO_USERS: 'true',
        CASEGRID_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
        CASEGRID_ADMIN_PASSWORD: 'a long production passphrase',
      }),
    ).rejects.toThrow(/CASEGRID_DEMO_USERS: must not be true/);
  });
});
