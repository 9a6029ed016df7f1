import type { ServiceName } from './topics';
import type { TransportMessage } from './cloud-event';

/**
 * A producer's watermark on `casegrid.case-events`: "every event this service committed
 * before `at` (business time) has been published before this message", sent by the
 * service's relay to every partition after it found its outbox empty. It is not a case
 * event (no `ce_*` headers): consumers pass it over, and supervision records it, so that a
 * deadline due at T fires only once every producer that could meet it has said so for T
 * (the issue "Deadlines under delay").
 */
export const WATERMARK_HEADER = 'casegrid_watermark';
export const WATERMARK_AT_HEADER = 'casegrid_watermark_at';

export interface Watermark {
  readonly producer: ServiceName;
  /** RFC 3339, business time. */
  readonly at: string;
}

export const watermarkMessage = (
  topic: string,
  partition: number,
  watermark: Watermark,
): TransportMessage => ({
  topic,
  partition,
  key: `watermark:${watermark.producer}`,
  headers: { [WATERMARK_HEADER]: watermark.producer, [WATERMARK_AT_HEADER]: watermark.at },
  value: '{}',
});

/** The watermark a message carries, or undefined when it is anything else. */
export const readWatermark = (
  headers: Readonly<Record<string, string | undefined>>,
): Watermark | undefined => {
  const producer = headers[WATERMARK_HEADER];
  const at = headers[WATERMARK_AT_HEADER];
  if (!producer || !at || Number.isNaN(Date.parse(at))) return undefined;
  return { producer: producer as ServiceName, at };
};

/**
 * Which service publishes each event type of API.md's catalogue that another service's
 * rules name (a deadline policy's start, stop, pause, resume and extend events). Grow it
 * with the catalogue; an event not here is taken to come from any producer.
 */
export const PRODUCER_OF: Readonly<Record<string, ServiceName>> = {
  CaseRegistered: 'intake',
  CaseAwaitingDispatch: 'intake',
  RepeatSubmissionRecorded: 'intake',
  CaseDispatched: 'intake',
  CaseAccepted: 'intake',
  CaseReturned: 'intake',
  CaseTransferred: 'intake',
  CaseEscalated: 'intake',
  CaseResolved: 'intake',
  CaseHandlingResumed: 'intake',
  MediationOpened: 'mediation',
  MediationSessionHeld: 'mediation',
  MediationAgreementReached: 'mediation',
  MediationFailed: 'mediation',
  JudicialConfirmationRequested: 'mediation',
  JudicialConfirmationDecided: 'mediation',
  PetitionAcceptanceDecided: 'petition',
  PetitionExtended: 'petition',
  PetitionOpinionIssued: 'petition',
  PetitionReviewRequested: 'petition',
  PetitionReviewDecided: 'petition',
  PetitionReReviewRequested: 'petition',
  PetitionReReviewDecided: 'petition',
  PetitionTerminated: 'petition',
  DeadlinePaused: 'supervision',
  DeadlineResumed: 'supervision',
  DeadlineExtended: 'supervision',
  DeadlineRescheduled: 'supervision',
  FollowUpRecorded: 'supervision',
  CaseClosed: 'supervision',
  CaseReopened: 'supervision',
  SupervisionOrderIssued: 'supervision',
};

/** The producers whose events reach supervision through the topic (not its own). */
export const EXTERNAL_PRODUCERS = [
  'intake',
  'mediation',
  'petition',
] as const satisfies readonly ServiceName[];
