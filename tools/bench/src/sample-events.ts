import { uuidv7, type EventMetadata } from '@casegrid/kernel';

/** A case event's payload (about 200 bytes of JSON), the same for every workload. */
export type CaseEventData = {
  readonly caseId: string;
  readonly category: string;
  readonly channel: string;
  readonly reporter: { readonly name: string; readonly phone: string };
  readonly address: string;
};

export type CaseEventMetadata = EventMetadata & Record<string, unknown>;

const TYPES = ['CaseRegistered', 'CaseRouted', 'MediationScheduled', 'CaseFollowedUp'] as const;

/** Event type of the n-th event of a stream (1-based), so streams read like case histories. */
export const eventTypeAt = (position: number): string => TYPES[(position - 1) % TYPES.length]!;

export const sampleData = (caseId: string, serial: number): CaseEventData => {
  const n = String(serial % 100000).padStart(5, '0');
  return {
    caseId,
    category: 'neighbourhood-dispute',
    channel: 'walk-in',
    reporter: { name: `Resident ${n}`, phone: `+86 138 0000 ${n.slice(1)}` },
    address: `Block ${serial % 40}, Unit ${serial % 6}, Riverside`,
  };
};

export const sampleMetadata = (): CaseEventMetadata => ({
  actor: 'user:bench',
  correlationId: uuidv7(),
  occurredAt: new Date().toISOString(),
});
