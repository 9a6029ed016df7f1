import { PERIOD_UNITS, type Period, type PeriodUnit } from '@casegrid/calendar';
import type { FieldError } from '@casegrid/kernel';

/** API.md, Supervision: `deadlines[].obligation`. More may be added, none renamed. */
export const OBLIGATIONS = [
  'dispatch',
  'accept',
  'return_objection',
  'resolve',
  'petition_acceptance',
  'petition_opinion',
  'review_decision',
  're_review_decision',
  'judicial_confirmation',
  'agreement_performance',
  'follow_up',
  'supervision_order',
] as const;
export type Obligation = (typeof OBLIGATIONS)[number];

export { PERIOD_UNITS, type Period, type PeriodUnit };

/**
 * One obligation's clock, as data (issue 5 runs it): which events start, meet, pause and
 * resume it, how long it runs, when it warns, how it may be extended, and the statute that
 * sets it. A change is a new version; a clock keeps the version it started under.
 */
export interface DeadlinePolicy {
  /** Stable key, e.g. `resolve.minor`. */
  readonly code: string;
  readonly obligation: Obligation;
  readonly name: string;
  /** Which cases it governs; an absent criterion matches any. The most specific policy wins. */
  readonly appliesTo: {
    readonly kind?: 'dispute' | 'petition';
    readonly severity?: 'minor' | 'major' | 'complex';
    readonly urgency?: 'normal' | 'urgent';
    readonly track?: 'mediation' | 'petition' | 'direct';
  };
  /** Event types (`CaseDispatched`, `PetitionAcceptanceDecided`…) that start the clock. */
  readonly startOn: readonly string[];
  /** `event`: the starting event's time; `received_at`: when the matter reached the centre. */
  readonly startFrom: 'event' | 'received_at';
  readonly stopOn: readonly string[];
  readonly pauseOn: readonly string[];
  readonly resumeOn: readonly string[];
  /**
   * Events that extend the clock (延期), carrying `days` (calendar days) or `length` and
   * `unit`, a `reason` and who `approvedBy`; held to `extension`. Absent in policies
   * saved before it existed: none.
   */
  readonly extendOn?: readonly string[];
  /** The period; or, with `dueAtField`, the starting event's own due time (a supervision order's). */
  readonly period: Period;
  readonly dueAtField: string | null;
  readonly warnBefore: Period;
  readonly extension: {
    readonly maxTimes: number;
    readonly maxTotal: Period | null;
    /** Who must approve, in the statute's words (本机关负责人). */
    readonly approvedBy: string | null;
  };
  /** One clock for the lead and one for each co-handling department. */
  readonly perCoHandler: boolean;
  /** The statute and article that set the limit; null where it is local practice. */
  readonly article: string | null;
  readonly basis: string;
}

const CODE = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;
const EVENT = /^[A-Z][A-Za-z]+$/;
const MAX_LENGTH: Readonly<Record<PeriodUnit, number>> = {
  working_days: 365,
  calendar_days: 730,
  hours: 24 * 60,
};

const periodProblems = (field: string, period: unknown): FieldError[] => {
  const p = period as Partial<Period> | null;
  if (typeof p !== 'object' || p === null) return [{ field, message: 'must be {length, unit}' }];
  const errors: FieldError[] = [];
  if (!(PERIOD_UNITS as readonly unknown[]).includes(p.unit)) {
    errors.push({ field: `${field}.unit`, message: `must be one of ${PERIOD_UNITS.join(', ')}` });
  } else if (
    !Number.isInteger(p.length) ||
    (p.length ?? 0) < 0 ||
    (p.length ?? 0) > MAX_LENGTH[p.unit as PeriodUnit]
  ) {
    errors.push({
      field: `${field}.length`,
      message: `must be an integer from 0 to ${MAX_LENGTH[p.unit as PeriodUnit]}`,
    });
  }
  return errors;
};

const eventsProblems = (field: string, value: unknown, required: boolean): FieldError[] => {
  if (!Array.isArray(value) || value.length > 20)
    return [{ field, message: 'must be a list of at most 20 event types' }];
  if (required && value.length === 0)
    return [{ field, message: 'must name at least one event type' }];
  const bad = value.findIndex((v) => typeof v !== 'string' || !EVENT.test(v));
  return bad >= 0
    ? [{ field: `${field}[${bad}]`, message: 'must be an event type such as CaseDispatched' }]
    : [];
};

const CRITERIA: Readonly<Record<string, readonly string[]>> = {
  kind: ['dispute', 'petition'],
  severity: ['minor', 'major', 'complex'],
  urgency: ['normal', 'urgent'],
  track: ['mediation', 'petition', 'direct'],
};

