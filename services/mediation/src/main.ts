import { main } from '@casegrid/runtime';
import { mediationService } from './index';

// The mediation service as a process of its own (production topology).
main([mediationService]);
