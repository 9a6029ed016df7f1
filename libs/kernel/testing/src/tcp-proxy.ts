import { createServer, Socket, type Server } from 'node:net';

/**
 * A TCP proxy for fault specs: it forwards to `target` until `blackhole()`, after which it
 * keeps every connection open and passes nothing either way — what a peer sees of a
 * machine that vanished or a network that was cut (no FIN, no RST; the proxy's own kernel
 * even acknowledges what it is sent). `resume()` forwards again what was held back.
 */
export interface TcpProxy {
  readonly port: number;
  blackhole(): void;
  resume(): void;
  close(): Promise<void>;
}

export const startTcpProxy = async (target: { host: string; port: number }): Promise<TcpProxy> => {
  let holding = false;
  const pairs = new Set<{
    client: Socket;
    upstream: Socket;
    held: { to: Socket; data: Buffer }[];
  }>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    const pair = { client, upstream, held: [] as { to: Socket; data: Buffer }[] };
    pairs.add(pair);
    const pass = (to: Socket) => (data: Buffer) => {
      if (holding) pair.held.push({ to, data });
      else to.write(data);
    };
    client.on('data', pass(upstream));
    upstream.on('data', pass(client));
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
    upstream.connect(target.port, target.host);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    blackhole: () => {
      holding = true;
    },
    resume: () => {
      holding = false;
      for (const pair of pairs) {
        for (const { to, data } of pair.held.splice(0)) to.write(data);
      }
    },
    close: async () => {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