const appliesToProblems = (field: string, value: unknown): FieldError[] => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ field, message: 'must be an object of criteria (kind, severity, urgency, track)' }];
  }
  return Object.entries(value).flatMap(([key, v]) => {
    const allowed = CRITERIA[key];
    if (!allowed) return [{ field: `${field}.${key}`, message: 'is not a criterion' }];
    return allowed.includes(v as string)
      ? []
      : [{ field: `${field}.${key}`, message: `must be one of ${allowed.join(', ')}` }];
  });
};

const POLICY_KEYS: ReadonlySet<string> = new Set([
  'code',
  'obligation',
  'name',
  'appliesTo',
  'startOn',
  'startFrom',
  'stopOn',
  'pauseOn',
  'resumeOn',
  'extendOn',
  'period',
  'dueAtField',
  'warnBefore',
  'extension',
  'perCoHandler',
  'article',
  'basis',
]);

/** Every problem of a policy, with field paths under `prefix` (empty when valid). */
export function deadlinePolicyProblems(policy: DeadlinePolicy, prefix = ''): FieldError[] {
  const at = (field: string) => (prefix ? `${prefix}.${field}` : field);
  const errors: FieldError[] = Object.keys(policy)
    .filter((key) => !POLICY_KEYS.has(key))
    .map((key) => ({ field: at(key), message: 'is not a field of a deadline policy' }));
  if (typeof policy.code !== 'string' || !CODE.test(policy.code) || policy.code.length > 64) {
    errors.push({
      field: at('code'),
      message: 'must be a dotted lower-case key such as resolve.minor',
    });
  }
  if (!(OBLIGATIONS as readonly unknown[]).includes(policy.obligation)) {
    errors.push({ field: at('obligation'), message: `must be one of ${OBLIGATIONS.join(', ')}` });
  }
  if (typeof policy.name !== 'string' || policy.name.length === 0 || policy.name.length > 100) {
    errors.push({ field: at('name'), message: 'must be 1–100 characters' });
  }
  errors.push(...appliesToProblems(at('appliesTo'), policy.appliesTo));
  errors.push(...eventsProblems(at('startOn'), policy.startOn, true));
  errors.push(...eventsProblems(at('stopOn'), policy.stopOn, true));
  errors.push(...eventsProblems(at('pauseOn'), policy.pauseOn, false));
  errors.push(...eventsProblems(at('resumeOn'), policy.resumeOn, false));
  if (policy.extendOn !== undefined) {
    errors.push(...eventsProblems(at('extendOn'), policy.extendOn, false));
  }
  if (
    Array.isArray(policy.pauseOn) &&
    Array.isArray(policy.resumeOn) &&
    policy.pauseOn.length > 0 !== policy.resumeOn.length > 0
  ) {
    errors.push({
      field: at('resumeOn'),
      message: 'a clock that can pause must be able to resume, and only such a clock',
    });
  }
  if (!['event', 'received_at'].includes(policy.startFrom)) {
    errors.push({ field: at('startFrom'), message: 'must be event or received_at' });
  }
  errors.push(...periodProblems(at('period'), policy.period));
  errors.push(...periodProblems(at('warnBefore'), policy.warnBefore));
  const ext = policy.extension as Partial<DeadlinePolicy['extension']> | undefined;
  if (
    typeof ext !== 'object' ||
    ext === null ||
    !Number.isInteger(ext.maxTimes) ||
    (ext.maxTimes ?? -1) < 0 ||
    (ext.maxTimes ?? 0) > 5
  ) {
    errors.push({ field: at('extension.maxTimes'), message: 'must be an integer from 0 to 5' });
  } else if (ext.maxTimes && ext.maxTimes > 0 && ext.maxTotal) {
    errors.push(...periodProblems(at('extension.maxTotal'), ext.maxTotal));
  }
  if (
    policy.dueAtField !== null &&
    (typeof policy.dueAtField !== 'string' || !/^[a-z][A-Za-z]{1,40}$/.test(policy.dueAtField))
  ) {
    errors.push({
      field: at('dueAtField'),
      message: 'must be null or a field of the starting event such as dueAt',
    });
  }
  if (typeof policy.perCoHandler !== 'boolean')
    errors.push({ field: at('perCoHandler'), message: 'must be true or false' });
  if (
    policy.article !== null &&
    (typeof policy.article !== 'string' || policy.article.length > 200)
  ) {
    errors.push({
      field: at('article'),
      message: 'must be null or a citation of at most 200 characters',
    });
  }
  return errors;
}
