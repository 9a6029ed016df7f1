/** problem+json (RFC 9457) as the API answers every error. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
  get status(): number {
    return this.problem.status;
  }
}

const TOKEN_KEY = 'casegrid.token';
let token: string | null = sessionStorage.getItem(TOKEN_KEY);
let onUnauthorized: () => void = () => undefined;

export const session = {
  token: () => token,
  set(value: string | null) {
    token = value;
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
  onUnauthorized(handler: () => void) {
    onUnauthorized = handler;
  },
};

export interface Sent<T> {
  body: T;
  etag: string | null;
}

async function send<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Sent<T>> {
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers: {
      accept: 'application/json, application/problem+json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    if (response.status === 401 && token) onUnauthorized();
    const problem = (parsed as Problem | undefined) ?? {
      title: response.statusText,
      status: response.status,
    };
    throw new ApiError({ ...problem, status: response.status });
  }
  return { body: parsed as T, etag: response.headers.get('etag') };
}

const query = (params: Record<string, string | number | undefined | null>): string => {
  const entries = Object.entries(params).filter(
    ([, v]) => v !== undefined && v !== null && v !== '',
  );
  return entries.length
    ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`
    : '';
};

export const api = {
  get: async <T>(
    path: string,
    params: Record<string, string | number | undefined | null> = {},
  ): Promise<T> => (await send<T>('GET', `${path}${query(params)}`)).body,
  /** Every POST carries an Idempotency-Key: a retried click changes nothing twice. */
  post: async <T>(path: string, body: unknown, key: string, ifMatch?: number): Promise<T> =>
    (
      await send<T>('POST', path, body, {
        'idempotency-key': key,
        ...(ifMatch === undefined ? {} : { 'if-match': `"${ifMatch}"` }),
      })
    ).body,
  put: async <T>(path: string, body: unknown, ifMatch?: number): Promise<T> =>
    (await send<T>('PUT', path, body, ifMatch === undefined ? {} : { 'if-match': `"${ifMatch}"` }))
      .body,
  /** A download through the API's auth (export): the body as a Blob. */
  async blob(path: string, params: Record<string, string | undefined> = {}): Promise<Blob> {
    const response = await fetch(`/api/v1${path}${query(params)}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    if (!response.ok) throw new ApiError((await response.json()) as Problem);
    return response.blob();
  },
};

export const newKey = (): string => crypto.randomUUID();

export function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
