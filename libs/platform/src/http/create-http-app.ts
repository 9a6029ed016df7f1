import {
  Module,
  type DynamicModule,
  type INestApplication,
  type LoggerService,
  type Type,
} from '@nestjs/common';
import { httpTracingMiddleware } from '../tracing/tracing';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import type { CasegridConfig } from '../config/casegrid.config';
import { CasegridConfigModule } from '../config/casegrid-config.module';
import type { CasegridClock } from '../time/casegrid-clock';
import { HealthModule } from '../health/health.module';
import {
  httpMetricsMiddleware,
  type HttpRequestHistogram,
} from '../metrics/http-metrics.middleware';
import { MetricsModule } from '../metrics/metrics.module';
import { HTTP_REQUEST_DURATION } from '../metrics/metrics.tokens';
import { addressRateLimit } from '../security/address-rate-limit.middleware';
import { corsOptions } from '../security/cors';
import type { RateLimiter } from '../security/rate-limiter';
import { noStore, securityHeaders } from '../security/security-headers';
import { serveConsole } from './console-static';
import { JsonLogger } from './json.logger';
import { OPENAPI_JSON_PATH, OPENAPI_UI_PATH, setupOpenApi, type OpenApiInfo } from './openapi';
import { ProblemFilter, unknownRouteHandler } from './problem.filter';
import { createValidationPipe } from './validation.pipe';
import { VersionETagInterceptor } from './if-match';

export const API_PREFIX = 'api/v1';

/** Operations endpoints live at fixed paths (API.md, Operations), outside the API prefix. */
export const UNPREFIXED_PATHS = [
  'health/{*path}',
  'metrics',
  OPENAPI_UI_PATH,
  `${OPENAPI_UI_PATH}/{*path}`,
  OPENAPI_JSON_PATH,
] as const;

export interface HttpAppOptions {
  readonly openApi?: OpenApiInfo;
  /** Defaults to a `JsonLogger` at the configured level. */
  readonly logger?: LoggerService;
  /**
   * Runs just before `init`, for what must precede the final 404 handler (static assets of
   * the console, extra middleware). Routes belong in modules, not here.
   */
  readonly configure?: (app: NestExpressApplication) => void | Promise<void>;
  /**
   * Limits every request per client address (`security.rateLimits.perAddress`) except
   * health and metrics; without one, no address limit is applied.
   */
  readonly rateLimiter?: RateLimiter;
  /** The built console (`findConsoleDir()`): served at `/` on the same port when given. */
  readonly consoleDir?: string;
  /** The process's business clock, when it was made before the app (else one is made). */
  readonly clock?: CasegridClock;
}

const DEFAULT_OPENAPI: OpenApiInfo = {
  title: 'casegrid',
  description: 'Case workflow for grassroots social-governance centres.',
  version: '1',
};

/** The root that every HTTP process shares: config, health and metrics around the service. */
@Module({})
class CasegridHttpModule {}

/**
 * Builds an initialised Nest application on Express with the platform's conventions: the
 * `api/v1` prefix, security headers, CORS, `trust proxy`, the per-address rate limit, the
 * JSON body limit, validation, problem+json errors, health, metrics, OpenAPI, JSON logs and
 * graceful shutdown. It returns the app initialised (ready for supertest); the caller
 * decides when to `listen`.
 */
export async function createHttpApp(
  rootModule: Type<unknown> | DynamicModule,
  config: CasegridConfig,
  options: HttpAppOptions = {},
): Promise<INestApplication> {
  const root: DynamicModule = {
    module: CasegridHttpModule,
    imports: [
      CasegridConfigModule.forRoot(config, options.clock),
      HealthModule,
      MetricsModule,
      rootModule,
    ],
  };
  const app = await NestFactory.create<NestExpressApplication>(root, new ExpressAdapter(), {
    logger: options.logger ?? new JsonLogger(config.logLevel),
    // Our own JSON parser below carries the size limit; the default one would not.
    bodyParser: false,
    // Fail with an error the caller can log and exit on, instead of Nest exiting for it.
    abortOnError: false,
  });

  const { security } = config;
  app.disable('x-powered-by');
  // `request.ip` is then the client's address as the outermost trusted proxy saw it, read
  // from X-Forwarded-For; with 0, the header is ignored (a client could write anything).
  app.set('trust proxy', security.trustProxy);

  // The request's span around everything after it, so every log line and event has its trace.
  app.use(httpTracingMiddleware());
  // First in the chain, so that requests refused by the body parser are timed too.
  app.use(httpMetricsMiddleware(app.get<HttpRequestHistogram>(HTTP_REQUEST_DURATION)));
  // Before anything that may answer (the Swagger UI, 413, 429), so that every answer has them.
  app.use(securityHeaders(OPENAPI_UI_PATH, options.consoleDir !== undefined));
  app.use(noStore(API_PREFIX));
  // CORS before the rate limit: a browser can only read a 429's Retry-After through CORS,
  // and preflights (which carry no credentials) are answered without counting against it.
  const cors = corsOptions(security.corsOrigins);
  if (cors) app.enableCors(cors);
  // Before the body parser: a refused client costs no parsing.
  if (options.rateLimiter)
    app.use(addressRateLimit(options.rateLimiter, security.rateLimits.perAddress));
  app.useBodyParser('json', {
    limit: config.http.bodyLimit,
    type: ['application/json', 'application/*+json'],
  });
  app.setGlobalPrefix(API_PREFIX, { exclude: [...UNPREFIXED_PATHS] });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalInterceptors(new VersionETagInterceptor());
  app.useGlobalFilters(new ProblemFilter(app.getHttpAdapter()));
  app.enableShutdownHooks();
  setupOpenApi(app, options.openApi ?? DEFAULT_OPENAPI);
  if (options.consoleDir) serveConsole(app, options.consoleDir);
  await options.configure?.(app);

  await app.init();
  app.use(unknownRouteHandler(app.getHttpAdapter()));
  return app;
}
