import type { Pool, PoolClient } from 'pg';
import type { CloudEvent } from '@casegrid/contracts';

/** Marks a value as an event handler, so the runtime finds it among a module's providers. */
export const EVENT_HANDLER = Symbol.for('casegrid.event-handler');

interface HandlerDeclaration {
  /** Consumer group: one delivery per group; names the inbox rows, positions and DLQ. */
  readonly group: string;
  readonly topics: readonly string[];
  /**
   * The CloudEvent types (`ce_type`) it applies. Every other message is passed over before
   * any transaction (its position still moves). Omitted: every message.
   */
  readonly accepts?: (ceType: string) => boolean;
  /** The service database that holds the handler's writes, its inbox and its positions. */
  readonly pool: Pool;
  readonly schema: string;
  /** Runs after a batch committed, e.g. to wake the relay that publishes what it appended. */
  readonly afterCommit?: () => void;
  /** Most messages applied in one transaction (default 500). */
  readonly maxBatchSize?: number;
  /**
   * Records the producers' watermarks that pass by (contracts' watermark.ts) in the batch's
   * transaction, in the handler schema's `watermarks`: what the deadline scheduler waits for.
   */
  readonly recordsWatermarks?: boolean;
}

/** Applies events one by one, in partition order, each in its own consumer span. */
export interface EachEventHandler extends HandlerDeclaration {
  apply(tx: PoolClient, event: CloudEvent): Promise<void>;
}

/** Applies a batch at once (one statement for many events), in partition order. */
export interface BatchEventHandler extends HandlerDeclaration {
  applyBatch(tx: PoolClient, events: readonly CloudEvent[]): Promise<void>;
}

/**
 * What a consumer of the event path declares; the processor does the rest (subscribe,
 * batching, inbox, retries, the DLQ, positions, metrics, readiness, shutdown).
 *
 * Transaction boundary: `apply`/`applyBatch` run inside the processor's transaction for
 * the batch, on `tx`, and must write through it only: their effects, the batch's inbox rows
 * and the group's position commit together or not at all.
 */
export type EventHandler = (EachEventHandler | BatchEventHandler) & {
  readonly [EVENT_HANDLER]?: true;
};

/** Brands a handler for discovery (`isEventHandler`). */
export const defineEventHandler = <H extends EachEventHandler | BatchEventHandler>(
  handler: H,
): H & { readonly [EVENT_HANDLER]: true } =>
  Object.assign(handler, { [EVENT_HANDLER]: true as const });

export const isEventHandler = (value: unknown): value is EventHandler =>
  typeof value === 'object' &&
  value !== null &&
  (value as { [EVENT_HANDLER]?: unknown })[EVENT_HANDLER] === true;

/** `accepts` for the events of some services only (by the `casegrid.<service>.` prefix). */
export const fromServices =
  (...services: readonly string[]) =>
  (ceType: string): boolean =>
    services.some((service) => ceType.startsWith(`casegrid.${service}.`));

/** `accepts` for exactly these types. */
export const ofTypes = (...types: readonly string[]) => {
  const set = new Set(types);
  return (ceType: string): boolean => set.has(ceType);
};
