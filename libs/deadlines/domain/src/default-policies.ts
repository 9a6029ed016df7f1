import type { DeadlinePolicy, Period } from './deadline-policy';

const days = (length: number): Period => ({ length, unit: 'calendar_days' });
const workingDays = (length: number): Period => ({ length, unit: 'working_days' });
const hours = (length: number): Period => ({ length, unit: 'hours' });
const NO_EXTENSION = { maxTimes: 0, maxTotal: null, approvedBy: null } as const;
const CLOCK = {
  pauseOn: [],
  resumeOn: [],
  extendOn: [],
  dueAtField: null,
  perCoHandler: false,
  startFrom: 'event',
} as const;

/** A reception on the intake side: dispatched, transferred or escalated to a department. */
const HANDED_OVER = ['CaseDispatched', 'CaseTransferred', 'CaseEscalated'];
/** An outcome of any track: the centre's handling is over and the follow-up is due. */
const OUTCOMES = [
  'CaseResolved',
  'MediationAgreementReached',
  'MediationFailed',
  'PetitionOpinionIssued',
  'PetitionReviewDecided',
  'PetitionReReviewDecided',
  'PetitionTerminated',
];

/** Handling starts on acceptance, and again for the holder of a reopened case. */
const RESOLVE_STARTS = ['CaseAccepted', 'CaseReopened', 'MediationEscalated'];
/** An outcome ends it; so does handing the case on: the new holder's clock starts when it accepts. */
const RESOLVE_STOPS = [...OUTCOMES, 'CaseTransferred', 'CaseEscalated', 'MediationEscalated'];

/**
 * The defaults seeded on first start. Where a statute sets the limit it is cited
 * (reference/domain-rules.md, verified articles); elsewhere the basis names the local
 * practice followed. Administrators change them through the API; a change applies to
 * clocks started after it.
 */
