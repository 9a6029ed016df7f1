import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

export type Manifest = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
};

/**
 * An overlay (or the base) as a cluster would get it: rendered by the real kustomize,
 * `kubectl kustomize` (v5.5 on this machine and CI's; the spec fails where it is missing).
 */
export const kustomize = (dir: string): Manifest[] => {
  let rendered: string;
  try {
    rendered = execFileSync('kubectl', ['kustomize', dir], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') {
      throw new Error('kubectl not found: deploy/ is rendered with `kubectl kustomize` (v5)', {
        cause: error,
      });
    }
    throw error;
  }
  return parseAllDocuments(rendered).map((doc) => doc.toJS() as Manifest);
};

type Obj = Record<string, unknown>;
const get = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v as Obj | undefined)?.[k], o);
const subset = (a: Obj | undefined, b: Obj | undefined): boolean =>
  !!a && !!b && Object.entries(a).every(([k, v]) => b[k] === v);

interface Container {
  name: string;
  image?: string;
  ports?: { name?: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: { valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
}

/**
 * What `kubectl apply --dry-run=server` would refuse or a cluster would quietly get
 * wrong, checked on rendered manifests without a cluster: names, selectors that select,
 * ports that exist, references to config, secrets and keys that exist, autoscalers and
 * budgets that target something. Returns every problem found.
 */
export const checkManifests = (manifests: readonly Manifest[]): string[] => {
  const problems: string[] = [];
  const seen = new Set<string>();
  const find = (kind: string, name: unknown) =>
    manifests.find((m) => m.kind === kind && m.metadata.name === name);
  const deployments = manifests.filter((m) => m.kind === 'Deployment');
  const podLabels = (d: Manifest) => get(d, 'spec.template.metadata.labels') as Obj | undefined;
  const containers = (d: Manifest) =>
    (get(d, 'spec.template.spec.containers') ?? []) as Container[];
  const selected = (selector: Obj | undefined) =>
    deployments.filter((d) => subset(selector, podLabels(d)));

  for (const m of manifests) {
    const id = `${m.kind}/${m.metadata?.name}`;
    if (!m.apiVersion || !m.kind || !m.metadata?.name)
      problems.push(`${id}: apiVersion, kind and name`);
    if (seen.has(id)) problems.push(`${id}: defined twice`);
    seen.add(id);
    if (m.kind === 'Deployment') {
      if (!subset(get(m, 'spec.selector.matchLabels') as Obj, podLabels(m)))
        problems.push(`${id}: its selector does not select its own pods`);
      for (const c of containers(m)) {
        if (!/:[^:]+$/.test(c.image ?? '')) problems.push(`${id}: image ${c.image} has no tag`);
        for (const ref of c.envFrom ?? []) {
          if (ref.configMapRef && !find('ConfigMap', ref.configMapRef.name))
            problems.push(`${id}: no ConfigMap ${ref.configMapRef.name}`);
          if (ref.secretRef && !find('Secret', ref.secretRef.name))
            problems.push(`${id}: no Secret ${ref.secretRef.name}`);
        }
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (!ref) continue;
          const secret = find('Secret', ref.name);
          const keys = { ...(secret?.['stringData'] as Obj), ...(secret?.['data'] as Obj) };
          if (!(ref.key in keys)) problems.push(`${id}: Secret ${ref.name} has no key ${ref.key}`);
        }
      }
      for (const v of (get(m, 'spec.template.spec.volumes') ?? []) as {
        configMap?: { name: string };
      }[]) {
        if (v.configMap && !find('ConfigMap', v.configMap.name))
          problems.push(`${id}: no ConfigMap ${v.configMap.name} to mount`);
      }
    }
    if (m.kind === 'Service') {
      const targets = selected(get(m, 'spec.selector') as Obj);
      if (targets.length !== 1) problems.push(`${id}: selects ${targets.length} Deployments`);
      for (const port of (get(m, 'spec.ports') ?? []) as { targetPort: unknown }[]) {
        const named = targets.flatMap(containers).flatMap((c) => c.ports ?? []);
        if (typeof port.targetPort === 'string' && !named.some((p) => p.name === port.targetPort))
          problems.push(`${id}: no container port named ${port.targetPort}`);
      }
    }
    if (m.kind === 'HorizontalPodAutoscaler') {
      if (!find(String(get(m, 'spec.scaleTargetRef.kind')), get(m, 'spec.scaleTargetRef.name')))
        problems.push(`${id}: scales nothing`);
      if (Number(get(m, 'spec.minReplicas')) > Number(get(m, 'spec.maxReplicas')))
        problems.push(`${id}: minReplicas above maxReplicas`);
    }
    if (
      m.kind === 'PodDisruptionBudget' &&
      selected(get(m, 'spec.selector.matchLabels') as Obj).length !== 1
    )
      problems.push(`${id}: protects no Deployment`);
    if (m.kind === 'Ingress') {
      for (const rule of (get(m, 'spec.rules') ?? []) as Obj[]) {
        for (const path of (get(rule, 'http.paths') ?? []) as Obj[]) {
          const service = find('Service', get(path, 'backend.service.name'));
          const port = get(path, 'backend.service.port.name');
          const ports = (get(service, 'spec.ports') ?? []) as { name?: string }[];
          if (!service || !ports.some((p) => p.name === port))
            problems.push(
              `${id}: backend ${String(get(path, 'backend.service.name'))}:${String(port)} does not exist`,
            );
        }
      }
    }
  }
  return problems;
};
