import { TEST_TOPICS } from './infra';
import { testInfra } from './infra-env';
import { startMockKafka, type MockKafkaControl } from './kafka-mock/mock-kafka';

/** A Kafka for one suite: its brokers, the mock's fault API if it is a mock, and its end. */
export interface SuiteKafka {
  readonly brokers: readonly string[];
  readonly control: MockKafkaControl | undefined;
  stop(): Promise<void>;
}

/**
 * A broker no other suite uses, so suites that boot services (fixed topic and group
 * names) run in parallel Jest workers without joining each other's groups or reading each
 * other's events — and without waiting out a rebalance held open for members of an
 * earlier suite. On the librdkafka mock (the default here) each suite gets a cluster of
 * its own, started in well under a second; against a real Kafka named by
 * CASEGRID_TEST_KAFKA_BROKERS it is that one, shared (run such a run with one worker).
 */
export async function startSuiteKafka(): Promise<SuiteKafka> {
  const shared = testInfra();
  if (!shared.kafkaControl) {
    return { brokers: shared.kafkaBrokers, control: undefined, stop: async () => undefined };
  }
  const mock = await startMockKafka({ brokers: 1, topics: [...TEST_TOPICS] });
  return { brokers: mock.bootstrap, control: mock.control, stop: mock.stop };
}
