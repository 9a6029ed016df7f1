import { SERVICES, type ServiceName } from '@casegrid/contracts';
import { renderNginxConfig } from './ingress';
import { TOPICS, type TopicSpec } from './topics';

/**
 * The kustomize base of deploy/ as data: per service a Deployment, Service,
 * HorizontalPodAutoscaler (CPU and consumer lag) and PodDisruptionBudget; the nginx gateway
 * with the routing table; the Ingress; config, secrets; Strimzi KafkaTopics. The committed
 * YAML files are this output (a spec renders and compares), so five services stay alike.
 */
type Manifest = Record<string, unknown>;

/** The consumer group whose lag says a service is falling behind (HPA). */
const LAG_GROUP: Readonly<Record<ServiceName, string>> = {
  intake: 'intake.case-events',
  mediation: 'mediation.case-directory',
  petition: 'petition.case-directory',
  supervision: 'supervision.case-events',
  audit: 'audit.case-events',
};

const labels = (service: string) => ({ 'app.kubernetes.io/name': service });

export const serviceManifests = (service: ServiceName): Manifest[] => {
  const name = `casegrid-${service}`;
  const probe = (path: string, period: number) => ({
    httpGet: { path, port: 'http' },
    periodSeconds: period,
    timeoutSeconds: 3,
  });
  const deployment: Manifest = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: labels(name) },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels(name) },
      template: {
        metadata: { labels: labels(name) },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 },
          // Graceful shutdown (finish the message or batch in hand) fits in this.
          terminationGracePeriodSeconds: 45,
          containers: [
            {
              name: service,
              image: 'casegrid',
              command: ['node', `dist/services/${service}/src/main.js`],
              ports: [{ name: 'http', containerPort: 3000 }],
              envFrom: [
                { configMapRef: { name: 'casegrid-config' } },
                { secretRef: { name: 'casegrid-secrets' } },
              ],
              env: [
                { name: 'CASEGRID_SERVICES', value: service },
                { name: 'KAFKA_CLIENT_ID', value: name },
                // The pod's name: a restarted pod gets a new one, a fresh producer id.
                {
                  name: 'KAFKA_INSTANCE_ID',
                  valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
                },
                {
                  name: 'DATABASE_URL',
                  valueFrom: {
                    secretKeyRef: {
                      name: 'casegrid-secrets',
                      key: `DATABASE_URL_${service.toUpperCase()}`,
                    },
                  },
                },
              ],
              readinessProbe: probe('/health/ready', 5),
              livenessProbe: probe('/health/live', 10),
              resources: {
                requests: { cpu: '250m', memory: '256Mi' },
                limits: { memory: '512Mi' },
              },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
            },
          ],
        },
      },
    },
  };
  const svc: Manifest = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: labels(name) },
    spec: { selector: labels(name), ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  };
  const hpa: Manifest = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: 2,
      // Past the partition count of the case log, extra consumers would idle.
      maxReplicas: service === 'intake' ? 12 : 6,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
        {
          // casegrid_consumer_lag summed over the group, through prometheus-adapter.
          type: 'External',
          external: {
            metric: {
              name: 'casegrid_consumer_lag',
              selector: { matchLabels: { group: LAG_GROUP[service] } },
            },
            target: { type: 'AverageValue', averageValue: '500' },
          },
        },
      ],
    },
  };
  const pdb: Manifest = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name },
    spec: { minAvailable: 1, selector: { matchLabels: labels(name) } },
  };
  return [deployment, svc, hpa, pdb];
};

export const kafkaTopic = (topic: TopicSpec): Manifest => ({
  apiVersion: 'kafka.strimzi.io/v1beta2',
  kind: 'KafkaTopic',
  metadata: {
    name: topic.name.replace(/[^a-z0-9-]/g, '-'),
    labels: { 'strimzi.io/cluster': 'casegrid' },
  },
  spec: {
    topicName: topic.name,
    partitions: topic.partitions,
    replicas: 3,
    config: { ...topic.config },
  },
});

export const gatewayConfig = (): string =>
  renderNginxConfig({
    listen: '8080',
    upstreams: Object.fromEntries(SERVICES.map((s) => [s, [`casegrid-${s}:80`]])) as Record<
      ServiceName,
      string[]
    >,
  });