export const DEFAULT_DEADLINE_POLICIES: readonly DeadlinePolicy[] = [
  {
    ...CLOCK,
    code: 'dispatch',
    obligation: 'dispatch',
    name: '分流派单',
    appliesTo: {},
    startOn: ['CaseAwaitingDispatch', 'CaseReturned'],
    stopOn: ['CaseDispatched'],
    period: workingDays(1),
    warnBefore: hours(4),
    extension: NO_EXTENSION,
    article: null,
    basis:
      '接诉即办“即时派单”（北京市接诉即办工作条例第11条）; one working day is common local practice',
  },
  {
    ...CLOCK,
    code: 'accept',
    obligation: 'accept',
    name: '签收',
    appliesTo: {},
    startOn: HANDED_OVER,
    stopOn: ['CaseAccepted', 'CaseReturned', 'CaseTransferred', 'CaseEscalated'],
    period: workingDays(1),
    warnBefore: hours(4),
    extension: NO_EXTENSION,
    perCoHandler: true,
    article: null,
    basis: 'local practice: sign for a dispatched case within one working day',
  },
  {
    ...CLOCK,
    code: 'accept.urgent',
    obligation: 'accept',
    name: '签收（紧急）',
    appliesTo: { urgency: 'urgent' },
    startOn: HANDED_OVER,
    stopOn: ['CaseAccepted', 'CaseReturned', 'CaseTransferred', 'CaseEscalated'],
    period: hours(2),
    warnBefore: hours(1),
    extension: NO_EXTENSION,
    article: null,
    basis:
      'local practice: urgent orders answered within 2 hours (北京 接诉即办, unverified figure)',
  },
  {
    ...CLOCK,
    code: 'return_objection.petition',
    obligation: 'return_objection',
    name: '退单异议（信访）',
    appliesTo: { kind: 'petition' },
    startOn: HANDED_OVER,
    stopOn: ['CaseAccepted', 'CaseReturned'],
    period: workingDays(5),
    warnBefore: workingDays(1),
    extension: NO_EXTENSION,
    article: '信访工作条例 第二十三条第三款',
    basis: 'outside its remit, the receiving organ objects within 5 working days',
  },
  ...(
    [
      [
        'minor',
        workingDays(5),
        workingDays(1),
        '济南市12345市民服务热线条例 第二十四条: 5 working days',
      ],
      [
        'major',
        workingDays(15),
        workingDays(3),
        'local practice: general matters 7–15 days (东至县 7; 广东 投诉 15 working days)',
      ],
      [
        'complex',
        days(30),
        days(5),
        'local practice: complex matters 20–30 days (东至县 20; 深圳 30日)',
      ],
    ] as const
  ).map(([severity, period, warnBefore, basis]): DeadlinePolicy => ({
    ...CLOCK,
    code: `resolve.${severity}`,
    obligation: 'resolve',
    name: `办结（${{ minor: '一般', major: '较大', complex: '疑难复杂' }[severity]}）`,
    appliesTo: { kind: 'dispute', severity },
    startOn: RESOLVE_STARTS,
    stopOn: RESOLVE_STOPS,
    period,
    warnBefore,
    extension: { maxTimes: 1, maxTotal: period, approvedBy: '承办单位负责人' },
    perCoHandler: true,
    article: null,
    basis,
  })),
  {
    ...CLOCK,
    code: 'resolve.urgent',
    obligation: 'resolve',
    name: '办结（紧急）',
    appliesTo: { urgency: 'urgent' },
    startOn: RESOLVE_STARTS,
    stopOn: RESOLVE_STOPS,
    period: hours(24),
    warnBefore: hours(4),
    extension: NO_EXTENSION,
    article: null,
    basis: 'local practice: urgent matters within 24 hours (北京 水电气热, unverified figure)',
  },
  {
    ...CLOCK,
    code: 'petition_acceptance',
    obligation: 'petition_acceptance',
    name: '信访事项受理告知',
    appliesTo: { kind: 'petition' },
    startOn: ['CaseRegistered'],
    startFrom: 'received_at',
    stopOn: ['PetitionAcceptanceDecided'],
    period: days(15),
    warnBefore: days(3),
    extension: NO_EXTENSION,
    article: '信访工作条例 第二十二条、第二十三条第二款',
    basis: 'register, forward or assign and notify within 15 days of receipt (calendar days)',
  },
  {
    ...CLOCK,
    code: 'petition_opinion',
    obligation: 'petition_opinion',
    name: '信访处理意见',
    appliesTo: { kind: 'petition' },
    startOn: ['PetitionAcceptanceDecided'],
    stopOn: ['PetitionOpinionIssued', 'PetitionTerminated'],
    extendOn: ['PetitionExtended'],
    period: days(60),
    warnBefore: days(10),
    extension: { maxTimes: 1, maxTotal: days(30), approvedBy: '本机关、单位负责人' },
    article: '信访工作条例 第三十四条',
    basis:
      '60 days from acceptance; one extension of at most 30 days, approved by the head of the organ',
  },
  {
    ...CLOCK,
    code: 'review_decision',
    obligation: 'review_decision',
    name: '复查意见',
    appliesTo: { kind: 'petition' },
    startOn: ['PetitionReviewRequested'],
    stopOn: ['PetitionReviewDecided'],
    period: days(30),
    warnBefore: days(5),
    extension: NO_EXTENSION,
    article: '信访工作条例 第三十五条',
    basis: 'the review opinion within 30 days; no extension provided',
  },
  {
    ...CLOCK,
    code: 're_review_decision',
    obligation: 're_review_decision',
    name: '复核意见',
    appliesTo: { kind: 'petition' },
    startOn: ['PetitionReReviewRequested'],
    stopOn: ['PetitionReReviewDecided'],
    pauseOn: ['PetitionHearingStarted'],
    resumeOn: ['PetitionHearingEnded'],
    period: days(30),
    warnBefore: days(5),
    extension: NO_EXTENSION,
    article: '信访工作条例 第三十六条',
    basis: 'the re-review opinion within 30 days; time spent in a hearing (听证) is not counted',
  },
  {
    ...CLOCK,
    code: 'judicial_confirmation',
    obligation: 'judicial_confirmation',
    name: '司法确认申请',
    appliesTo: { track: 'mediation' },
    startOn: ['MediationAgreementReached'],
    stopOn: ['JudicialConfirmationRequested'],
    period: days(30),
    // The mediation service counts the window on the same calendar and names its end.
    dueAtField: 'judicialConfirmationDueAt',
    warnBefore: days(5),
    extension: NO_EXTENSION,
    article: '人民调解法 第三十三条; 民事诉讼法(2023) 第二百零五条',
    basis: 'the parties apply jointly within 30 days of the agreement taking effect',
  },
  {
    ...CLOCK,
    code: 'agreement_performance',
    obligation: 'agreement_performance',
    name: '调解协议履行',
    appliesTo: { track: 'mediation' },
    startOn: ['MediationAgreementReached'],
    stopOn: ['FollowUpRecorded'],
    period: days(30),
    dueAtField: 'performanceDueAt',
    warnBefore: days(3),
    extension: NO_EXTENSION,
    article: '人民调解法 第三十一条',
    basis: 'the committee supervises performance by the due date the agreement sets',
  },
  {
    ...CLOCK,
    code: 'follow_up',
    obligation: 'follow_up',
    name: '回访',
    appliesTo: {},
    // A petition not accepted or diverted has its outcome too (the engine starts it only then).
    startOn: [...OUTCOMES, 'PetitionAcceptanceDecided'],
    stopOn: ['FollowUpRecorded'],
    period: workingDays(5),
    warnBefore: workingDays(1),
    extension: NO_EXTENSION,
    article: null,
    basis:
      '济南市12345市民服务热线条例 第二十七条 (回访 after handling); 5 working days is local practice',
  },
  {
    ...CLOCK,
    code: 'supervision_order',
    obligation: 'supervision_order',
    name: '挂牌督办',
    appliesTo: {},
    startOn: ['SupervisionOrderIssued'],
    stopOn: ['CaseClosed'],
    period: days(15),
    dueAtField: 'dueAt',
    warnBefore: days(2),
    extension: NO_EXTENSION,
    article: '信访工作条例 第三十九条第三款',
    basis: 'the order names its own due date; 15 days when it does not',
  },
];
