import { resolve } from 'node:path';
import { SERVICE_NAMES, databaseUrlFor } from './casegrid.config';
import { ConfigError } from './config.error';
import { loadConfig, type Environment } from './load-config';

const problemsOf = (env: Environment): ConfigError => {
  try {
    loadConfig(env);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  describe('with nothing set', () => {
    it('runs the embedded default: every service, embedded PostgreSQL, in-process transport', () => {
      expect(loadConfig({})).toEqual({
        env: 'development',
        http: { port: 3000, host: '0.0.0.0', bodyLimit: '1mb' },
        dataDir: resolve('./.casegrid'),
        database: { url: undefined, byService: {}, peerTimeoutMs: 20_000, serverTimeouts: true },
        kafka: {
          brokers: undefined,
          clientId: 'casegrid',
          instanceId: undefined,
          sessionTimeoutMs: 30_000,
        },
        redisUrl: undefined,
        tracesExporter: 'none',
        services: SERVICE_NAMES,
        logLevel: 'info',
        fixedNow: undefined,
        clockFile: undefined,
        supervision: {
          escalationInterval: { length: 2, unit: 'working_days' },
          pollIntervalMs: 1000,
        },
        stats: {
          weights: { response: 0.1, resolution: 0.5, satisfaction: 0.4 },
          basicSatisfaction: 0.9,
        },
        auth: {
          mode: 'embedded',
          issuer: 'urn:casegrid:embedded',
          audience: 'casegrid',
          jwksUrl: undefined,
          tokenTtlSeconds: 900,
          claims: { roles: 'roles', department: 'department_id', region: 'region_code' },
          adminPassword: 'casegrid-demo',
          demoUsers: true,
        },
        personalData: { masterKey: undefined },
        security: {
          corsOrigins: [],
          trustProxy: 0,
          rateLimits: {
            perUser: { limit: 600, windowMs: 60_000 },
            perAddress: { limit: 1200, windowMs: 60_000 },
            loginPerAddress: { limit: 20, windowMs: 900_000 },
            loginFailuresPerUser: { limit: 10, windowMs: 900_000 },
          },
        },
        caseDirectory: { waitMs: 5_000 },
      });
    });

    it('treats blank values as unset', () => {
      expect(loadConfig({ PORT: '', DATABASE_URL: '  ' }).http.port).toBe(3000);
    });
  });

  describe('with a full production environment', () => {
    const env = {
      CASEGRID_ENV: 'production',
      PORT: '8080',
      HOST: '127.0.0.1',
      CASEGRID_DATA_DIR: '/var/lib/casegrid',
      DATABASE_URL: 'postgres://casegrid:s3cret@db:5432/casegrid',
      DATABASE_URL_AUDIT: 'postgresql://audit@audit-db/audit',
      KAFKA_BROKERS: 'kafka-0:9092, kafka-1:9092',
      KAFKA_CLIENT_ID: 'casegrid-intake',
      KAFKA_INSTANCE_ID: 'intake-0',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      REDIS_URL: 'redis://redis:6379/0',
      CASEGRID_SERVICES: 'petition,intake,intake',
      LOG_LEVEL: 'warn',
      HTTP_BODY_LIMIT: '512kb',
      CASEGRID_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      CASEGRID_ADMIN_PASSWORD: 'a long admin passphrase',
    };

    it('types every setting', () => {
      const config = loadConfig(env);
      expect(config.http).toEqual({ port: 8080, host: '127.0.0.1', bodyLimit: '512kb' });
      expect(config.kafka).toEqual({
        brokers: ['kafka-0:9092', 'kafka-1:9092'],
        clientId: 'casegrid-intake',
        instanceId: 'intake-0',
        sessionTimeoutMs: 6000,
      });
      expect(config.services).toEqual(['intake', 'petition']);
      expect(config.dataDir).toBe('/var/lib/casegrid');
      expect(config.logLevel).toBe('warn');
    });

    it('gives each service its override, else the shared database', () => {
      const config = loadConfig(env);
      expect(databaseUrlFor(config, 'audit')).toBe('postgresql://audit@audit-db/audit');
      expect(databaseUrlFor(config, 'intake')).toBe(env.DATABASE_URL);
    });

    it('types the security settings', () => {
      const config = loadConfig({
        ...env,
        CORS_ORIGINS: 'https://console.example.gov.cn, http://localhost:5173',
        RATE_LIMIT_LOGIN: '5/15m',
        AUTH_MODE: 'oidc',
        OIDC_ISSUER: 'https://sso.example.gov.cn/realms/casegrid',
        OIDC_JWKS_URL: 'https://sso.example.gov.cn/realms/casegrid/protocol/openid-connect/certs',
        OIDC_ROLES_CLAIM: 'realm_access.roles',
      });
      expect(config.security.corsOrigins).toEqual([
        'https://console.example.gov.cn',
        'http://localhost:5173',
      ]);
      expect(config.security.rateLimits.loginPerAddress).toEqual({ limit: 5, windowMs: 900_000 });
      expect(config.auth).toMatchObject({ mode: 'oidc', claims: { roles: 'realm_access.roles' } });
      expect(config.personalData.masterKey).toEqual(new Uint8Array(32).fill(7));
      expect(config.auth.demoUsers).toBe(false);
    });

    it('refuses demo users, the demo admin password and a missing master key', () => {
      const { CASEGRID_MASTER_KEY: _key, CASEGRID_ADMIN_PASSWORD: _password, ...bare } = env;
      expect([...problemsOf({ ...bare, CASEGRID_DEMO_USERS: 'true' }).variables].sort()).toEqual([
        'CASEGRID_ADMIN_PASSWORD',
        'CASEGRID_DEMO_USERS',
        'CASEGRID_MASTER_KEY',
      ]);
    });

    it('needs the issuer and JWKS of an OIDC provider', () => {
      expect([...problemsOf({ ...env, AUTH_MODE: 'oidc' }).variables].sort()).toEqual([
        'OIDC_ISSUER',
        'OIDC_JWKS_URL',
      ]);
    });

    it('refuses a frozen clock', () => {
      expect(problemsOf({ ...env, CASEGRID_NOW: '2025-03-01T09:00:00+08:00' }).variables).toEqual([
        'CASEGRID_NOW',
      ]);
    });

    it('refuses a shared clock file', () => {
      expect(problemsOf({ ...env, CASEGRID_CLOCK_FILE: '/tmp/clock.json' }).variables).toEqual([
        'CASEGRID_CLOCK_FILE',
      ]);
    });
  });

  it('accepts a frozen clock outside production', () => {
    const config = loadConfig({ CASEGRID_ENV: 'test', CASEGRID_NOW: '2025-03-01T09:00:00+08:00' });
    expect(config.fixedNow?.toISOString()).toBe('2025-03-01T01:00:00.000Z');
  });

  it('takes a shared clock file outside production, as an absolute path', () => {
    const config = loadConfig({ CASEGRID_ENV: 'test', CASEGRID_CLOCK_FILE: 'run/clock.json' });
    expect(config.clockFile).toBe(resolve('run/clock.json'));
  });

  it('names every bad variable at once', () => {
    const error = problemsOf({
      CASEGRID_ENV: 'staging',
      PORT: '70000',
      DATABASE_URL: 'mysql://root:hunter2@db/casegrid',
      DATABASE_URL_INTAKE: 'not a url',
      DATABASE_URL_PETITIONS: 'postgres://db/petition',
      KAFKA_BROKERS: 'kafka-0:9092,kafka-1',
      KAFKA_CLIENT_ID: 'case grid',
      KAFKA_INSTANCE_ID: 'intake/0',
      KAFKA_SESSION_TIMEOUT_MS: '0',
      REDIS_URL: 'http://redis',
      CASEGRID_SERVICES: 'intake,billing',
      LOG_LEVEL: 'loud',
      OTEL_TRACES_EXPORTER: 'jaeger',
      HTTP_BODY_LIMIT: 'lots',
      CASEGRID_NOW: '2025-02-30T09:00:00Z',
      CORS_ORIGINS: 'https://console.example.gov.cn/path',
      RATE_LIMIT_USER: 'many',
      CASEGRID_MASTER_KEY: 'c2hvcnQ=',
      CASEGRID_DEMO_USERS: 'perhaps',
    });
    expect([...error.variables].sort()).toEqual(
      [
        'CASEGRID_ENV',
        'PORT',
        'DATABASE_URL',
        'DATABASE_URL_INTAKE',
        'DATABASE_URL_PETITIONS',
        'KAFKA_BROKERS',
        'KAFKA_CLIENT_ID',
        'KAFKA_INSTANCE_ID',
        'KAFKA_SESSION_TIMEOUT_MS',
        'REDIS_URL',
        'CASEGRID_SERVICES',
        'LOG_LEVEL',
        'OTEL_TRACES_EXPORTER',
        'HTTP_BODY_LIMIT',
        'CASEGRID_NOW',
        'CORS_ORIGINS',
        'RATE_LIMIT_USER',
        'CASEGRID_MASTER_KEY',
        'CASEGRID_DEMO_USERS',
      ].sort(),
    );
    for (const variable of error.variables) expect(error.message).toContain(`${variable}:`);
  });

  it('never repeats a database password in its message', () => {
    const error = problemsOf({ DATABASE_URL: 'mysql://root:hunter2@db/casegrid' });
    expect(error.message).not.toContain('hunter2');
  });

  it('reads the escalation interval as a period', () => {
    expect(
      loadConfig({ SUPERVISION_ESCALATION_INTERVAL: '12 hours' }).supervision.escalationInterval,
    ).toEqual({ length: 12, unit: 'hours' });
  });

  it('reads the statistics weights and the credit of a 基本满意', () => {
    expect(
      loadConfig({ STATS_WEIGHTS: '0.2, 0.3, 0.5', STATS_BASIC_SATISFACTION: '0.8' }).stats,
    ).toEqual({
      weights: { response: 0.2, resolution: 0.3, satisfaction: 0.5 },
      basicSatisfaction: 0.8,
    });
  });

  it('names the statistics variable at fault in its message', () => {
    expect(problemsOf({ STATS_WEIGHTS: '0.5,0.5,0.5' }).message).toMatch(
      /STATS_WEIGHTS: must be three numbers from 0 to 1 that sum to 1/,
    );
    expect(problemsOf({ STATS_BASIC_SATISFACTION: '90%' }).message).toMatch(
      /STATS_BASIC_SATISFACTION: must be a number from 0 to 1/,
    );
  });

  it.each([
    ['PORT', '3000.5'],
    ['PORT', '-1'],
    ['CASEGRID_NOW', '2025-03-01'],
    ['CASEGRID_NOW', '2025-13-01T00:00:00Z'],
    ['CASEGRID_NOW', '2025-03-01T09:00:00'],
    ['HTTP_BODY_LIMIT', '0'],
    ['CASEGRID_SERVICES', ','],
    ['SUPERVISION_ESCALATION_INTERVAL', '2 weeks'],
    ['SUPERVISION_ESCALATION_INTERVAL', '0 hours'],
    ['SUPERVISION_POLL_MS', '0'],
    ['STATS_WEIGHTS', '0.1,0.9'],
    ['STATS_WEIGHTS', '0.1,0.5,0.4,0'],
    ['STATS_WEIGHTS', '-0.1,0.7,0.4'],
    ['STATS_WEIGHTS', '0.1,0.5,0.3'],
    ['STATS_BASIC_SATISFACTION', '1.1'],
    ['STATS_BASIC_SATISFACTION', 'NaN'],
  ])('refuses %s=%s', (variable, value) => {
    expect(problemsOf({ [variable]: value }).variables).toEqual([variable]);
  });
});
