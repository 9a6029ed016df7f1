import { DEFAULT_CALENDAR_YEARS, WorkingCalendar } from '@casegrid/calendar';
import type { CommandMetadata, EventMetadata } from '@casegrid/kernel';
import type { PetitionCommand } from '../petition.commands';
import type { PetitionEvent } from '../petition.events';
import { periodEnd, type StatutoryCalendar } from '../petition.periods';

/**
 * Fixtures of the petition specs. The calendar is the real one (reference/
 * cn-holidays-2024-2026.json); in 2025: National Day 10-01..08 with the make-up Saturday
 * 10-11, Dragon Boat 05-31..06-02, the make-up Sunday 04-27.
 */
export const CALENDAR_2025: StatutoryCalendar = WorkingCalendar.fromYears(DEFAULT_CALENDAR_YEARS);
const DAY_MS = 86_400_000;

export const CASE_ID = '0193b000-0000-7000-8000-0000000000c1';
export const OFFICE = '0193a000-0000-7000-8000-000000000011';
export const NOW = new Date('2025-12-31T04:00:00Z');

export const at = (day: string, time = '10:00:00'): string =>
  new Date(`${day}T${time}+08:00`).toISOString();

const context = { actor: 'u-officer', department: OFFICE, correlationId: 'c-1' };
export const meta = (now: Date = NOW): CommandMetadata => ({ ...context, now });
export const eventMeta = (now: Date = NOW): EventMetadata => ({
  ...context,
  occurredAt: now.toISOString(),
});

type DataOf<T extends PetitionCommand['type']> = Omit<
  Extract<PetitionCommand, { type: T }>['data'],
  'caseId' | 'departmentId'
>;
export const command = <T extends PetitionCommand['type']>(
  type: T,
  data: DataOf<T>,
  now: Date = NOW,
): Extract<PetitionCommand, { type: T }> =>
  ({
    type,
    data: { caseId: CASE_ID, departmentId: OFFICE, ...data },
    metadata: meta(now),
  }) as unknown as Extract<PetitionCommand, { type: T }>;

type EventDataOf<T extends PetitionEvent['type']> = Omit<
  Extract<PetitionEvent, { type: T }>['data'],
  'caseId' | 'departmentId'
>;
const ACT_TIMES = [
  'decidedAt',
  'approvedAt',
  'issuedAt',
  'requestedAt',
  'startedAt',
  'endedAt',
  'terminatedAt',
];
/** An event as the decider makes it: its time is when the act took effect. */
export const event = <T extends PetitionEvent['type']>(
  type: T,
  data: EventDataOf<T>,
): Extract<PetitionEvent, { type: T }> => {
  const fields = data as Record<string, unknown>;
  const at = [...ACT_TIMES, 'terminatedAt']
    .map((k) => fields[k])
    .find((v) => typeof v === 'string');
  return {
    type,
    data: { caseId: CASE_ID, departmentId: OFFICE, ...data },
    metadata: eventMeta(typeof at === 'string' ? new Date(at) : NOW),
  } as unknown as Extract<PetitionEvent, { type: T }>;
};

/** 24:00 (+08:00) of a day, as events carry it. */
export const endOf = (day: string): string =>
  new Date(Date.parse(`${day}T00:00:00+08:00`) + DAY_MS).toISOString();

/** An accepted petition: by default received 2025-09-26, accepted 2025-09-30 (4 days later). */
export const accepted = (decidedAt = at('2025-09-30')): PetitionEvent =>
  event('PetitionAcceptanceDecided', {
    decision: 'accepted',
    reason: '属本机关职责，依法受理',
    channel: null,
    decidedAt,
    receivedAt: new Date(Date.parse(decidedAt) - 4 * DAY_MS).toISOString(),
    opinionDueAt: periodEnd(CALENDAR_2025, decidedAt, 60).dueAt.toISOString(),
  });
export const answered = (issuedAt: string): PetitionEvent =>
  event('PetitionOpinionIssued', { result: 'explained', text: '解释说明', issuedAt });
export const reviewRequested = (requestedAt: string, decisionDueAt: string): PetitionEvent =>
  event('PetitionReviewRequested', { requestedAt, grounds: '不服处理意见', decisionDueAt });
export const reviewDecided = (decidedAt: string): PetitionEvent =>
  event('PetitionReviewDecided', { result: 'not_supported', text: '维持原意见', decidedAt });
export const reReviewRequested = (requestedAt: string, decisionDueAt: string): PetitionEvent =>
  event('PetitionReReviewRequested', { requestedAt, grounds: '不服复查意见', decisionDueAt });
export const reReviewDecided = (decidedAt: string): PetitionEvent =>
  event('PetitionReReviewDecided', { result: 'not_supported', text: '维持复查意见', decidedAt });
