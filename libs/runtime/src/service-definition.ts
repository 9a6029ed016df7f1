import type { DynamicModule, Type } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { ServiceName } from '@casegrid/contracts';
import type { MigrationClass } from '@casegrid/event-store';
import type { ReceivedReferenceChange } from './reference/reference.events';

/** What a service contributes to a process: its Nest module and its own migrations. */
export interface ServiceDefinition {
  readonly name: ServiceName;
  readonly title: string;
  readonly module: Type<unknown> | DynamicModule;
  /** Its read models' migrations; the kernel's tables are added for every service. */
  readonly migrations?: readonly MigrationClass[];
  /**
   * Runs in the transaction of its reference replica for each change the replica took (a
   * newer version of a record; a repeat or an older one is not passed on), so that what the
   * service derives from the change commits with it, exactly once.
   */
  readonly onReferenceChange?: ReferenceChangeHook;
}

export type ReferenceChangeHook = (
  tx: PoolClient,
  change: ReceivedReferenceChange,
  schema: string,
) => Promise<void>;
