import { caseFilterSql } from '@casegrid/auth';
import { caseVisibility, regionPrefix, type Principal } from '@casegrid/identity';
import { ValidationError } from '@casegrid/kernel';

const LEDGER_COLUMNS = {
  region: 'region_code',
  lead: 'lead_department_id',
  co: 'co_department_ids',
} as const;

/**
 * The WHERE clause of a read over the ledger's cases and its parameters, starting from the
 * caller's jurisdiction (the one access policy's `caseFilterSql`: lists are filtered in
 * the query, never after it), to which each filter adds a clause.
 */
export class ScopedQuery {
  readonly params: unknown[];
  private readonly clauses: string[];

  constructor(
    caller: Principal,
    columns: {
      readonly region: string;
      readonly lead: string;
      readonly co: string;
    } = LEDGER_COLUMNS,
  ) {
    const visibility = caseFilterSql(caseVisibility(caller), columns, 1);
    this.params = [...visibility.params];
    this.clauses = [visibility.sql];
  }

  /** A parameter's placeholder (`$n`). */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  and(clause: string): this {
    this.clauses.push(clause);
    return this;
  }

  get where(): string {
    return this.clauses.join(' and ');
  }
}

/** The subtree prefix of a `regionCode` query parameter; a malformed code is a 400 on it. */
export function regionPrefixParam(regionCode: string): string {
  try {
    return regionPrefix(regionCode);
  } catch {
    throw new ValidationError([{ field: 'regionCode', message: 'is not a region code' }]);
  }
}
