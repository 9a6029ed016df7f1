import type { Ack } from './load';
import { keyOfTitle } from './load';

// The invariants of a fault run, as a pure function of what the system's tables hold and of
// the commands it acknowledged; `checks.ts` reads the rows.

/** An event of a store, as the checks read it. */
export interface StoredEvent {
  stream_id: string;
  id: string;
  type: string;
  pos: string;
}

export interface SupervisionEvent extends StoredEvent {
  obligation: string | null;
  department: string | null;
  clock: string | null;
  late: string | null;
}

export interface AuditRow {
  case_id: string;
  position: number;
  id: string;
  source: string;
  sv: number;
}

export const group = <T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> => {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const list = out.get(key(row)) ?? [];
    list.push(row);
    out.set(key(row), list);
  }
  return out;
};

const contiguous = (positions: readonly number[]): boolean =>
  positions.every((p, i) => p === i + 1);

/** Ids seen more than once. */
const repeated = (ids: readonly string[]): string[] => {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const id of ids) (seen.has(id) ? twice : seen).add(id);
  return [...twice];
};

/** One read of every table the checks look at. */
export interface Snapshot {
  /** Intake's events of case streams, with the registration's title. */
  readonly intake: readonly (StoredEvent & { title: string | null })[];
  readonly mediation: readonly StoredEvent[];
  readonly supervision: readonly SupervisionEvent[];
  readonly ledger: readonly { case_id: string; status: string; version: number }[];
  readonly mediationCases: readonly { case_id: string; track: string | null }[];
  readonly petitionCases: readonly { case_id: string }[];
  /** Audit's rows in chain order (by case, then position). */
  readonly audit: readonly AuditRow[];
}

export interface Problems {
  readonly cases: number;
  readonly missing: string[];
  readonly duplicated: string[];
  readonly orderViolations: string[];
  readonly falseBreaches: string[];
}

