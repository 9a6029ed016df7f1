import type { Pool } from 'pg';
import { appendBatch, type AppendOutcome } from './append-batch';
import type { AppendRequest, AppendResult } from './event-store.types';

interface Pending {
  readonly request: AppendRequest;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
  attempts: number;
}

export interface GroupCommitOptions {
  /** Appends sent together in one statement at most. */
  readonly maxBatchSize: number;
  /** Batches in flight at once (each holds one pooled connection). */
  readonly maxInFlight: number;
}

const OUT_OF_ORDER_RETRIES = 5;

/**
 * Group commit: appends that arrive while a batch is in flight wait and go together in the
 * next one — one round trip and one commit (one WAL flush) for many appends. A request is
 * acknowledged only after the batch's transaction committed. If a batch fails as a whole
 * (e.g. a race on an event id's unique index), each request is tried alone so that one
 * bad request never fails its neighbours.
 */
export class GroupCommitter {
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private pumpScheduled = false;

  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    private readonly options: GroupCommitOptions,
  ) {}

  append(request: AppendRequest): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject, attempts: 0 });
      this.schedulePump();
    });
  }

  /**
   * Cuts the next batch one macrotask later, not at once. The callers a commit releases
   * send their next appends a few microtasks after the batch's slot frees; cutting at once
   * sent the first of them alone and left the rest for the following batch (batches of 1
   * and 15 in turn under 16 writers), paying a round trip and a commit for one append.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      // Spread the queue over the free slots: two half batches run on two backends at once,
      // where one full batch would leave a core of the database idle.
      const free = this.options.maxInFlight - this.inFlight;
      const batch = this.takeBatch(Math.ceil(this.queue.length / free));
      this.inFlight += 1;
      void this.run(batch).finally(() => {
        this.inFlight -= 1;
        this.schedulePump();
      });
    }
  }

  /**
   * The oldest queued requests, at most one per stream (append_batch is set-based and
   * sees each stream once); later appends to a stream keep their order in the queue.
   */
  private takeBatch(size: number): Pending[] {
    const batch: Pending[] = [];
    const streams = new Set<string>();
    const rest: Pending[] = [];
    for (const pending of this.queue) {
      const id = pending.request.streamId;
      if (batch.length < Math.min(size, this.options.maxBatchSize) && !streams.has(id)) {
        batch.push(pending);
        streams.add(id);
      } else {
        rest.push(pending);
      }
    }
    this.queue.splice(0, this.queue.length, ...rest);
    return batch;
  }

  private async run(batch: Pending[]): Promise<void> {
    let outcomes: AppendOutcome[];
    try {
      outcomes = await appendBatch(
        this.pool,
        this.schema,
        batch.map((p) => p.request),
      );
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      await Promise.all(batch.map((pending) => this.run([pending])));
      return;
    }
    outcomes.forEach((outcome, i) => this.settle(batch[i]!, outcome));
  }

  private settle(pending: Pending, outcome: AppendOutcome): void {
    switch (outcome.kind) {
      case 'done':
        return pending.resolve(outcome.result);
      case 'conflict':
        return pending.reject(outcome.error);
      case 'out_of_order':
        // A newer transaction wrote the stream after ours took its id: a fresh transaction
        // (the next batch) gets a newer id. Only "any"-version appends can get here.
        pending.attempts += 1;
        if (pending.attempts > OUT_OF_ORDER_RETRIES) {
          return pending.reject(
            new Error(`append to ${pending.request.streamId} kept losing order`),
          );
        }
        this.queue.push(pending);
    }
  }
}
