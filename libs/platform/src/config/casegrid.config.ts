import { SERVICES, type ServiceName } from '@casegrid/contracts';

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
  };
  readonly kafka: {
    /** `undefined` means the in-process transport. */
    readonly brokers: readonly string[] | undefined;
    readonly clientId: string;
  };
  readonly redisUrl: string | undefined;
  /** The services this process runs, in the canonical order. */
  readonly services: readonly ServiceName[];
  readonly logLevel: CasegridLogLevel;
  /** A frozen clock for demos and tests (CASEGRID_NOW); never set in production. */
  readonly fixedNow: Date | undefined;
}

/** The database a service uses: its override, else the shared one, else `undefined` (embedded). */
export const databaseUrlFor = (config: CasegridConfig, service: ServiceName): string | undefined =>
  config.database.byService[service] ?? config.database.url;

/** Injection token of the `CasegridConfig` (see `CasegridConfigModule`). */
export const CASEGRID_CONFIG = Symbol('CASEGRID_CONFIG');
