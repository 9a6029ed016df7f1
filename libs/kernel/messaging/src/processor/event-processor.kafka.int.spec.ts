import { kafkaUnderTest } from '../testing/event-path.harness';
import { describeEventProcessor } from '../testing/event-processor.contract';

// 3,000 events: still batches of 500 on every partition, on the mock broker, whose
// fetches are the slow part (10,000 took 40–130 s of the suite's CPU); the in-process
// transport's spec keeps 10,000.
describeEventProcessor('kafka (mock broker)', async () => kafkaUnderTest(), 300);
