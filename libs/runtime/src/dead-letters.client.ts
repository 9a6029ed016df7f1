import { DEMO_ADMIN_PASSWORD } from '@casegrid/platform';

/** A client of the dead-letter endpoints (DeadLettersController) of every service, over HTTP: `npm run dlq`. */
export interface DlqClient {
  list(services: readonly string[]): Promise<unknown>;
  show(services: readonly string[], caseId: string): Promise<unknown>;
  replay(services: readonly string[], caseId: string, skip?: string): Promise<unknown>;
}

type Env = Readonly<Record<string, string | undefined>>;

export const dlqClient = async (env: Env): Promise<DlqClient> => {
  const base = (env['CASEGRID_URL'] ?? 'http://localhost:3000').replace(/\/$/, '');
  const token = env['CASEGRID_TOKEN'] ?? (await signIn(base, env['CASEGRID_ADMIN_PASSWORD']));
  const call = async (method: 'GET' | 'POST', path: string, payload?: object): Promise<unknown> => {
    const response = await fetch(`${base}/api/v1/admin/dead-letters/${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(method === 'POST' ? { body: JSON.stringify(payload ?? {}) } : {}),
    });
    // A service that runs no consumer group here (intake has one of its own; a topology
    // gateway sends each path to its service) answers 404: nothing parked there.
    if (response.status === 404) return undefined;
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const detail = (body as { detail?: string } | undefined)?.detail ?? response.statusText;
      throw new Error(`${method} ${path}: ${response.status} ${detail}`);
    }
    return body;
  };
  const each = async (
    services: readonly string[],
    path: (service: string) => string,
    method: 'GET' | 'POST',
    payload?: object,
  ) => {
    const out: Record<string, unknown> = {};
    for (const service of services) {
      const body = await call(method, path(service), payload);
      if (body !== undefined) out[service] = body;
    }
    return out;
  };
  return {
    list: (services) => each(services, (s) => s, 'GET'),
    show: (services, caseId) => each(services, (s) => `${s}/cases/${caseId}`, 'GET'),
    replay: (services, caseId, skip) =>
      each(services, (s) => `${s}/cases/${caseId}/replay`, 'POST', skip ? { skip } : {}),
  };
};

const signIn = async (base: string, password = DEMO_ADMIN_PASSWORD): Promise<string> => {
  const response = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  if (!response.ok) throw new Error(`signing in as admin at ${base}: ${response.status}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
};
