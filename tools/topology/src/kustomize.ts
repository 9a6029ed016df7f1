import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * Renders a kustomization the way `kustomize build` does, for the subset deploy/ uses:
 * `resources` (files and directories), `namespace`, `labels` (with selectors), `images`
 * (newName/newTag), `replicas`, `patches` (strategic-merge files: maps merged, lists of
 * named items merged by name) and `configMapGenerator` (files, literals; no name suffix).
 * No kustomize is installable from npm (nor from Debian 12), so CI renders with this and
 * checks the result (kubernetes-checks.ts); anything outside the subset is refused, so a
 * file that renders here renders the same with the real kustomize.
 */
export type Manifest = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
};

const KNOWN = new Set([
  'apiVersion',
  'kind',
  'resources',
  'namespace',
  'labels',
  'images',
  'replicas',
  'patches',
  'configMapGenerator',
  'generatorOptions',
]);

interface Kustomization {
  resources?: string[];
  namespace?: string;
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean }[];
  images?: { name: string; newName?: string; newTag?: string }[];
  replicas?: { name: string; count: number }[];
  patches?: { path: string }[];
  configMapGenerator?: { name: string; files?: string[]; literals?: string[] }[];
}

const yamlDocs = (file: string): Manifest[] =>
  parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as Manifest | null)
    .filter((d): d is Manifest => d !== null);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Strategic merge for what our patches use: maps deep, lists of `{name}` by name. */
export const merge = (base: unknown, patch: unknown): unknown => {
  if (isObject(base) && isObject(patch)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(patch)) out[k] = k in base ? merge(base[k], v) : v;
    return out;
  }
  if (
    Array.isArray(base) &&
    Array.isArray(patch) &&
    patch.every((p) => isObject(p) && 'name' in p)
  ) {
    const out = [...(base as Record<string, unknown>[])];
    for (const p of patch as Record<string, unknown>[]) {
      const at = out.findIndex((b) => isObject(b) && b['name'] === p['name']);
      if (at >= 0) out[at] = merge(out[at], p) as Record<string, unknown>;
      else out.push(p);
    }
    return out;
  }
  return patch;
};

const eachContainer = (m: Manifest, f: (c: Record<string, unknown>) => void): void => {
  const spec = (m['spec'] as { template?: { spec?: { containers?: Record<string, unknown>[] } } })
    ?.template?.spec;
  for (const c of spec?.containers ?? []) f(c);
};

export const kustomize = (dir: string): Manifest[] => {
  const k = yamlDocs(join(dir, 'kustomization.yaml'))[0] as unknown as Kustomization;
  for (const key of Object.keys(k)) {
    if (!KNOWN.has(key)) throw new Error(`${dir}/kustomization.yaml: ${key} is outside the subset`);
  }
  let out: Manifest[] = [];
  for (const resource of k.resources ?? []) {
    const path = join(dir, resource);
    out.push(...(statSync(path).isDirectory() ? kustomize(path) : yamlDocs(path)));
  }
  for (const g of k.configMapGenerator ?? []) {
    const data: Record<string, string> = {};
    for (const f of g.files ?? []) data[f.split('/').pop()!] = readFileSync(join(dir, f), 'utf8');
    for (const l of g.literals ?? []) {
      const at = l.indexOf('=');
      data[l.slice(0, at)] = l.slice(at + 1);
    }
    out.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: g.name }, data });
  }
  for (const p of k.patches ?? []) {
    for (const patch of yamlDocs(join(dir, p.path))) {
      const at = out.findIndex(
        (m) => m.kind === patch.kind && m.metadata.name === patch.metadata.name,
      );
      if (at < 0) throw new Error(`${p.path}: no ${patch.kind} ${patch.metadata.name} to patch`);
      out[at] = merge(out[at], patch) as Manifest;
    }
  }
  for (const r of k.replicas ?? []) {
    const target = out.find((m) => m.kind === 'Deployment' && m.metadata.name === r.name);
    if (!target) throw new Error(`${dir}: replicas for unknown Deployment ${r.name}`);
    (target['spec'] as Record<string, unknown>)['replicas'] = r.count;
  }
  for (const image of k.images ?? []) {
    for (const m of out) {
      eachContainer(m, (c) => {
        const [name, tag] = String(c['image']).split(':');
        if (name !== image.name) return;
        c['image'] = `${image.newName ?? name}:${image.newTag ?? tag ?? 'latest'}`;
      });
    }
  }
  for (const { pairs, includeSelectors } of k.labels ?? []) {
    out = out.map((m) => {
      const withLabels = merge(m, { metadata: { labels: pairs } }) as Manifest;
      if (!includeSelectors) return withLabels;
      const spec = withLabels['spec'] as Record<string, unknown> | undefined;
      if (m.kind === 'Deployment' || m.kind === 'PodDisruptionBudget') {
        const selector = spec!['selector'] as { matchLabels: Record<string, string> };
        selector.matchLabels = { ...selector.matchLabels, ...pairs };
        if (m.kind === 'Deployment') {
          const template = spec!['template'] as { metadata: { labels: Record<string, string> } };
          template.metadata.labels = { ...template.metadata.labels, ...pairs };
        }
      }
      if (m.kind === 'Service') spec!['selector'] = { ...(spec!['selector'] as object), ...pairs };
      return withLabels;
    });
  }
  if (k.namespace) {
    out = out.map((m) =>
      m.kind === 'Namespace' ? m : { ...m, metadata: { ...m.metadata, namespace: k.namespace } },
    );
  }
  return out;
};
