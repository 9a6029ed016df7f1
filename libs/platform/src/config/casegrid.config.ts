import { SERVICES, type ServiceName } from '@casegrid/contracts';
import type { Rate } from './config.parsers';

export type { Rate };

export { SERVICES as SERVICE_NAMES, type ServiceName };

export const CASEGRID_ENVS = ['development', 'test', 'production'] as const;
export type CasegridEnv = (typeof CASEGRID_ENVS)[number];

/** Most severe first: a level enables itself and every level before it. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'verbose'] as const;
export type CasegridLogLevel = (typeof LOG_LEVELS)[number];

/** The whole configuration, read once at boot by `loadConfig` and passed down from there. */
export interface CasegridConfig {
  readonly env: CasegridEnv;
  readonly http: {
    readonly port: number;
    readonly host: string;
    /** A body-parser size such as `1mb`; larger bodies are refused with 413. */
    readonly bodyLimit: string;
  };
  /** Absolute; holds the embedded PostgreSQL cluster. Unused when every database is external. */
  readonly dataDir: string;
  readonly database: {
    /** A real PostgreSQL for every service; `undefined` means the embedded one. */
    readonly url: string | undefined;
    /** Per-service overrides of `url` (DATABASE_URL_<SERVICE>). */
    readonly byService: Readonly<Partial<Record<ServiceName, string>>>;
    /**
     * DATABASE_PEER_TIMEOUT_MS: how long either end of a connection may be silent before it
     * is presumed gone — and with it the leases its session held (a relay, a consumer group
     * on the in-process log), which a standby then takes over.
     */
    readonly peerTimeoutMs: number;
    /** DATABASE_SERVER_TIMEOUTS: ask the server to probe clients (off behind a pooler). */
    readonly serverTimeouts: boolean;
  };
  readonly kafka: {
    /** `undefined` means the in-process transport. */
    readonly brokers: readonly string[] | undefined;
    readonly clientId: string;
    /**
     * Names this instance's transactional producer (KAFKA_INSTANCE_ID). Stable across a
     * restart, the new producer fences the crashed one and aborts its open transaction at
     * once; unset, each start gets a fresh id (and a crash's transaction times out instead).
     */
    readonly instanceId: string | undefined;
    /** How long the group waits for a silent member before it hands its partitions on. */
    readonly sessionTimeoutMs: number;
  };
  readonly redisUrl: string | undefined;
  /** Where finished spans go (OTEL_TRACES_EXPORTER): `none` still propagates trace ids. */
  readonly tracesExporter: 'none' | 'console' | 'otlp';
  /** The services this process runs, in the canonical order. */
  readonly services: readonly ServiceName[];
  readonly logLevel: CasegridLogLevel;
  /** Where business time starts, running on from there (CASEGRID_NOW); never set in production. */
  readonly fixedNow: Date | undefined;
  /**
   * A file whose offset every process's business clock follows (CASEGRID_CLOCK_FILE), so a
   * spec moves time across a multi-process topology; never set in production.
   */
  readonly clockFile: string | undefined;
  readonly supervision: {
    /** How long a breached case stays at one tier of supervision before it is raised again. */
    readonly escalationInterval: {
      readonly length: number;
      readonly unit: 'working_days' | 'calendar_days' | 'hours';
    };
    /** How often the deadline scheduler looks for due clocks (it also wakes for the next one). */
    readonly pollIntervalMs: number;
  };
  /** Statistics (`GET /stats`, docs/statistics.md). */
  readonly stats: {
    /** The composite score's weights of the three rates (STATS_WEIGHTS); they sum to 1. */
    readonly weights: {
      readonly response: number;
      readonly resolution: number;
      readonly satisfaction: number;
    };
    /** What a 基本满意 counts for in the satisfaction rate (STATS_BASIC_SATISFACTION). */
    readonly basicSatisfaction: number;
  };
  readonly auth: AuthConfig;
  readonly personalData: {
    /**
     * The key-encryption key that wraps every person's data key (CASEGRID_MASTER_KEY).
     * Required in production; elsewhere `undefined` means one generated in `dataDir`.
     */
    readonly masterKey: Uint8Array | undefined;
  };
  readonly security: SecurityConfig;
  readonly caseDirectory: {
    /**
     * How long a command on a case its service has not yet heard of waits for intake's
     * event before it answers 404/409 (CASE_DIRECTORY_WAIT_MS, default 5000).
     */
    readonly waitMs: number;
  };
}

export const AUTH_MODES = ['embedded', 'oidc'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export interface AuthConfig {
  /**
   * `embedded`: this deployment issues its own tokens (POST /api/v1/auth/login) and serves
   * their keys at /api/v1/auth/jwks; `oidc`: an external OpenID Connect provider issues
   * them and services verify them against its JWKS.
   */
  readonly mode: AuthMode;
  readonly issuer: string;
  readonly audience: string;
  /** The provider's JWKS (oidc mode; also how separate processes trust an embedded issuer). */
  readonly jwksUrl: string | undefined;
  /** Lifetime of tokens the embedded issuer signs. */
  readonly tokenTtlSeconds: number;
  /** Where in the token's claims a provider puts what casegrid needs (dotted paths). */
  readonly claims: {
    readonly roles: string;
    readonly department: string;
    readonly region: string;
  };
  /** The password of the always-seeded `admin` (embedded issuer only). */
  readonly adminPassword: string;
  /** Seed the demo organisation's users with their documented passwords (never in production). */
  readonly demoUsers: boolean;
}

export interface SecurityConfig {
  /** Origins allowed to call the API from a browser; empty means same-origin only. */
  readonly corsOrigins: readonly string[];
  /** Reverse proxies in front of the service whose X-Forwarded-For is believed (0 = none). */
  readonly trustProxy: number;
  readonly rateLimits: {
    /** Requests per signed-in user. */
    readonly perUser: Rate;
    /** Requests per client address, signed in or not. */
    readonly perAddress: Rate;
    /** Login attempts per client address. */
    readonly loginPerAddress: Rate;
    /** Failed logins per username, from anywhere. */
    readonly loginFailuresPerUser: Rate;
  };
}

/** The database a service uses: its override, else the shared one, else `undefined` (embedded). */
export const databaseUrlFor = (config: CasegridConfig, service: ServiceName): string | undefined =>
  config.database.byService[service] ?? config.database.url;

/** Injection token of the `CasegridConfig` (see `CasegridConfigModule`). */
export const CASEGRID_CONFIG = Symbol('CASEGRID_CONFIG');
