import {
  CASE_EVENTS_TOPIC,
  EXTERNAL_PRODUCERS,
  PRODUCER_OF,
  type ServiceName,
} from '@casegrid/contracts';
import { prepared, quoteSchema, type Queryable } from '@casegrid/event-store';
import type { Clock } from '@casegrid/supervision';
import { CASE_EVENTS_GROUP } from '../ledger/case-events.consumer';

type Producer = (typeof EXTERNAL_PRODUCERS)[number];

/** Up to when each producer's events have all been applied here; absent: not known yet. */
export type Watermarks = ReadonlyMap<Producer, string>;

/**
 * The producers' watermarks as supervision's consumer recorded them (contracts'
 * watermark.ts), per producer the lowest over the topic's partitions: a producer silent on
 * a partition (or not heard from yet) has none, and nothing that depends on it fires.
 */
export class WatermarkReader {
  private readonly sql;

  constructor(
    schema: string,
    private readonly partitions: () => Promise<number>,
  ) {
    this.sql = prepared(`select producer, min(at) as at, count(*)::int as partitions
      from ${quoteSchema(schema)}.watermarks where processor = $1 and topic = $2
      group by producer`);
  }

  async read(db: Queryable): Promise<Watermarks> {
    const [{ rows }, partitions] = await Promise.all([
      db.query<{ producer: string; at: Date; partitions: number }>(
        this.sql.with([CASE_EVENTS_GROUP, CASE_EVENTS_TOPIC]),
      ),
      this.partitions(),
    ]);
    const out = new Map<Producer, string>();
    for (const row of rows) {
      if (!(EXTERNAL_PRODUCERS as readonly string[]).includes(row.producer)) continue;
      if (row.partitions < partitions) continue;
      out.set(row.producer as Producer, row.at.toISOString());
    }
    return out;
  }
}

/**
 * The producers whose events could stop, pause, resume or extend a clock: by its rules'
 * event names (API.md's catalogue); a name not in it could come from any of them.
 * supervision's own events are folded as they are recorded and wait for no one.
 */
export const producersOf = (clock: Clock): readonly Producer[] => {
  const { stopOn, pauseOn, resumeOn, extendOn } = clock.rules;
  const out = new Set<Producer>();
  for (const name of [...stopOn, ...pauseOn, ...resumeOn, ...extendOn]) {
    const producer: ServiceName | undefined = PRODUCER_OF[name];
    if (producer === undefined) EXTERNAL_PRODUCERS.forEach((p) => out.add(p));
    else if ((EXTERNAL_PRODUCERS as readonly string[]).includes(producer))
      out.add(producer as Producer);
  }
  return [...out];
};

/** `TickContext.watermark` over what was read: the lowest of the clock's producers'. */
export const watermarkOf =
  (watermarks: Watermarks) =>
  (clock: Clock): string | null => {
    let lowest: string | null = '9999-12-31T23:59:59.999Z';
    for (const producer of producersOf(clock)) {
      const at = watermarks.get(producer);
      if (at === undefined) return null;
      if (at < lowest) lowest = at;
    }
    return lowest;
  };
