import { DEFAULT_CALENDAR_YEARS } from '@casegrid/calendar';
import { DEFAULT_DEADLINE_POLICIES } from '@casegrid/deadlines';
import { UnavailableError } from '@casegrid/kernel';
import type { ReferenceReader } from '@casegrid/runtime';
import { ClockContextSource } from './clock-context';

/** Supervision's copy of reference data as it stands part-way through replication. */
const replicaHolding = (years: readonly number[], policyCodes: readonly string[]) => {
  const records: Record<string, unknown[]> = {
    calendar: DEFAULT_CALENDAR_YEARS.filter((y) => years.includes(y.year)).map((y) => ({
      ...y,
      source: null,
      version: 1,
    })),
    deadline_policy: DEFAULT_DEADLINE_POLICIES.filter((p) => policyCodes.includes(p.code)).map(
      (p) => ({ ...p, version: 1, effectiveFrom: '2024-01-01T00:00:00Z' }),
    ),
    department: [],
  };
  const reader = {
    get: () => Promise.resolve(undefined),
    list: (kind: string) => Promise.resolve(records[kind] ?? []),
  } as unknown as ReferenceReader;
  return new ClockContextSource(reader, { unit: 'working_days', length: 1 } as never);
};

const ALL_CODES = DEFAULT_DEADLINE_POLICIES.map((p) => p.code);

describe('the clock context while reference data replicates', () => {
  it('counts on the official calendar once every seeded year and policy is here', async () => {
    const context = await replicaHolding([2024, 2025, 2026], ALL_CODES).get();
    // 2025-09-28 is a Sunday worked in lieu (调休) of the National Day holiday.
    expect(context.calendar.isWorkingDay('2025-09-28')).toBe(true);
    expect(context.policies).toHaveLength(ALL_CODES.length);
  });

  it('holds the event while a seeded year is missing, rather than count weekends only', async () => {
    const pending = replicaHolding([2024, 2026], ALL_CODES).get();
    await expect(pending).rejects.toBeInstanceOf(UnavailableError);
    await expect(pending).rejects.toThrow(/calendar 2025/);
  });

  it('holds the event while a seeded policy is missing, rather than start no clock', async () => {
    const pending = replicaHolding(
      [2024, 2025, 2026],
      ALL_CODES.filter((c) => c !== 'accept.urgent'),
    ).get();
    await expect(pending).rejects.toBeInstanceOf(UnavailableError);
    await expect(pending).rejects.toThrow(/policy accept\.urgent/);
  });
});
