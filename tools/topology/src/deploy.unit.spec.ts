import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { SERVICES } from '@casegrid/contracts';
import { checkManifests, kustomize, type Manifest } from './kubernetes-checks';
import { serviceManifests } from './kubernetes';
import { DEPLOY, GENERATED } from './manifests';
import { TOPICS } from './topics';

/**
 * deploy/ and docker-compose.yml, rendered and checked without a cluster or a Docker
 * engine: the generated files are what the generators make (`npm run manifests` writes
 * them), every overlay renders with the real kustomize (`kubectl kustomize`) and passes the
 * checks, and the compose file is valid against the compose specification's JSON schema
 * (vendored: no network in tests).
 */
const ROOT = join(__dirname, '../../..');

describe('deploy/', () => {
  it.each(Object.keys(GENERATED))('%s is what its generator makes (npm run manifests)', (file) => {
    expect(readFileSync(join(DEPLOY, file), 'utf8')).toBe(GENERATED[file]!());
  });

  describe.each(['development', 'production'])('the %s overlay', (overlay) => {
    let manifests: Manifest[];
    beforeAll(() => {
      manifests = kustomize(join(DEPLOY, 'overlays', overlay));
    });
    const of = (kind: string) => manifests.filter((m) => m.kind === kind);

    it('renders and passes every check', () => {
      expect(checkManifests(manifests)).toEqual([]);
      expect(new Set(manifests.map((m) => m.metadata.namespace)).size).toBe(1);
    });

    it('runs every service with a readiness probe, an autoscaler on CPU and lag, and a budget', () => {
      for (const service of SERVICES) {
        const name = `casegrid-${service}`;
        expect(of('Deployment').map((m) => m.metadata.name)).toContain(name);
        const hpa = of('HorizontalPodAutoscaler').find((m) => m.metadata.name === name)!;
        const metrics = (hpa['spec'] as { metrics: { type: string }[] }).metrics;
        expect(metrics.map((m) => m.type)).toEqual(['Resource', 'External']);
        expect(of('PodDisruptionBudget').map((m) => m.metadata.name)).toContain(name);
      }
    });

    it('declares every topic as a Strimzi KafkaTopic with its settings', () => {
      const topics = of('KafkaTopic').map(
        (m) => m['spec'] as { topicName: string; partitions: number; config: object },
      );
      // In kustomize's order of resources, which is not the generator's.
      const byName = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
      expect(topics.map((t) => [t.topicName, t.partitions, t.config]).sort(byName)).toEqual(
        TOPICS.map((t) => [t.name, t.partitions, t.config]).sort(byName),
      );
    });
  });

  it('finds what a cluster would get wrong', () => {
    const [deployment, service, hpa] = serviceManifests('audit') as Manifest[];
    const broken = JSON.parse(JSON.stringify([deployment, service, hpa])) as Manifest[];
    (broken[1]!['spec'] as { selector: object }).selector = { app: 'nothing' };
    (broken[2]!['spec'] as { scaleTargetRef: { name: string } }).scaleTargetRef.name = 'x';
    expect(checkManifests(broken)).toEqual([
      'Deployment/casegrid-audit: image casegrid has no tag',
      'Deployment/casegrid-audit: no ConfigMap casegrid-config',
      'Deployment/casegrid-audit: no Secret casegrid-secrets',
      'Deployment/casegrid-audit: Secret casegrid-secrets has no key DATABASE_URL_AUDIT',
      'Service/casegrid-audit: selects 0 Deployments',
      'Service/casegrid-audit: no container port named http',
      'HorizontalPodAutoscaler/casegrid-audit: scales nothing',
    ]);
  });

  it('gives production more replicas and a pinned image', () => {
    const manifests = kustomize(join(DEPLOY, 'overlays/production'));
    for (const d of manifests.filter((m) => m.kind === 'Deployment')) {
      expect((d['spec'] as { replicas: number }).replicas).toBeGreaterThanOrEqual(2);
    }
    const images = JSON.stringify(manifests).match(/registry[^"]*casegrid:[^"]+/g);
    expect(new Set(images)).toEqual(new Set(['registry.example.gov.cn/casegrid/casegrid:0.1.0']));
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as { services: Record<string, Record<string, unknown>> };

  it('is valid against the compose specification', () => {
    // Draft-07, which Ajv knows as http://…; the schema names it with https://.
    const { $schema: _draft, ...schema } = JSON.parse(
      readFileSync(join(DEPLOY, 'compose/compose-spec.schema.json'), 'utf8'),
    ) as Record<string, unknown>;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
    // …and the schema does refuse: a misspelt key, a health check of the wrong shape.
    const intake = { ...compose.services['intake'], dependson: {}, healthcheck: { test: 1 } };
    expect(validate({ ...compose, services: { ...compose.services, intake } })).toBe(false);
  });

  it('runs the five services, each on a database of its own, behind the gateway', () => {
    for (const service of SERVICES) {
      const env = compose.services[service]!['environment'] as Record<string, string>;
      expect(env['CASEGRID_SERVICES']).toBe(service);
      expect(env['DATABASE_URL']).toMatch(new RegExp(`/${service}$`));
      expect(env['KAFKA_BROKERS']).toBe('kafka:9092');
    }
    expect(compose.services['gateway']!['ports']).toEqual(['8080:8080']);
  });
});
