import type { ServiceName } from '@casegrid/contracts';
import { quoteSchema, type Queryable } from '@casegrid/event-store';
import type { ReferenceKind, ReferenceRecords } from './reference.events';

/**
 * What a service reads of reference data: its own replica, never intake's tables. Read
 * only — the copy changes only through the owner's events — and eventually consistent:
 * a change shows here once the replica has applied its event.
 */
export interface ReferenceReader {
  get<K extends ReferenceKind>(kind: K, key: string): Promise<ReferenceRecords[K] | undefined>;
  /** Every record of the kind, ordered by key. */
  list<K extends ReferenceKind>(kind: K): Promise<ReferenceRecords[K][]>;
}

export class PgReferenceReader implements ReferenceReader {
  private readonly getSql: string;
  private readonly listSql: string;

  constructor(
    private readonly db: Queryable,
    schema: string,
  ) {
    const s = quoteSchema(schema);
    this.getSql = `select data from ${s}.reference_data where kind = $1 and key = $2`;
    this.listSql = `select data from ${s}.reference_data where kind = $1 order by key`;
  }

  async get<K extends ReferenceKind>(
    kind: K,
    key: string,
  ): Promise<ReferenceRecords[K] | undefined> {
    const { rows } = await this.db.query<{ data: ReferenceRecords[K] }>(this.getSql, [kind, key]);
    return rows[0]?.data;
  }

  async list<K extends ReferenceKind>(kind: K): Promise<ReferenceRecords[K][]> {
    const { rows } = await this.db.query<{ data: ReferenceRecords[K] }>(this.listSql, [kind]);
    return rows.map((row) => row.data);
  }
}

const readerTokens = new Map<ServiceName, symbol>();
/** Injection token of a service's `ReferenceReader`. */
export const referenceReader = (service: ServiceName): symbol => {
  let token = readerTokens.get(service);
  if (!token) readerTokens.set(service, (token = Symbol(`REFERENCE_READER:${service}`)));
  return token;
};
