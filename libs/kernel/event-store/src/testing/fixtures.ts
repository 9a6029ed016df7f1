import { uuidv7, type EventMetadata } from '@casegrid/kernel';
import type { NewEvent } from '../event-store.types';

export const metadata = (overrides: Partial<EventMetadata> = {}): EventMetadata => ({
  actor: 'user-1',
  department: 'dept-1',
  correlationId: 'corr-1',
  occurredAt: '2026-03-02T09:00:00.000+08:00',
  ...overrides,
});

export const newEvent = (type = 'CaseRegistered', data: unknown = { n: 1 }): NewEvent => ({
  id: uuidv7(),
  type,
  data,
  metadata: metadata(),
});
