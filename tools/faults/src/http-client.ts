import { Agent, request } from 'node:http';

export interface Answer {
  /** The HTTP status, or 0 when no answer came (refused, reset, timed out). */
  readonly status: number;
  readonly body: string;
}

/** What a real client tries again with the same Idempotency-Key: no answer, a 5xx, a 429. */
export const isRetryable = (status: number): boolean =>
  status === 0 || status === 429 || status >= 500;

export interface SendOptions {
  readonly user?: string;
  readonly body?: unknown;
  readonly key?: string;
  readonly timeoutMs?: number;
  /** Pauses between tries (the last one repeats); a real client's backoff by default. */
  readonly pausesMs?: readonly number[];
}

export interface Outcome extends Answer {
  /** Requests sent until this answer (1: no retry). */
  readonly attempts: number;
}

const PAUSE_MS = [50, 100, 200, 400, 800, 1_000];

/**
 * A client of casegrid as an integration would be: it signs in as the demo users, sends
 * every command with an Idempotency-Key, and sends the same request again on a network
 * error, a 5xx or a 429, until an answer of another kind comes or `untilMs` has passed.
 * The key makes the repeat safe. node:http with kept-alive sockets, as the HTTP bench.
 */
export class CasegridClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly base: URL;
  private readonly tokens = new Map<string, Promise<string>>();

  constructor(
    baseUrl: string,
    private readonly password: string,
  ) {
    this.base = new URL(baseUrl);
  }

  get url(): string {
    return this.base.toString().replace(/\/$/, '');
  }

  /** One attempt. */
  async send(method: 'GET' | 'POST', path: string, options: SendOptions = {}): Promise<Answer> {
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (options.user) {
      const token = await this.token(options.user).catch(() => undefined);
      if (token === undefined) return { status: 0, body: 'sign-in failed' };
      headers['authorization'] = `Bearer ${token}`;
    }
    if (options.key) headers['idempotency-key'] = options.key;
    const answer = await this.raw(method, path, headers, options.body, options.timeoutMs);
    // A restarted issuer keeps its keys, but a token may still be refused: sign in again.
    if (answer.status === 401 && options.user) this.tokens.delete(options.user);
    return answer;
  }

  /** Sends until an answer that is not worth another try, or `untilMs` (epoch) passed. */
  async command(
    method: 'GET' | 'POST',
    path: string,
    options: SendOptions & { readonly untilMs: number },
  ): Promise<Outcome> {
    for (let attempts = 1; ; attempts += 1) {
      const answer = await this.send(method, path, options);
      const retry = isRetryable(answer.status) || (answer.status === 401 && options.user);
      if (!retry || Date.now() >= options.untilMs) return { ...answer, attempts };
      const pauses = options.pausesMs ?? PAUSE_MS;
      const pause = pauses[Math.min(attempts - 1, pauses.length - 1)] ?? 100;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  token(username: string): Promise<string> {
    let token = this.tokens.get(username);
    if (!token) {
      token = this.raw(
        'POST',
        '/api/v1/auth/login',
        {},
        { username, password: this.password },
      ).then((answer) => {
        if (answer.status !== 200) throw new Error(`login ${username}: ${answer.status}`);
        return (JSON.parse(answer.body) as { accessToken: string }).accessToken;
      });
      token.catch(() => this.tokens.delete(username));
      this.tokens.set(username, token);
    }
    return token;
  }

  close(): void {
    this.agent.destroy();
  }

  private raw(
    method: string,
    path: string,
    extra: Record<string, string | number>,
    body: unknown,
    timeoutMs = 30_000,
  ): Promise<Answer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { accept: 'application/json', ...extra };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    return new Promise((resolve) => {
      const req = request(
        {
          host: this.base.hostname,
          port: this.base.port,
          method,
          path,
          headers,
          agent: this.agent,
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', () => resolve({ status: 0, body: 'response broken' }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (error) => resolve({ status: 0, body: error.message }));
      req.end(payload);
    });
  }
}
