import {
  evolveLedger,
  text,
  type CaseEvent,
  type Clock,
  type Holding,
  type LedgerCase,
} from '@casegrid/supervision';

/** 责任倒查 for one breach: whose obligation it was and who held the case. */
export interface BreachResponsibility {
  readonly clockId: string;
  readonly obligation: Clock['obligation'];
  readonly startedAt: string;
  readonly dueAt: string;
  readonly breachedAt: string;
  /** The department whose obligation the clock measured (the lead, a co-handler, an order's). */
  readonly departmentId: string | null;
  readonly holderRole: Clock['holderRole'];
  readonly policy: string;
  readonly policyVersion: number;
  readonly article: string | null;
  /** Who held the case at the breach, and since when. */
  readonly holder: Holding | null;
  /** Every holder while the clock ran, earliest first (a transfer passes the clock on). */
  readonly holdersWhileRunning: readonly Holding[];
  /** The breach event's position in the case's stream. */
  readonly position: number;
}

/** A spell that ended as the clock started (the hand-over that started it) is not one. */
const overlaps = (h: Holding, from: string, to: string): boolean =>
  Date.parse(h.since) <= Date.parse(to) &&
  (h.until === null || Date.parse(h.until) > Date.parse(from));

/**
 * Walks the case's canonical stream with the ledger's reducer and, at each
 * `DeadlineBreached`, reads the clock and the holders as they stood right then.
 */
export function responsibilityOf(
  events: readonly { readonly position: number; readonly event: CaseEvent }[],
): BreachResponsibility[] {
  const breaches: BreachResponsibility[] = [];
  let state: LedgerCase | null = null;
  for (const { position, event } of events) {
    state = evolveLedger(state, event);
    if (state === null || event.service !== 'supervision' || event.type !== 'DeadlineBreached') {
      continue;
    }
    const clockId = text(event.data, 'clockId');
    const clock = state.deadlines.find((c) => c.clockId === clockId);
    if (clock === undefined) continue;
    const breachedAt = clock.breachedAt ?? event.time;
    breaches.push({
      clockId: clock.clockId,
      obligation: clock.obligation,
      startedAt: clock.startedAt,
      dueAt: clock.dueAt,
      breachedAt,
      departmentId: clock.departmentId,
      holderRole: clock.holderRole,
      policy: clock.basis.policy,
      policyVersion: clock.basis.policyVersion,
      article: clock.basis.article,
      holder: state.holders.find((h) => h.until === null) ?? null,
      holdersWhileRunning: state.holders.filter((h) => overlaps(h, clock.startedAt, breachedAt)),
      position,
    });
  }
  return breaches;
}
