import { resolve } from 'node:path';
import {
  CASEGRID_ENVS,
  LOG_LEVELS,
  SERVICE_NAMES,
  type CasegridConfig,
  type ServiceName,
} from './casegrid.config';
import { ConfigError, type ConfigProblem } from './config.error';
import {
  Invalid,
  brokers,
  byteSize,
  identifier,
  instant,
  oneOf,
  port,
  postgresUrl,
  redisUrl,
  subsetOf,
  text,
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
  // A frozen clock in production would stop every statutory deadline from running.
  const refuseInProduction: Parser<never> = () =>
    new Invalid('must not be set when CASEGRID_ENV=production');
  const fixedNow = read(
    'CASEGRID_NOW',
    casegridEnv === 'production' ? refuseInProduction : instant,
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
    },
    kafka: {
      brokers: read('KAFKA_BROKERS', brokers),
      clientId: read('KAFKA_CLIENT_ID', identifier) ?? 'casegrid',
    },
    redisUrl: read('REDIS_URL', redisUrl),
    services: read('CASEGRID_SERVICES', subsetOf(SERVICE_NAMES)) ?? SERVICE_NAMES,
    logLevel: read('LOG_LEVEL', oneOf(LOG_LEVELS)) ?? 'info',
    fixedNow,
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function readServiceDatabases(
  env: Environment,
  read: <T>(variable: string, parse: Parser<T>) => T | undefined,
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
