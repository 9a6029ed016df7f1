import type { DynamicModule, Type } from '@nestjs/common';
import type { ServiceName } from '@casegrid/contracts';
import type { MigrationClass } from '@casegrid/event-store';

/** What a service contributes to a process: its Nest module and its own migrations. */
export interface ServiceDefinition {
  readonly name: ServiceName;
  readonly title: string;
  readonly module: Type<unknown> | DynamicModule;
  /** Its read models' migrations; the kernel's tables are added for every service. */
  readonly migrations?: readonly MigrationClass[];
}
