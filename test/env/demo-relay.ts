// A TCP relay on a loopback port chosen before the server behind it exists. `npm start` writes the
// relays' ports into the operator's configuration and the sample BackupPolicy at once, so the
// operator comes up before KMS and S3 are built; once they run on their own (free) ports the relay
// forwards to them. Until then a connection is closed at once, which clients see as the service
// being down, exactly what it is.
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/** A relay listening on 127.0.0.1:{@link port}. */
export interface Relay {
  readonly port: number;
  /** `http://127.0.0.1:<port>`: the endpoint clients are given. */
  readonly endpoint: string;
  /** Forwards every later connection to this loopback port. */
  setTarget(port: number): void;
  close(): Promise<void>;
}

/** Starts a relay on a free loopback port (or `port`). */
export async function startRelay(port = 0): Promise<Relay> {
  let target: number | undefined;
  const open = new Set<Socket>();
  // Half-open both ways: a client that ends its request still gets the whole answer.
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    if (target === undefined) {
      client.destroy();
      return;
    }
    const upstream = connect({ port: target, host: '127.0.0.1', allowHalfOpen: true });
    open.add(upstream);
    upstream.once('close', () => open.delete(upstream));
    // Either side closing or failing ends both: a relay adds no behaviour of its own.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    endpoint: `http://127.0.0.1:${bound}`,
    setTarget(p) {
      target = p;
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
