import { main } from '@casegrid/runtime';
import { supervisionService } from './index';

// The supervision service as a process of its own (production topology).
main([supervisionService]);
