import { main } from '@casegrid/runtime';
import { intakeService } from './index';

// The intake service as a process of its own (production topology).
main([intakeService]);
