import { inProcessUnderTest } from '../testing/event-path.harness';
import { describeEventProcessor } from '../testing/event-processor.contract';

describeEventProcessor('in-process', inProcessUnderTest);
