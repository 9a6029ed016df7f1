import { evolveLedger, type CaseEvent, type LedgerCase } from '@casegrid/supervision';

/**
 * The ledger view of a case as it stood at `at`: its canonical stream, in order, folded
 * with the ledger's own reducer (one reducer: supervision's live row and this replay
 * agree by construction), keeping the events recorded at or before `at`.
 */
export function stateAt(events: readonly CaseEvent[], at: Date): LedgerCase | null {
  const limit = at.getTime();
  let state: LedgerCase | null = null;
  for (const event of events) {
    if (Date.parse(event.time) <= limit) state = evolveLedger(state, event);
  }
  return state;
}
