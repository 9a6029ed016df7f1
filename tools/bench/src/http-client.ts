import { Agent, request } from 'node:http';

export interface HttpAnswer {
  /** The HTTP status, or 0 when no answer came (refused, reset, timed out). */
  readonly status: number;
  readonly body: string;
}

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * JSON over node:http with kept-alive connections. Not `fetch`: on a two-core machine the
 * client shares the cores with the system it measures, and node:http spends a fraction
 * of undici's CPU per request. One agent per system, sized for clients and pollers, so
 * that no request waits for a socket.
 */
export class HttpJsonClient {
  private readonly agent: Agent;
  private readonly base: URL;

  constructor(baseUrl: string, sockets: number) {
    this.base = new URL(baseUrl);
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  send(method: 'GET' | 'POST', path: string, token?: string, body?: unknown): Promise<HttpAnswer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (token) headers['authorization'] = `Bearer ${token}`;
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
          timeout: REQUEST_TIMEOUT_MS,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', () => resolve({ status: 0, body: '' }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (error) => resolve({ status: 0, body: error.message }));
      req.end(payload);
    });
  }

  /** Signs in through the embedded issuer: `POST /api/v1/auth/login` → its access token. */
  async login(username: string, password: string): Promise<string> {
    const answer = await this.send('POST', '/api/v1/auth/login', undefined, { username, password });
    if (answer.status !== 200) {
      throw new Error(`login of ${username} failed: ${answer.status} ${answer.body}`);
    }
    return (JSON.parse(answer.body) as { accessToken: string }).accessToken;
  }

  close(): void {
    this.agent.destroy();
  }
}