/** Everything wrong in `snapshot` given `acks`, each problem a line an operator can follow. */
export const findProblems = (snapshot: Snapshot, acks: readonly Ack[]): Problems => {
  const { intake, mediation, supervision, ledger, mediationCases, petitionCases, audit } = snapshot;
  const missing: string[] = [];
  const duplicated: string[] = [];
  const orderViolations: string[] = [];
  const falseBreaches: string[] = [];

  const intakeByCase = group(intake, (e) => e.stream_id);
  const cases = new Set(intakeByCase.keys());
  const caseEvents = <T extends StoredEvent>(rows: readonly T[]) =>
    group(
      rows.filter((e) => cases.has(e.stream_id)),
      (e) => e.stream_id,
    );
  const mediationByCase = caseEvents(mediation);
  const supervisionByCase = caseEvents(supervision);
  const stores = {
    intake: intakeByCase,
    mediation: mediationByCase,
    supervision: supervisionByCase,
  };
  const ledgerOf = new Map(ledger.map((r) => [r.case_id, r]));
  const mediationKnown = new Map(mediationCases.map((r) => [r.case_id, r]));
  const petitionKnown = new Set(petitionCases.map((r) => r.case_id));
  const auditByCase = group(audit, (r) => r.case_id);
  const audited = new Set(audit.map((r) => r.id));
  const count = (caseId: string, type: string): number =>
    [...(intakeByCase.get(caseId) ?? []), ...(mediationByCase.get(caseId) ?? [])].filter(
      (e) => e.type === type,
    ).length;
  const eventOf = (caseId: string, type: string): StoredEvent | undefined =>
    [...(intakeByCase.get(caseId) ?? []), ...(mediationByCase.get(caseId) ?? [])].find(
      (e) => e.type === type,
    );

  // Registrations: one case per key, the one its answer named.
  const casesOfKey = group(
    intake.filter((e) => e.type === 'CaseRegistered'),
    (e) => keyOfTitle(e.title ?? '') ?? `(no key: ${e.title})`,
  );
  for (const [key, registered] of casesOfKey) {
    if (registered.length > 1) duplicated.push(`registration ${key}: ${registered.length} cases`);
  }
  const STATUS_AFTER = { register: 'dispatched', accept: 'accepted', mediation: 'in_progress' };
  const RANK = ['dispatched', 'accepted', 'in_progress'];
  const EVENT_OF = {
    register: 'CaseRegistered',
    accept: 'CaseAccepted',
    mediation: 'MediationOpened',
  };
  for (const ack of acks) {
    const what = `${ack.kind} ${ack.key} (case ${ack.caseId})`;
    if (ack.kind === 'register') {
      const registered = casesOfKey.get(ack.key) ?? [];
      if (!registered.some((e) => e.stream_id === ack.caseId)) {
        missing.push(`${what}: no such case registered under its key`);
        continue;
      }
    }
    const event = eventOf(ack.caseId, EVENT_OF[ack.kind]);
    if (!event) {
      missing.push(`${what}: no ${EVENT_OF[ack.kind]} in the store`);
      continue;
    }
    const row = ledgerOf.get(ack.caseId);
    if (!row || RANK.indexOf(row.status) < RANK.indexOf(STATUS_AFTER[ack.kind]))
      missing.push(`${what}: the ledger says ${row?.status ?? 'nothing'}`);
    if (!audited.has(event.id)) missing.push(`${what}: audit lacks ${event.type} ${event.id}`);
    const known = mediationKnown.get(ack.caseId);
    if (!known) missing.push(`${what}: mediation's directory does not know the case`);
    else if (ack.kind !== 'register' && known.track !== 'mediation')
      missing.push(`${what}: mediation's directory has track ${known.track}`);
    if (ack.kind === 'register' && !petitionKnown.has(ack.caseId))
      missing.push(`${what}: petition's directory does not know the case`);
  }

  for (const caseId of cases) {
    for (const type of ['CaseRegistered', 'CaseAccepted', 'MediationOpened']) {
      const n = count(caseId, type);
      if (n > 1) duplicated.push(`case ${caseId}: ${n} × ${type}`);
    }
    const own = supervisionByCase.get(caseId) ?? [];
    const clocks = own.filter((e) => e.type === 'DeadlineStarted');
    for (const [clock, started] of group(clocks, (e) => `${e.obligation}/${e.department}`)) {
      if (started.length > 1)
        duplicated.push(`case ${caseId}: clock ${clock} started ${started.length} ×`);
    }
    for (const [clock, met] of group(
      own.filter((e) => e.type === 'DeadlineMet'),
      (e) => e.clock ?? '',
    )) {
      if (met.length > 1) duplicated.push(`case ${caseId}: clock ${clock} met ${met.length} ×`);
    }
    for (const e of own) {
      if (e.type === 'DeadlineBreached')
        falseBreaches.push(`case ${caseId}: DeadlineBreached ${e.id}`);
      if (e.type === 'DeadlineMet' && e.late === 'true')
        falseBreaches.push(`case ${caseId}: clock ${e.clock} met late`);
    }
    // Every stored event of the case in audit, once, each producer's in its order.
    for (const [store, byCase] of Object.entries(stores)) {
      const events = byCase.get(caseId) ?? [];
      const positions = events.map((e) => Number(e.pos)).sort((a, b) => a - b);
      if (!contiguous(positions))
        orderViolations.push(`${store} stream ${caseId}: positions ${positions.join(',')}`);
      for (const e of events) {
        if (!audited.has(e.id))
          missing.push(`case ${caseId}: audit lacks ${store}'s ${e.type} ${e.id}`);
      }
    }
    const chain = auditByCase.get(caseId) ?? [];
    if (!contiguous(chain.map((r) => r.position)))
      orderViolations.push(
        `audit chain ${caseId}: positions ${chain.map((r) => r.position).join(',')}`,
      );
    for (const [source, entries] of group(chain, (r) => r.source)) {
      if (!contiguous(entries.map((r) => r.sv)))
        orderViolations.push(
          `audit ${caseId}: ${source} in the order ${entries.map((r) => r.sv).join(',')}`,
        );
    }
    const row = ledgerOf.get(caseId);
    const version = own.length;
    if (row && row.version !== version)
      orderViolations.push(
        `ledger ${caseId}: version ${row.version}, supervision's stream ${version}`,
      );
  }

  for (const [name, rows] of [
    ['intake', intake],
    ['mediation', mediation],
    ['supervision', supervision],
    ['audit', audit],
  ] as const) {
    for (const id of repeated(rows.map((r) => r.id)))
      duplicated.push(`${name}: event ${id} stored twice`);
  }
  for (const id of repeated(ledger.map((r) => r.case_id)))
    duplicated.push(`ledger: case ${id} twice`);

  return { cases: cases.size, missing, duplicated, orderViolations, falseBreaches };
};
