import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { DeliveredMessage, MessageHandler } from './transport';

const tracer = trace.getTracer('casegrid.messaging');

/**
 * Runs a subscriber's handler in a CONSUMER span whose parent is the trace context the
 * message carries (`traceparent`, else the CloudEvent's `ce_traceparent`): what the
 * handler appends is stamped with this span, so one case's trace runs from the HTTP
 * request through Kafka to every consumer and on. Each attempt is a span of its own.
 */
export const tracedHandler =
  (group: string, handle: MessageHandler): MessageHandler =>
  (message: DeliveredMessage) => {
    const traceparent = message.headers['traceparent'] ?? message.headers['ce_traceparent'];
    const parent = traceparent
      ? propagation.extract(context.active(), { traceparent })
      : context.active();
    const span = tracer.startSpan(
      `process ${message.topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': message.topic,
          'messaging.consumer.group.name': group,
          'messaging.destination.partition.id': String(message.partition),
          'messaging.kafka.offset': message.offset,
          'messaging.kafka.message.key': message.key,
        },
      },
      parent,
    );
    return context.with(trace.setSpan(parent, span), async () => {
      try {
        await handle(message);
      } catch (error) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    });
  };
