import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanKind } from '@opentelemetry/api';
import request from 'supertest';
import { installTracing } from '@casegrid/platform';
import { waitUntil } from '@casegrid/testing';
import { freshIdNumber, startTestCasegrid, type TestCasegrid } from './testing/test-casegrid';

/**
 * One case, one trace: the HTTP request that registers it and every consumer's handling
 * of its events, across Kafka, share the trace id (W3C traceparent in the Kafka headers).
 */
describe('tracing through Kafka', () => {
  const exporter = new InMemorySpanExporter();
  let shutdown: () => Promise<void>;
  let casegrid: TestCasegrid;

  beforeAll(async () => {
    shutdown = installTracing('casegrid', 'none', [new SimpleSpanProcessor(exporter)]);
    casegrid = await startTestCasegrid('tracing', {}, { kafka: true });
  });
  afterAll(async () => {
    await casegrid?.stop();
    await shutdown?.();
  });

  it('follows a case from the HTTP request to every consumer of its events', async () => {
    const token = await casegrid.token('clerk.jiefang');
    const response = await request(casegrid.url)
      .post('/api/v1/cases')
      .auth(token, { type: 'bearer' })
      .send({
        kind: 'dispute',
        channel: 'window',
        title: '楼道堆物引发邻里矛盾',
        description: '邻居长期在楼道堆放杂物',
        category: 'neighbor',
        regionCode: '370102001001',
        parties: [{ role: 'applicant', name: '孙七', idNumber: freshIdNumber() }],
      })
      .expect(201);
    const caseId = (response.body as { id: string }).id;
    const groups = [
      'supervision.case-events',
      'mediation.case-directory',
      'petition.case-directory',
    ];
    const consumerSpans = () =>
      exporter
        .getFinishedSpans()
        .filter(
          (s) =>
            s.kind === SpanKind.CONSUMER && s.attributes['messaging.kafka.message.key'] === caseId,
        );
    await waitUntil(
      () =>
        groups.every((g) =>
          consumerSpans().some((s) => s.attributes['messaging.consumer.group.name'] === g),
        ),
      { what: 'every consumer group handled the case’s events', timeoutMs: 60_000 },
    );
    const http = exporter
      .getFinishedSpans()
      .find((s) => s.kind === SpanKind.SERVER && s.name === 'POST /api/v1/cases');
    expect(http).toBeDefined();
    const traceId = http!.spanContext().traceId;
    for (const span of consumerSpans()) expect(span.spanContext().traceId).toBe(traceId);
    // A consumer span is a child of the request's trace, not a new root.
    expect(consumerSpans().every((s) => s.parentSpanContext?.traceId === traceId)).toBe(true);
  });
});
