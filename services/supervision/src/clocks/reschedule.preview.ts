import type { Pool } from 'pg';
import { WorkingCalendar, type CalendarInput } from '@casegrid/calendar';
import { deadlinePoliciesProblems, samePolicy, type DeadlinePolicy } from '@casegrid/deadlines';
import { ValidationError } from '@casegrid/kernel';
import type { ReferenceReader } from '@casegrid/runtime';
import {
  clockMoves,
  reasonOf,
  type ClockMove,
  type Recount,
  type RescheduleReason,
  type VersionedDeadlinePolicy,
} from '@casegrid/supervision';
import type { CasegridClock } from '@casegrid/platform';
import type { LedgerStore } from '../ledger/ledger.store';
import type { ClockContextSource } from './clock-context';
import { candidateFilterOf, RecountCandidates } from './recount.candidates';

/** One clock a proposed change would move (`POST …/preview`). */
export type PreviewedMove = Omit<ClockMove, 'basis' | 'rules'> & {
  readonly caseId: string;
  readonly number: string;
  readonly reason: RescheduleReason;
  /** Whether it would still count on weekends alone for a year not loaded. */
  readonly calendarFallback: boolean;
};

export interface PreviewPage {
  readonly items: PreviewedMove[];
  /** The case to go on after (`?cursor=`); null when every case was looked at. */
  readonly nextCursor: string | null;
}

const SCAN = 200;

/**
 * What a change of reference data would do to the running clocks, before an administrator
 * saves it: the same recount (`clockMoves`) the reschedule worker runs on the change once
 * saved, on the clocks as they stand now, read without locks and writing nothing. The
 * change is taken as intake would store it: the year's or the policy's next version, and a
 * policy saved unchanged adds no version and moves nothing.
 */
export class ReschedulePreview {
  private readonly candidates: RecountCandidates;

  constructor(
    private readonly pool: Pool,
    private readonly ledger: LedgerStore,
    private readonly context: ClockContextSource,
    private readonly reference: ReferenceReader,
    private readonly clock: CasegridClock,
  ) {
    this.candidates = new RecountCandidates(ledger.schema);
  }

  async calendar(
    year: number,
    input: CalendarInput,
    page: { limit: number; cursor?: string },
  ): Promise<PreviewPage> {
    const years = await this.reference.list('calendar');
    const version = (years.find((y) => y.year === year)?.version ?? 0) + 1;
    const calendar = WorkingCalendar.fromYears([
      ...years.filter((y) => y.year !== year),
      { year, holidays: input.holidays, makeupWorkdays: input.makeupWorkdays, version },
    ]);
    return this.walk([{ kind: 'calendar', year, version, calendar }], page);
  }

  async policies(
    items: readonly DeadlinePolicy[],
    applyToRunning: boolean,
    page: { limit: number; cursor?: string },
  ): Promise<PreviewPage> {
    // Refused as the save refuses it, against the policies as they stand: read afresh (not
    // the writers' second-long cache), so a preview just after a save counts on that save.
    const ctx = await this.context.load();
    const errors = deadlinePoliciesProblems(items, ctx.policies);
    if (errors.length > 0) throw new ValidationError(errors);
    // A change for clocks started after it moves nothing that runs now.
    if (!applyToRunning) return { items: [], nextCursor: null };
    const current = new Map(ctx.policies.map((p) => [p.code, p]));
    const changed = items.flatMap((policy): VersionedDeadlinePolicy[] => {
      const before = current.get(policy.code);
      if (before && samePolicy(before, policy)) return [];
      return [{ ...policy, version: (before?.version ?? 0) + 1 }];
    });
    if (changed.length === 0) return { items: [], nextCursor: null };
    // Each change is counted among every policy as the save would leave them.
    for (const policy of changed) current.set(policy.code, policy);
    const policies = [...current.values()];
    const recounts = changed.map((policy): Recount => ({
      kind: 'deadline_policy',
      policy,
      policies,
      calendar: ctx.calendar,
    }));
    return this.walk(recounts, page);
  }

  private async walk(
    recounts: readonly Recount[],
    page: { limit: number; cursor?: string },
  ): Promise<PreviewPage> {
    const filter = candidateFilterOf(recounts);
    const now = this.clock.now();
    const items: PreviewedMove[] = [];
    let after = page.cursor ?? null;
    for (;;) {
      const ids = await this.candidates.page(this.pool, filter, after, SCAN);
      const rows = await this.ledger.loadMany(this.pool, ids);
      for (const id of ids) {
        after = id;
        const state = rows.get(id);
        if (state === undefined) continue;
        // A clock two of the changes would move is listed once, as the first moves it (the
        // jobs run in order, and the second finds it counted already).
        const listed = new Set<string>();
        for (const recount of recounts) {
          for (const { basis, rules: _rules, ...move } of clockMoves(state, recount, now)) {
            if (listed.has(move.clockId)) continue;
            listed.add(move.clockId);
            items.push({
              caseId: state.id,
              number: state.number,
              ...move,
              reason: reasonOf(recount),
              calendarFallback: basis.calendarFallback,
            });
          }
        }
        if (items.length >= page.limit) return { items, nextCursor: id };
      }
      if (ids.length < SCAN) return { items, nextCursor: null };
    }
  }
}
