import { main } from '@casegrid/runtime';
import { petitionService } from './index';

// The petition service as a process of its own (production topology).
main([petitionService]);
