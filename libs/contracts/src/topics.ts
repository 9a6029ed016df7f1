/** The Kafka topics of API.md (Events). Names are contract: never repurpose one. */
export const CASE_EVENTS_TOPIC = 'casegrid.case-events';
export const REFERENCE_TOPIC = 'casegrid.reference';
export const deadLetterTopic = (group: string): string => `${CASE_EVENTS_TOPIC}.dlq.${group}`;

export const SERVICES = ['intake', 'mediation', 'petition', 'supervision', 'audit'] as const;
export type ServiceName = (typeof SERVICES)[number];
export const isServiceName = (s: string): s is ServiceName =>
  (SERVICES as readonly string[]).includes(s);
