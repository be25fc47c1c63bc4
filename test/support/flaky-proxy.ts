// A TCP proxy that drops connections carrying large request bodies once tripped: it models a
// network that fails in the middle of an upload while small requests (abort, list) still pass.
import { createServer, connect, type Server, type Socket } from 'node:net';

/** A running proxy. */
export interface FlakyProxy {
  url: string;
  /** Connections cut so far. */
  cuts(): number;
  close(): Promise<void>;
}

/**
 * Forwards loopback TCP to `target`; after `tripAfterBytes` have gone upstream in total, any
 * connection that sends more than `maxBodyBytes` is destroyed.
 */
export async function startFlakyProxy(target: URL, o: { tripAfterBytes: number; maxBodyBytes: number }): Promise<FlakyProxy> {
  let total = 0;
  let cut = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    let sent = 0;
    client.on('data', (d: Buffer) => {
      total += d.length;
      sent += d.length;
      if (total > o.tripAfterBytes && sent > o.maxBodyBytes) {
        cut++;
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => client.write(d));
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    cuts: () => cut,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
