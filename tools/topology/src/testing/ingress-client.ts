import { waitUntil } from '@casegrid/testing';

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** What a client of a system whose instances crash sees and may simply try again. */
const RETRYABLE = new Set([502, 503, 504]);

/**
 * A client of the ingress as an operator's integration would be: it signs in, sends each
 * command with an Idempotency-Key, and when an instance is down (connection refused or
 * reset, 502/503/504 from the ingress) sends the same request again until an answer comes.
 * The key makes the repeat safe: a command that committed before the crash answers as it
 * did, one that did not runs now.
 */
export class IngressClient {
  private readonly tokens = new Map<string, string>();

  constructor(
    readonly url: string,
    private readonly password: string,
    private readonly timeoutMs = 120_000,
  ) {}

  async send(
    method: string,
    path: string,
    username: string | undefined,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<Answer> {
    let answer: Answer | undefined;
    await waitUntil(
      async () => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (username) headers['authorization'] = `Bearer ${await this.token(username)}`;
        if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
        try {
          const response = await fetch(`${this.url}${path}`, {
            method,
            headers,
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(90_000),
          });
          if (RETRYABLE.has(response.status)) return false;
          const text = await response.text();
          answer = {
            status: response.status,
            body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
          };
          return true;
        } catch {
          return false; // refused, reset or timed out: the instance is down or restarting
        }
      },
      { what: `${method} ${path}`, timeoutMs: this.timeoutMs, intervalMs: 100 },
    );
    return answer!;
  }

  /** Like `send`, but anything other than `expected` fails with the answer. */
  async expect(
    expected: number,
    method: string,
    path: string,
    username: string | undefined,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<Record<string, unknown>> {
    const answer = await this.send(method, path, username, body, idempotencyKey);
    if (answer.status !== expected) {
      throw new Error(
        `${method} ${path} as ${username}: ${answer.status} ${JSON.stringify(answer.body)}`,
      );
    }
    return answer.body;
  }

  async token(username: string): Promise<string> {
    const known = this.tokens.get(username);
    if (known) return known;
    const body = await this.expect(200, 'POST', '/api/v1/auth/login', undefined, {
      username,
      password: this.password,
    });
    const token = body['accessToken'] as string;
    this.tokens.set(username, token);
    return token;
  }
}
