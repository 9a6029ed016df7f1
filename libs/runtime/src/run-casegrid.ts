import {
  createHttpApp,
  findConsoleDir,
  installTracing,
  traceExporterOf,
  JsonLogger,
  loadConfig,
  startEmbeddedPostgres,
  SERVICE_NAMES,
  type CasegridConfig,
  type EmbeddedPostgres,
} from '@casegrid/platform';
import type { INestApplication } from '@nestjs/common';
import { Infrastructure } from './infrastructure';
import { CasegridRuntimeModule } from './runtime.module';
import type { ServiceDefinition } from './service-definition';

export const HELP = `casegrid — case workflow for social-governance centres

Usage: npm start [-- --help]

With no settings, runs all five services (${SERVICE_NAMES.join(', ')}) in this process on
an embedded PostgreSQL kept in CASEGRID_DATA_DIR (default ./.casegrid) and an in-process
event transport, serving the API on PORT (default 3000).

Point it at real infrastructure with environment variables (see .env.example):
  DATABASE_URL=postgres://user:pass@host:5432/casegrid   a real PostgreSQL (schema per service)
  DATABASE_URL_<SERVICE>=...                             a database for one service
  KAFKA_BROKERS=host1:9092,host2:9092                    Kafka instead of the in-process log
  REDIS_URL=redis://host:6379                            shared rate limits, idempotency keys
  CASEGRID_SERVICES=intake,audit                         run only these services here

Each service also starts alone: node dist/services/<service>/src/main.js
(with DATABASE_URL and KAFKA_BROKERS set).
`;

export interface RunningCasegrid {
  readonly app: INestApplication;
  readonly config: CasegridConfig;
  readonly url: string;
}

/**
 * Boots a process: reads and checks the configuration, starts the embedded PostgreSQL when
 * no database is configured, opens the infrastructure, then serves HTTP. Shutdown runs in
 * the reverse order (runtime.module.ts).
 */
export const runCasegrid = async (
  definitions: readonly ServiceDefinition[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningCasegrid> => {
  const loaded = loadConfig(env);
  const logger = new JsonLogger(loaded.logLevel);
  const services = definitions.filter((d) => loaded.services.includes(d.name));
  if (services.length === 0)
    throw new Error('CASEGRID_SERVICES names none of the services of this program');
  // The embedded issuer's keys live with intake; a process without it must be told where.
  if (
    loaded.auth.mode === 'embedded' &&
    !loaded.auth.jwksUrl &&
    !services.some((s) => s.name === 'intake')
  ) {
    throw new Error(
      "OIDC_JWKS_URL: required without the intake service in this process (point it at intake's /api/v1/auth/jwks, with OIDC_ISSUER=urn:casegrid:embedded)",
    );
  }

  let embedded: EmbeddedPostgres | undefined;
  let config = loaded;
  const needsEmbedded = services.some(
    (s) => !(loaded.database.byService[s.name] ?? loaded.database.url),
  );
  if (needsEmbedded || (!loaded.database.url && !loaded.kafka.brokers)) {
    embedded = await startEmbeddedPostgres({ dataDir: loaded.dataDir });
    config = {
      ...loaded,
      database: { ...loaded.database, url: loaded.database.url ?? embedded.url },
    };
    logger.log(`embedded PostgreSQL in ${loaded.dataDir}`, 'casegrid');
  }
  const stopEmbedded = async (): Promise<void> => {
    await embedded?.stop();
  };

  let infra: Infrastructure;
  try {
    infra = await Infrastructure.open(config, services, (message, error) => {
      const line = `${message}: ${error instanceof Error ? error.message : String(error)}`;
      // Waiting for something that is on its way (reference data replicating after a first
      // start) is retried until it arrives: worth a warning, not an error.
      if ((error as { code?: unknown } | null)?.code === 'unavailable') logger.warn(line, 'kernel');
      else logger.error(line, 'kernel');
    });
  } catch (error) {
    await stopEmbedded();
    throw error;
  }
  const app = await createHttpApp(
    CasegridRuntimeModule.forRoot(infra, services, stopEmbedded),
    config,
    {
      logger,
      rateLimiter: infra.rateLimiter,
      clock: infra.clock,
      // The console is served wherever it was built (`npm run build`); in production the
      // ingress sends `/` to any process of the image, which all carry it.
      consoleDir: findConsoleDir(),
      openApi: {
        title: `casegrid — ${services.map((s) => s.title).join(', ')}`,
        description: 'Case workflow for grassroots social-governance centres (API.md).',
        version: '1',
      },
    },
  );
  await app.listen(config.http.port, config.http.host);
  const url = await app.getUrl();
  logger.log(`serving ${services.map((s) => s.name).join(', ')} on ${url}`, 'casegrid');
  return { app, config, url };
};

/** For `main.ts` files: run, print --help, or exit non-zero with the reason. */
export const main = (definitions: readonly ServiceDefinition[]): void => {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  // Tracing is the process's, installed before anything opens a connection or a span.
  const exporter = traceExporterOf(process.env['OTEL_TRACES_EXPORTER']);
  // The service name traces are shipped under: casegrid-intake…, casegrid for all five.
  const names = definitions.map((d) => d.name);
  installTracing(names.length === 5 ? 'casegrid' : `casegrid-${names.join('-')}`, exporter);
  runCasegrid(definitions).catch((error: unknown) => {
    process.stderr.write(
      `casegrid failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
};
