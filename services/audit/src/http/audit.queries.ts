import { Inject, Injectable } from '@nestjs/common';
import { responsibilityOf, stateAt, verifyChain } from '@casegrid/audit';
import { assertCaseAccess } from '@casegrid/auth';
import { toCaseEvent } from '@casegrid/contracts';
import { START } from '@casegrid/event-store';
import { caseActionFilter, type Principal } from '@casegrid/identity';
import { ForbiddenError, NotFoundError, ValidationError } from '@casegrid/kernel';
import { caseView, type CaseEvent } from '@casegrid/supervision';
import { AuditLogStore, type StoredEvent } from '../log/audit-log.store';

const EXPORT_PAGE = 1_000;

const caseEvents = (stream: readonly StoredEvent[]) =>
  stream.flatMap((s) => {
    const event = toCaseEvent(s.event);
    return event ? [{ position: s.position, event }] : [];
  });

const instant = (field: string, raw: string | undefined): string | undefined => {
  if (raw === undefined) return undefined;
  if (Number.isNaN(Date.parse(raw)) || !/[zZ]|[+-]\d\d:\d\d$/.test(raw)) {
    throw new ValidationError([{ field, message: 'must be an RFC 3339 date-time with offset' }]);
  }
  return raw;
};

/**
 * What inspectors read (API.md, Audit). Every answer is computed from audit's own copy of
 * the stream: the chain is recomputed on each `/verify`, the state at a time is the
 * ledger's reducer folded over the stored CloudEvents (`toCaseEvent` + `evolveLedger`,
 * the same two functions supervision uses), so nothing here trusts another service.
 */
@Injectable()
export class AuditQueries {
  constructor(@Inject(AuditLogStore) private readonly store: AuditLogStore) {}

  private async stream(caller: Principal, caseId: string): Promise<StoredEvent[]> {
    const regionCode = await this.store.regionOf(caseId);
    assertCaseAccess(caller, 'audit.read', caseId, regionCode ? { regionCode } : undefined);
    return this.store.events(this.store.pool, caseId);
  }

  async events(caller: Principal, caseId: string) {
    const stream = await this.stream(caller, caseId);
    return {
      items: stream.map((s) => ({
        position: s.position,
        globalSeq: s.globalSeq,
        recordedAt: s.recordedAt,
        event: s.event,
        prevHash: s.prevHash,
        hash: s.hash,
      })),
    };
  }

  async verify(caller: Principal, caseId: string) {
    return verifyChain(await this.stream(caller, caseId));
  }

  async stateAt(caller: Principal, caseId: string, at: string | undefined) {
    const when = instant('at', at);
    const stream = await this.stream(caller, caseId);
    const events: CaseEvent[] = caseEvents(stream).map((e) => e.event);
    const state = stateAt(events, when ? new Date(when) : new Date(8.64e15));
    if (state === null) throw new NotFoundError(`case ${caseId} was not registered yet at ${at}`);
    return caseView(state);
  }

  async responsibility(caller: Principal, caseId: string) {
    return { items: responsibilityOf(caseEvents(await this.stream(caller, caseId))) };
  }

  /**
   * The log of a period of recording, in recording order, restricted to the caller's
   * territory, as NDJSON lines written page by page (keyset on the log's read order,
   * `(transaction_id, global_seq)` below the snapshot horizon: `AuditLogStore.page`), so
   * memory stays flat for any period and an event that committed after a later-numbered
   * one is still exported, each case's lines in position order. Each line carries the
   * case, position, hashes and the CloudEvent: tools/audit/verify-export.mjs checks every
   * case's chain offline.
   */
  export(caller: Principal, from?: string, to?: string): AsyncGenerator<string> {
    // Refused before the first byte: an error after the headers could not be a 4xx.
    const filter = caseActionFilter(caller, 'audit.read');
    if (filter.regionPrefixes.length === 0) {
      throw new ForbiddenError('audit.read is not allowed to you: inspectors export the audit log');
    }
    return this.lines(filter.regionPrefixes, instant('from', from), instant('to', to));
  }

  private async *lines(
    regionPrefixes: readonly string[],
    from: string | undefined,
    to: string | undefined,
  ): AsyncGenerator<string> {
    const period = { from, to };
    let after = START;
    for (;;) {
      const page = await this.store.page(this.store.pool, after, EXPORT_PAGE, {
        ...period,
        regionPrefixes,
      });
      for (const s of page.events) {
        yield `${JSON.stringify({
          caseId: s.caseId,
          position: s.position,
          globalSeq: s.globalSeq,
          recordedAt: s.recordedAt,
          prevHash: s.prevHash,
          hash: s.hash,
          event: s.event,
        })}\n`;
      }
      if (page.events.length < EXPORT_PAGE) return;
      after = page.next;
    }
  }
}
