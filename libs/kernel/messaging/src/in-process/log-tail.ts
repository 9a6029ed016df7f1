import type { Pool } from 'pg';
import type { Prepared } from '@casegrid/event-store';
import type { DeliveredMessage } from '../transport';

interface LogRow {
  position: string;
  message_key: string;
  headers: Record<string, string>;
  value: string;
}

/**
 * The recent end of one topic of the log, read once for every group of this process.
 *
 * Every consumer group reads the same messages: with a dozen groups on the case events,
 * each polling the table itself, the log was read a dozen times over. The tail reads what
 * was published after its head (one statement, woken by local publishes or a poll) and
 * keeps the last `capacity` messages in memory; a group that is within that window reads
 * from memory, one that is further behind (a first start, a long stop) from the table.
 * Positions grow in commit order (log.migrations.ts), so "after N" is all a read needs.
 */
export class LogTail {
  private entries: DeliveredMessage[] = [];
  /** Everything of the topic after `complete` up to `head` is in `entries`. */
  private complete = -1n;
  private head = -1n;
  private reading: Promise<boolean> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly sql: { readonly after: Prepared; readonly head: string },
    readonly topic: string,
    private readonly capacity = 20_000,
    private readonly pageSize = 1_000,
  ) {}

  /** Reads the head position once, so the window starts at what exists now. */
  async open(): Promise<void> {
    const { rows } = await this.pool.query<{ head: string | null }>(this.sql.head, [this.topic]);
    const head = rows[0]?.head == null ? 0n : BigInt(rows[0].head);
    this.complete = head;
    this.head = head;
  }

  get headPosition(): bigint {
    return this.head;
  }

  /**
   * Reads what was published since the last refresh; true when something new arrived.
   * Concurrent callers share one read.
   */
  refresh(): Promise<boolean> {
    this.reading ??= this.readNew().finally(() => (this.reading = undefined));
    return this.reading;
  }

  /** Up to `limit` messages after `after`, from memory when the window covers it. */
  async read(after: bigint, limit: number): Promise<DeliveredMessage[]> {
    if (after >= this.complete) {
      const from = this.firstAfter(after);
      return this.entries.slice(from, from + limit);
    }
    return this.query(after, limit);
  }

  private async readNew(): Promise<boolean> {
    let grew = false;
    for (;;) {
      const page = await this.query(this.head, this.pageSize);
      if (page.length === 0) return grew;
      grew = true;
      this.entries.push(...page);
      this.head = BigInt(page[page.length - 1]!.offset);
      if (this.entries.length > this.capacity) {
        const dropped = this.entries.splice(0, this.entries.length - this.capacity);
        this.complete = BigInt(dropped[dropped.length - 1]!.offset);
      }
      if (page.length < this.pageSize) return grew;
    }
  }

  private async query(after: bigint, limit: number): Promise<DeliveredMessage[]> {
    const { rows } = await this.pool.query<LogRow>(
      this.sql.after.with([this.topic, after.toString(), limit]),
    );
    return rows.map((row) => ({
      topic: this.topic,
      partition: 0,
      offset: row.position,
      key: row.message_key,
      headers: row.headers,
      value: row.value,
    }));
  }

  /** Index of the first entry after `after` (binary search; entries ascend). */
  private firstAfter(after: bigint): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (BigInt(this.entries[mid]!.offset) <= after) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
