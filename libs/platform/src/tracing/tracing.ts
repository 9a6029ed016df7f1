import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const TRACE_EXPORTERS = ['none', 'console', 'otlp'] as const;
export type TraceExporter = (typeof TRACE_EXPORTERS)[number];

/** `OTEL_TRACES_EXPORTER` as the process was started with it: `none` unless it names one. */
export const traceExporterOf = (value: string | undefined): TraceExporter =>
  (TRACE_EXPORTERS as readonly string[]).includes(value ?? '') ? (value as TraceExporter) : 'none';

/**
 * Installs OpenTelemetry tracing for the process: W3C trace context, context carried
 * through async calls, and spans sent to the chosen exporter — `console` prints them,
 * `otlp` ships them over OTLP/HTTP (JSON) to a collector (Jaeger, Tempo, an OpenTelemetry
 * Collector) at `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT`
 * (default http://localhost:4318), as the service `serviceName`; `none` still makes and
 * propagates trace ids, which the logs and the Kafka headers then carry. Once per process,
 * at its entry point; returns the shutdown that flushes the last spans.
 */
export const installTracing = (
  serviceName: string,
  exporter: TraceExporter,
  processors: SpanProcessor[] = [],
): (() => Promise<void>) => {
  const spanProcessors = [...processors];
  if (exporter === 'console')
    spanProcessors.push(new BatchSpanProcessor(new ConsoleSpanExporter()));
  if (exporter === 'otlp') spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  const provider = new NodeTracerProvider({
    spanProcessors,
    resource: resourceFromAttributes({ 'service.name': serviceName }),
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return () => provider.shutdown();
};

/** The active span's ids, for log lines (correlation with traces). */
export const activeTraceIds = (): { traceId: string; spanId: string } | undefined => {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
};

const tracer = trace.getTracer('casegrid.http');

/**
 * A SERVER span per request, child of the caller's `traceparent` when it sends one; the
 * handler runs inside it, so what it appends carries the trace onwards (event store).
 * The span is named after the route template once Nest has matched it.
 */
export const httpTracingMiddleware =
  () =>
  (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const parent = propagation.extract(context.active(), req.headers);
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0]!;
    const span: Span = tracer.startSpan(
      `${method} ${path}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': method, 'url.path': path },
      },
      parent,
    );
    res.on('finish', () => {
      const routed = req as IncomingMessage & { baseUrl?: string; route?: { path?: unknown } };
      const route = routed.route?.path;
      if (typeof route === 'string') span.updateName(`${method} ${routed.baseUrl ?? ''}${route}`);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
