import type { Role } from '@casegrid/identity';

export interface Me {
  user: { id: string; username: string; name: string; departmentId: string; roles: Role[] };
  roles: Role[];
  department: { id: string; name: string; type: string; regionCode: string; tier: string };
  jurisdiction: { regionCode: string; regionName: string; tier: string };
}
export interface Region {
  code: string;
  name: string;
  tier: string;
  parentCode: string | null;
}
export interface Department {
  id: string;
  name: string;
  type: string;
  regionCode: string;
  tier: string;
}
export interface Category {
  code: string;
  name: string;
}
export interface User {
  id: string;
  username: string;
  name: string;
  departmentId: string;
  roles: Role[];
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type Light = 'green' | 'yellow' | 'red';

export interface LedgerRow {
  id: string;
  number: string;
  kind: 'dispute' | 'petition';
  category: string;
  title: string;
  regionCode: string;
  status: string;
  track: string | null;
  leadDepartmentId: string | null;
  coDepartmentIds: string[];
  handlerId: string | null;
  light: Light | null;
  supervisionLevel: string;
  nextDueAt: string | null;
  submissionCount: number;
  registeredAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
  version: number;
}

export interface Deadline {
  clockId: string;
  obligation: string;
  departmentId: string | null;
  holderRole: string;
  startedAt: string;
  dueAt: string;
  state: 'running' | 'paused' | 'met' | 'breached';
  light: Light | null;
  breachedAt: string | null;
  metAt: string | null;
  late: boolean;
  basis: {
    policyName?: string;
    article: string | null;
    note?: string;
    unit: string;
    length: number;
  };
}

export interface CaseView extends LedgerRow {
  channel: string;
  urgency: string;
  severity: string;
  outcome: { status: string; at: string; by: string; referral: string | null } | null;
  deadlines: Deadline[];
  orders: {
    orderId: string;
    responsibleLeader: string;
    responsibleDepartmentId: string;
    dueAt: string;
    instructions: string;
    issuedAt?: string;
  }[];
  followUps: {
    method: string;
    satisfaction: string;
    notes: string;
    at?: string;
    recordedAt?: string;
  }[];
  holders: {
    since: string;
    until: string | null;
    handlerId: string | null;
    departmentId: string;
  }[];
  noticeIds: string[];
  reopenCount: number;
  receivedAt: string;
}

export interface MediationFile {
  status: 'open' | 'agreed' | 'failed' | 'escalated';
  type: string;
  departmentId: string;
  mediatorIds: string[];
  openedAt: string;
  sessions: {
    sessionNumber: number;
    heldAt: string;
    location: string;
    attendees: string[];
    notes: string;
  }[];
  agreement: { terms: string; signedAt: string; performanceDueAt: string | null } | null;
  judicialConfirmation: {
    dueAt: string;
    court: string | null;
    requestedAt: string | null;
    decision: unknown;
  } | null;
  failure: { reason: string; referral: string } | null;
  version: number;
}

export interface PetitionFile {
  status: string;
  outcome: string | null;
  acceptance: { decision: string; reason: string } | null;
  extension: unknown;
  opinion: { result: string; text: string; at: string } | null;
  review: unknown;
  reReview: unknown;
  statutoryDates: {
    step: string;
    article: string;
    party: string;
    lastDay: string;
    dueAt: string;
    doneAt: string | null;
    state: string;
  }[];
  version: number;
}

export interface Command {
  id: string;
  version: number;
  status: string;
}
