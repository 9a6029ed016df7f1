import { Global, Module } from '@nestjs/common';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { MetricsController } from './metrics.controller';
import { HTTP_REQUEST_DURATION, METRICS_REGISTRY } from './metrics.tokens';

/**
 * One registry per application rather than prom-client's global one: two apps in one
 * process (tests, or the embedded default next to a tool) must not collide on metric names.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    {
      provide: METRICS_REGISTRY,
      useFactory: (): Registry => {
        const registry = new Registry();
        collectDefaultMetrics({ register: registry });
        return registry;
      },
    },
    {
      provide: HTTP_REQUEST_DURATION,
      inject: [METRICS_REGISTRY],
      useFactory: (registry: Registry) =>
        new Histogram({
          name: 'http_request_duration_seconds',
          help: 'HTTP request duration by method, route pattern and status.',
          labelNames: ['method', 'route', 'status'] as const,
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
          registers: [registry],
        }),
    },
  ],
  exports: [METRICS_REGISTRY, HTTP_REQUEST_DURATION],
})
export class MetricsModule {}
