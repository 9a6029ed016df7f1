import { kafkaUnderTest } from '../testing/event-path.harness';
import { describeEventProcessor } from '../testing/event-processor.contract';

describeEventProcessor('kafka (mock broker)', async () => kafkaUnderTest());