export const gatewayManifests = (): Manifest[] => {
  const name = 'casegrid-gateway';
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, labels: labels(name) },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels(name) },
        template: {
          metadata: { labels: labels(name) },
          spec: {
            containers: [
              {
                name: 'nginx',
                image: 'nginxinc/nginx-unprivileged:1.27',
                command: ['nginx', '-c', '/etc/casegrid/nginx.conf'],
                ports: [{ name: 'http', containerPort: 8080 }],
                readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 },
                volumeMounts: [{ name: 'config', mountPath: '/etc/casegrid' }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: 'casegrid-gateway' } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, labels: labels(name) },
      spec: { selector: labels(name), ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name },
      spec: { minAvailable: 1, selector: { matchLabels: labels(name) } },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'casegrid' },
      spec: {
        rules: [
          {
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name, port: { name: 'http' } } },
                },
              ],
            },
          },
        ],
      },
    },
  ];
};

export const topicManifests = (): Manifest[] => TOPICS.map(kafkaTopic);

/**
 * The alerts an operator of casegrid needs (prometheus-operator's PrometheusRule): events
 * parked for a replay (`npm run dlq`, docs/operations.md), a consumer group that cannot
 * make progress, an outbox the broker does not take, and deadlines held back (a producer's
 * watermark that does not move: warnings and breaches that depend on it wait for it).
 */
export const alertManifests = (): Manifest[] => [
  {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'casegrid', labels: labels('casegrid') },
    spec: {
      groups: [
        {
          name: 'casegrid.event-path',
          rules: [
            {
              alert: 'CasegridEventsParked',
              expr: 'max by (group) (casegrid_parked_events) > 0',
              for: '5m',
              labels: { severity: 'warning' },
              annotations: {
                summary: 'Consumer group {{ $labels.group }} holds parked events',
                description:
                  'A case event failed and the case’s later events wait behind it. See `npm run dlq -- list` and docs/operations.md (Parked events).',
              },
            },
            {
              alert: 'CasegridConsumerStalled',
              expr: 'max by (group) (casegrid_processor_failing_seconds) > 120',
              labels: { severity: 'critical' },
              annotations: {
                summary: 'Consumer group {{ $labels.group }} has made no progress for 2 minutes',
                description:
                  'Its database or broker is away, or it cannot join its group; /health/ready names the cause.',
              },
            },
            {
              alert: 'CasegridOutboxBacklog',
              expr: 'max by (service) (casegrid_outbox_backlog) > 1000',
              for: '5m',
              labels: { severity: 'warning' },
              annotations: {
                summary: 'The outbox of {{ $labels.service }} is not drained',
                description: 'Events are recorded but the broker does not take them.',
              },
            },
            {
              alert: 'CasegridDeadlinesHeld',
              expr: 'min by (producer) (casegrid_watermark_lag_seconds) > 300',
              for: '5m',
              labels: { severity: 'critical' },
              annotations: {
                summary: 'Deadlines wait for {{ $labels.producer }}',
                description:
                  'Its watermark trails business time by over 5 minutes, and no warning or breach that depends on it fires until it moves. /health/ready of supervision names it.',
              },
            },
          ],
        },
      ],
    },
  },
];

/**
 * The compose topic job's script: every topic with its partitions and settings. One broker
 * holds one replica, so `min.insync.replicas` is 1 there (2 of 3 in Kubernetes).
 */
export const composeTopicsScript = (): string => {
  const lines = TOPICS.map((t) => {
    const config = Object.entries({ ...t.config, 'min.insync.replicas': '1' })
      .map(([k, v]) => ` --config ${k}=${v}`)
      .join('');
    return `create ${t.name} ${t.partitions}${config}`;
  });
  return `#!/bin/sh
# Generated by tools/topology/src/kubernetes.ts from topics.ts; do not edit by hand.
# Creates casegrid's topics on the compose broker (idempotent: --if-not-exists).
set -eu
create() {
  topic=$1 partitions=$2
  shift 2
  /opt/kafka/bin/kafka-topics.sh --bootstrap-server kafka:9092 --create --if-not-exists \\
    --topic "$topic" --partitions "$partitions" --replication-factor 1 "$@"
}
${lines.join('\n')}
`;
};

export const composeGatewayConfig = (): string =>
  renderNginxConfig({
    listen: '8080',
    upstreams: Object.fromEntries(SERVICES.map((s) => [s, [`${s}:3000`]])) as Record<
      ServiceName,
      string[]
    >,
  });
