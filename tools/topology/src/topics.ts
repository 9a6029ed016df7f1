import { CASE_EVENTS_TOPIC, deadLetterTopic, REFERENCE_TOPIC } from '@casegrid/contracts';

/**
 * Every Kafka topic of the production topology, with its settings and why: the one source
 * for the compose file's topic-creation job, the Strimzi `KafkaTopic`s of deploy/ and the
 * mock broker of the multi-process topology (a spec checks the first two against this).
 */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly config: Readonly<Record<string, string>>;
  readonly why: string;
}

/** Every consumer group of the five services; each has its dead-letter topic. */
export const CONSUMER_GROUPS = [
  'intake.reference',
  'intake.case-events',
  'mediation.reference',
  'mediation.case-directory',
  'petition.reference',
  'petition.case-directory',
  'supervision.reference',
  'supervision.case-events',
  'audit.reference',
  'audit.case-events',
] as const;

/** Partitions of the case log: the most consumer instances of one group that can work at once. */
export const CASE_EVENTS_PARTITIONS = 12;

const NINETY_DAYS_MS = String(90 * 24 * 3_600_000);

export const TOPICS: readonly TopicSpec[] = [
  {
    name: CASE_EVENTS_TOPIC,
    partitions: CASE_EVENTS_PARTITIONS,
    config: {
      'cleanup.policy': 'delete',
      'retention.ms': '-1',
      'retention.bytes': '-1',
      'min.insync.replicas': '2',
    },
    why:
      'the log every projection, the ledger and the audit chain are rebuilt from: kept forever, ' +
      'keyed by case id so one case stays in order; acks from two replicas before a write counts',
  },
  {
    name: REFERENCE_TOPIC,
    partitions: 3,
    config: {
      'cleanup.policy': 'compact',
      'min.compaction.lag.ms': '3600000',
      'min.insync.replicas': '2',
    },
    why:
      'organisation, users, rules, calendars, policies: only the latest version of each key ' +
      'matters, so compaction keeps a new replica’s first read short without losing any entity',
  },
  ...CONSUMER_GROUPS.map((group): TopicSpec => ({
    name: deadLetterTopic(group),
    partitions: 1,
    config: {
      'cleanup.policy': 'delete',
      'retention.ms': NINETY_DAYS_MS,
      'min.insync.replicas': '2',
    },
    why:
      'messages a consumer could not handle, parked so its partition flows on: kept 90 days ' +
      'for an operator to read and replay; one partition, as they are few and read by hand',
  })),
];
