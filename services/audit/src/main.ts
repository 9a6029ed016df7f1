import { main } from '@casegrid/runtime';
import { auditService } from './index';

// The audit service as a process of its own (production topology).
main([auditService]);
