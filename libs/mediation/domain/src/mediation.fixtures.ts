import { DEFAULT_CALENDAR_YEARS, WorkingCalendar } from '@casegrid/calendar';
import type { CommandMetadata, EventMetadata } from '@casegrid/kernel';
import type { MediationCommand } from './mediation.commands';
import type { MediationEvent } from './mediation.events';

/** Shared by the domain specs: a village committee's file on one case, on the real calendar. */
export const CALENDAR = WorkingCalendar.fromYears(DEFAULT_CALENDAR_YEARS);
export const CASE_ID = '0193b000-0000-7000-8000-000000000001';
export const VILLAGE = '0193a000-0000-7000-8000-000000000055';
export const TOWNSHIP = '0193a000-0000-7000-8000-000000000037';
export const MEDIATOR = '0193a000-0000-7000-8000-0000000000m1';
export const NOW = new Date('2026-03-20T10:00:00+08:00');

const CONTEXT = { actor: MEDIATOR, department: VILLAGE, correlationId: 'corr-1' };
export const COMMAND_META: CommandMetadata = { ...CONTEXT, now: NOW };
export const EVENT_META: EventMetadata = { ...CONTEXT, occurredAt: NOW.toISOString() };
export const at = (now: string): CommandMetadata => ({ ...COMMAND_META, now: new Date(now) });

type Data<T extends MediationCommand['type']> = Extract<MediationCommand, { type: T }>['data'];
const command = <T extends MediationCommand['type']>(
  type: T,
  data: Data<T>,
  metadata = COMMAND_META,
): MediationCommand => ({ type, data, metadata }) as MediationCommand;

export const open = (over: Partial<Data<'OpenMediation'>> = {}, metadata = COMMAND_META) =>
  command(
    'OpenMediation',
    {
      caseId: CASE_ID,
      departmentId: VILLAGE,
      departmentType: 'mediation_committee',
      type: 'people',
      mediatorIds: [MEDIATOR],
      ...over,
    },
    metadata,
  );
export const session = (over: Partial<Data<'RecordSession'>> = {}) =>
  command('RecordSession', {
    departmentId: VILLAGE,
    heldAt: '2026-03-03T15:00:00+08:00',
    location: '山大路社区调解室',
    attendees: ['申请人', '被申请人', '社区网格员'],
    notes: '双方陈述，初步同意协商',
    ...over,
  });
export const agreement = (over: Partial<Data<'RecordAgreement'>> = {}, metadata = COMMAND_META) =>
  command(
    'RecordAgreement',
    {
      departmentId: VILLAGE,
      terms: '被申请人于三日内清理楼道杂物',
      signedAt: '2026-03-05T16:00:00+08:00',
      performanceDueAt: '2026-03-08T18:00:00+08:00',
      ...over,
    },
    metadata,
  );
export const failure = (over: Partial<Data<'RecordFailure'>> = {}) =>
  command('RecordFailure', {
    departmentId: VILLAGE,
    reason: '被申请人拒绝调解（人民调解法第十七条）',
    referral: 'litigation',
    ...over,
  });
export const request = (
  over: Partial<Data<'RequestJudicialConfirmation'>> = {},
  metadata = COMMAND_META,
) =>
  command(
    'RequestJudicialConfirmation',
    {
      departmentId: VILLAGE,
      court: '历下区人民法院解放路人民法庭',
      requestedAt: '2026-03-10T09:00:00+08:00',
      ...over,
    },
    metadata,
  );
export const decision = (over: Partial<Data<'RecordJudicialDecision'>> = {}) =>
  command('RecordJudicialDecision', {
    departmentId: VILLAGE,
    confirmed: true,
    decidedAt: '2026-03-18T10:00:00+08:00',
    ...over,
  });
export const escalation = (over: Partial<Data<'EscalateMediation'>> = {}) =>
  command('EscalateMediation', {
    departmentId: VILLAGE,
    toDepartmentId: TOWNSHIP,
    toRegionCode: '370102001000',
    reason: '涉及多户，社区层面无法化解',
    ...over,
  });

type EventData<T extends MediationEvent['type']> = Extract<MediationEvent, { type: T }>['data'];
const event = <T extends MediationEvent['type']>(type: T, data: EventData<T>): MediationEvent =>
  ({ type, data, metadata: EVENT_META }) as MediationEvent;

export const opened = (over: Partial<EventData<'MediationOpened'>> = {}) =>
  event('MediationOpened', {
    caseId: CASE_ID,
    departmentId: VILLAGE,
    type: 'people',
    mediatorIds: [MEDIATOR],
    openedAt: '2026-03-02T10:00:00.000Z',
    ...over,
  });
export const held = (sessionNumber = 1, departmentId = VILLAGE) =>
  event('MediationSessionHeld', {
    caseId: CASE_ID,
    departmentId,
    sessionNumber,
    heldAt: '2026-03-03T15:00:00+08:00',
    location: '山大路社区调解室',
    attendees: ['申请人', '被申请人', '社区网格员'],
    notes: '双方陈述，初步同意协商',
  });
/** Signed Thursday 2026-03-05: day 1 is 03-06, day 30 is Saturday 04-04 (清明), rolled to Tuesday 04-07. */
export const agreed = (over: Partial<EventData<'MediationAgreementReached'>> = {}) =>
  event('MediationAgreementReached', {
    caseId: CASE_ID,
    departmentId: VILLAGE,
    terms: '被申请人于三日内清理楼道杂物',
    signedAt: '2026-03-05T16:00:00+08:00',
    performanceDueAt: '2026-03-08T18:00:00+08:00',
    judicialConfirmationDueAt: '2026-04-07T16:00:00.000Z',
    ...over,
  });
export const failed = () =>
  event('MediationFailed', {
    caseId: CASE_ID,
    departmentId: VILLAGE,
    reason: '被申请人拒绝调解（人民调解法第十七条）',
    referral: 'litigation',
  });
export const requested = () =>
  event('JudicialConfirmationRequested', {
    caseId: CASE_ID,
    departmentId: VILLAGE,
    court: '历下区人民法院解放路人民法庭',
    requestedAt: '2026-03-10T09:00:00+08:00',
  });
export const decided = (confirmed = true) =>
  event('JudicialConfirmationDecided', {
    caseId: CASE_ID,
    departmentId: VILLAGE,
    confirmed,
    decidedAt: '2026-03-18T10:00:00+08:00',
  });
export const escalated = () =>
  event('MediationEscalated', {
    caseId: CASE_ID,
    fromDepartmentId: VILLAGE,
    departmentId: TOWNSHIP,
    toRegionCode: '370102001000',
    reason: '涉及多户，社区层面无法化解',
  });
