import { auditService } from '@casegrid/service-audit';
import { intakeService } from '@casegrid/service-intake';
import { mediationService } from '@casegrid/service-mediation';
import { petitionService } from '@casegrid/service-petition';
import { supervisionService } from '@casegrid/service-supervision';
import type { ServiceDefinition } from '@casegrid/runtime';

export const ALL_SERVICES: readonly ServiceDefinition[] = [
  intakeService,
  mediationService,
  petitionService,
  supervisionService,
  auditService,
];
