import { resolve } from 'node:path';
import {
  AUTH_MODES,
  CASEGRID_ENVS,
  LOG_LEVELS,
  SERVICE_NAMES,
  type AuthConfig,
  type CasegridConfig,
  type ServiceName,
} from './casegrid.config';
import { TRACE_EXPORTERS } from '../tracing/tracing';
import { ConfigError, type ConfigProblem } from './config.error';
import {
  Invalid,
  bool,
  brokers,
  byteSize,
  fraction,
  httpUrl,
  identifier,
  instant,
  key256,
  oneOf,
  origins,
  period,
  port,
  positiveInt,
  postgresUrl,
  rate,
  redisUrl,
  subsetOf,
  text,
  weights,
  type Parser,
} from './config.parsers';

export type Environment = Readonly<Record<string, string | undefined>>;

const SERVICE_DATABASE_PREFIX = 'DATABASE_URL_';

/**
 * Reads, types and validates the configuration; call it once at boot. An empty value counts
 * as unset (a blank line in a .env file must not mean "the empty host"). Throws a
 * `ConfigError` naming every bad variable.
 */
export function loadConfig(env: Environment = process.env): CasegridConfig {
  const problems: ConfigProblem[] = [];

  function read<T>(variable: string, parse: Parser<T>): T | undefined {
    const raw = env[variable]?.trim();
    if (raw === undefined || raw === '') return undefined;
    const value = parse(raw);
    if (value instanceof Invalid) {
      problems.push({ variable, message: value.message });
      return undefined;
    }
    return value;
  }

  const casegridEnv = read('CASEGRID_ENV', oneOf(CASEGRID_ENVS)) ?? 'development';
  // A shifted clock in production would put every statutory deadline at the wrong time.
  const refuseInProduction: Parser<never> = () =>
    new Invalid('must not be set when CASEGRID_ENV=production');
  const fixedNow = read(
    'CASEGRID_NOW',
    casegridEnv === 'production' ? refuseInProduction : instant,
  );

  const clockFile = read(
    'CASEGRID_CLOCK_FILE',
    casegridEnv === 'production' ? refuseInProduction : text,
  );

  const config: CasegridConfig = {
    env: casegridEnv,
    http: {
      port: read('PORT', port) ?? 3000,
      host: read('HOST', text) ?? '0.0.0.0',
      bodyLimit: read('HTTP_BODY_LIMIT', byteSize) ?? '1mb',
    },
    dataDir: resolve(read('CASEGRID_DATA_DIR', text) ?? './.casegrid'),
    database: {
      url: read('DATABASE_URL', postgresUrl),
      byService: readServiceDatabases(env, read, problems),
      peerTimeoutMs: read('DATABASE_PEER_TIMEOUT_MS', positiveInt(600_000)) ?? 20_000,
      serverTimeouts: read('DATABASE_SERVER_TIMEOUTS', bool) ?? true,
    },
    kafka: {
      brokers: read('KAFKA_BROKERS', brokers),
      clientId: read('KAFKA_CLIENT_ID', identifier) ?? 'casegrid',
      instanceId: read('KAFKA_INSTANCE_ID', identifier),
      sessionTimeoutMs: read('KAFKA_SESSION_TIMEOUT_MS', positiveInt(300_000)) ?? 30_000,
    },
    redisUrl: read('REDIS_URL', redisUrl),
    tracesExporter: read('OTEL_TRACES_EXPORTER', oneOf(TRACE_EXPORTERS)) ?? 'none',
    services: read('CASEGRID_SERVICES', subsetOf(SERVICE_NAMES)) ?? SERVICE_NAMES,
    logLevel: read('LOG_LEVEL', oneOf(LOG_LEVELS)) ?? 'info',
    fixedNow,
    clockFile: clockFile === undefined ? undefined : resolve(clockFile),
    supervision: {
      escalationInterval: read('SUPERVISION_ESCALATION_INTERVAL', period) ?? {
        length: 2,
        unit: 'working_days',
      },
      pollIntervalMs: read('SUPERVISION_POLL_MS', positiveInt(60_000)) ?? 1_000,
    },
    stats: {
      weights: read('STATS_WEIGHTS', weights) ?? {
        response: 0.1,
        resolution: 0.5,
        satisfaction: 0.4,
      },
      basicSatisfaction: read('STATS_BASIC_SATISFACTION', fraction) ?? 0.9,
    },
    auth: readAuth(casegridEnv, read, problems),
    personalData: { masterKey: read('CASEGRID_MASTER_KEY', key256) },
    security: {
      corsOrigins: read('CORS_ORIGINS', origins) ?? [],
      trustProxy: read('TRUST_PROXY', positiveInt(10)) ?? 0,
      rateLimits: {
        perUser: read('RATE_LIMIT_USER', rate) ?? { limit: 600, windowMs: 60_000 },
        perAddress: read('RATE_LIMIT_ADDRESS', rate) ?? { limit: 1200, windowMs: 60_000 },
        loginPerAddress: read('RATE_LIMIT_LOGIN', rate) ?? { limit: 20, windowMs: 900_000 },
        loginFailuresPerUser: read('RATE_LIMIT_LOGIN_FAILURES', rate) ?? {
          limit: 10,
          windowMs: 900_000,
        },
      },
    },
    caseDirectory: { waitMs: read('CASE_DIRECTORY_WAIT_MS', positiveInt(60_000)) ?? 5_000 },
  };
  if (casegridEnv === 'production' && config.personalData.masterKey === undefined) {
    problems.push({
      variable: 'CASEGRID_MASTER_KEY',
      message: 'is required when CASEGRID_ENV=production (personal data is encrypted under it)',
    });
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

type Read = <T>(variable: string, parse: Parser<T>) => T | undefined;

export const DEMO_ADMIN_PASSWORD = 'casegrid-demo';

function readAuth(env: CasegridConfig['env'], read: Read, problems: ConfigProblem[]): AuthConfig {
  const mode = read('AUTH_MODE', oneOf(AUTH_MODES)) ?? 'embedded';
  const production = env === 'production';
  const issuer = read('OIDC_ISSUER', text);
  const jwksUrl = read('OIDC_JWKS_URL', httpUrl);
  if (mode === 'oidc') {
    for (const [variable, value] of [
      ['OIDC_ISSUER', issuer],
      ['OIDC_JWKS_URL', jwksUrl],
    ] as const) {
      if (value === undefined)
        problems.push({ variable, message: 'is required when AUTH_MODE=oidc' });
    }
  }
  const adminPassword = read('CASEGRID_ADMIN_PASSWORD', text);
  if (
    production &&
    mode === 'embedded' &&
    (adminPassword ?? DEMO_ADMIN_PASSWORD) === DEMO_ADMIN_PASSWORD
  ) {
    problems.push({
      variable: 'CASEGRID_ADMIN_PASSWORD',
      message: 'must be set to a password of your own when CASEGRID_ENV=production',
    });
  } else if (adminPassword !== undefined && adminPassword.length < 12 && production) {
    problems.push({
      variable: 'CASEGRID_ADMIN_PASSWORD',
      message: 'must be at least 12 characters',
    });
  }
  const demoUsers = read('CASEGRID_DEMO_USERS', bool) ?? !production;
  if (production && demoUsers) {
    problems.push({
      variable: 'CASEGRID_DEMO_USERS',
      message: 'must not be true when CASEGRID_ENV=production: demo passwords are public',
    });
  }
  return {
    mode,
    issuer: issuer ?? 'urn:casegrid:embedded',
    audience: read('OIDC_AUDIENCE', text) ?? 'casegrid',
    jwksUrl,
    tokenTtlSeconds: read('AUTH_TOKEN_TTL', positiveInt(86_400)) ?? 900,
    claims: {
      roles: read('OIDC_ROLES_CLAIM', text) ?? 'roles',
      department: read('OIDC_DEPARTMENT_CLAIM', text) ?? 'department_id',
      region: read('OIDC_REGION_CLAIM', text) ?? 'region_code',
    },
    adminPassword: adminPassword ?? DEMO_ADMIN_PASSWORD,
    demoUsers,
  };
}

function readServiceDatabases(
  env: Environment,
  read: Read,
  problems: ConfigProblem[],
): Partial<Record<ServiceName, string>> {
  const byService: Partial<Record<ServiceName, string>> = {};
  for (const service of SERVICE_NAMES) {
    const url = read(`${SERVICE_DATABASE_PREFIX}${service.toUpperCase()}`, postgresUrl);
    if (url !== undefined) byService[service] = url;
  }
  // A misspelt override (DATABASE_URL_PETITIONS) would silently fall back to the shared
  // database: refuse it instead.
  const known = new Set(SERVICE_NAMES.map((s) => `${SERVICE_DATABASE_PREFIX}${s.toUpperCase()}`));
  for (const variable of Object.keys(env).sort()) {
    if (variable.startsWith(SERVICE_DATABASE_PREFIX) && !known.has(variable)) {
      problems.push({
        variable,
        message: `names no service (expected one of ${[...known].join(', ')})`,
      });
    }
  }
  return byService;
}
