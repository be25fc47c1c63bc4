// The HTTP endpoints the kubelet and Prometheus call: /healthz (liveness), /readyz (readiness:
// watches live and, for the leader, the lease held) and /metrics. Plain node:http, because three
// fixed GET routes do not justify a web framework in the operator image.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { getLogger } from '../log.js';

/** The answer of a probe: a boolean, or a verdict with the reason a person reads on failure. */
export type ProbeResult = boolean | { ok: boolean; reason?: string };

/** Options of startHealthServer. */
export interface HealthServerOptions {
  /** TCP port; 0 picks a free one (tests). */
  port: number;
  /** Address to bind, e.g. "0.0.0.0" in a pod, "127.0.0.1" in tests. Default all interfaces. */
  host?: string;
  /** Liveness: false makes the kubelet restart the container. */
  healthy: () => ProbeResult;
  /** Readiness: false takes the pod out of service endpoints. */
  ready: () => ProbeResult;
  /** The registry /metrics serves. */
  registry: Registry;
}

/** A running health server. */
export interface HealthServer {
  /** The port actually bound (useful with port 0). */
  port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** Returns the status code and body text of a probe, treating a throwing probe as failed. */
function probe(check: () => ProbeResult, what: string): [number, string] {
  try {
    const result = check();
    const ok = typeof result === 'boolean' ? result : result.ok;
    if (ok) return [200, 'ok\n'];
    const reason = typeof result === 'boolean' ? undefined : result.reason;
    return [503, `${reason ?? `not ${what}`}\n`];
  } catch (err) {
    getLogger().error(`${what} probe threw`, { err });
    return [503, `${what} check failed: ${err instanceof Error ? err.message : String(err)}\n`];
  }
}

/** Writes a plain-text response. */
function send(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** Starts the HTTP server serving /healthz, /readyz and /metrics; resolves once it listens. */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const { healthy, ready, registry } = options;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, 'method not allowed\n');
      return;
    }
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    switch (path) {
      case '/healthz':
        send(res, ...probe(healthy, 'healthy'));
        return;
      case '/readyz':
        send(res, ...probe(ready, 'ready'));
        return;
      case '/metrics':
        send(res, 200, await registry.metrics(), registry.contentType);
        return;
      default:
        send(res, 404, 'not found\n');
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      getLogger().error('health server request failed', { path: req.url, err });
      if (!res.headersSent) send(res, 500, 'internal error\n');
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Errors after listening (e.g. a client resetting) must not crash the process.
  server.on('error', (err) => getLogger().error('health server error', { err }));

  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive connections (Prometheus scrapes) would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
