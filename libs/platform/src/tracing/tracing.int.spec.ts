import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { installTracing, traceExporterOf } from './tracing';

/** What a collector received: the request line, its type and the OTLP/JSON body. */
interface Received {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: {
    resourceSpans: {
      resource: { attributes: { key: string; value: { stringValue?: string } }[] };
      scopeSpans: { spans: { name: string; traceId: string }[] }[];
    }[];
  };
}

/**
 * `OTEL_TRACES_EXPORTER=otlp` ships finished spans to a collector over OTLP/HTTP, here a
 * local HTTP server standing where Jaeger or an OpenTelemetry Collector would listen.
 */
describe('tracing exported over OTLP', () => {
  const received: Received[] = [];
  const collector = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'],
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const endpoint = process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];

  beforeAll(async () => {
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] = `http://127.0.0.1:${port}/v1/traces`;
  });
  afterAll(async () => {
    if (endpoint === undefined) delete process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
    else process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] = endpoint;
    await new Promise((resolve) => collector.close(resolve));
  });

  it('sends each finished span, under the service’s name, and flushes on shutdown', async () => {
    const shutdown = installTracing('casegrid-intake', traceExporterOf('otlp'));
    const span = trace.getTracer('casegrid.test').startSpan('POST /api/v1/cases');
    const { traceId } = span.spanContext();
    span.end();
    await shutdown();

    expect(received).toHaveLength(1);
    const [{ path, contentType, body }] = received as [Received];
    expect([path, contentType]).toEqual(['/v1/traces', 'application/json']);
    const [resourceSpans] = body.resourceSpans;
    expect(resourceSpans!.resource.attributes).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'casegrid-intake' },
    });
    expect(resourceSpans!.scopeSpans.flatMap((s) => s.spans)).toEqual([
      expect.objectContaining({ name: 'POST /api/v1/cases', traceId }),
    ]);
  });

  it('reads the exporter from OTEL_TRACES_EXPORTER, none unless it names one', () => {
    expect(['otlp', 'console', 'none', 'jaeger', undefined].map(traceExporterOf)).toEqual([
      'otlp',
      'console',
      'none',
      'none',
      'none',
    ]);
  });
});
