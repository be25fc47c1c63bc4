// A raw JSON client for the API server. The typed clients of @kubernetes/client-node serialise
// bodies through generated models whose property names differ from the wire names where the
// wire name is a reserved word (NetworkPolicy `from` is `_from`, LimitRange `default` is
// `_default`): a plain manifest sent through them silently loses those fields — an ingress
// rule without `from` allows everyone. Everything the reconciler writes or compares therefore
// goes over plain JSON.
import { Agent, request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** An HTTP error answer of the API server; `code` and `headers` are what the work queue reads. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly headers: Record<string, string>,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${code}: ${ApiError.reason(body)}`);
    this.name = 'ApiError';
  }

  /** Extracts the message of a Kubernetes Status body, or the start of the body. */
  private static reason(body: string): string {
    try {
      const s = JSON.parse(body) as { message?: string };
      if (s.message) return s.message;
    } catch {
      /* not a Status object */
    }
    return body.slice(0, 300);
  }
}

/** What identifies the REST path of a kind. */
export interface KindPath {
  apiVersion: string;
  plural: string;
  namespaced: boolean;
}

/** Returns the REST path of a kind's collection (in a namespace if given) or of one object. */
export function resourcePath(k: KindPath, namespace?: string, name?: string, subresource?: string): string {
  const base = k.apiVersion.includes('/') ? `/apis/${k.apiVersion}` : `/api/${k.apiVersion}`;
  const ns = k.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const obj = name ? `/${encodeURIComponent(name)}` : '';
  return `${base}${ns}/${k.plural}${obj}${subresource ? `/${subresource}` : ''}`;
}

/** Options of one request. */
export interface RequestSpec {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
}

/** Sends JSON requests with the credentials of a KubeConfig over kept-alive connections. */
export class KubeRest {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly server: URL;

  constructor(private readonly kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
  }

  /** Performs a request and resolves with the parsed JSON answer; rejects with {@link ApiError} on an HTTP error. */
  async request<T>(method: string, path: string, spec: RequestSpec = {}): Promise<T> {
    const opts: RequestOptions = {};
    // Applied per request so that credentials from exec plugins or token files stay fresh.
    await this.kc.applyToHTTPSOptions(opts);
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined) query.set(k, String(v));
    const qs = query.toString();
    const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const headers: Record<string, string | number> = { ...(opts.headers as Record<string, string>), accept: 'application/json' };
    if (payload !== undefined) {
      headers['content-type'] = spec.contentType ?? 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    return new Promise<T>((resolve, reject) => {
      const req = request(
        {
          ...opts,
          agent: this.agent,
          protocol: this.server.protocol,
          hostname: this.server.hostname,
          port: this.server.port,
          method,
          path: `${this.server.pathname.replace(/\/$/, '')}${path}${qs ? `?${qs}` : ''}`,
          headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const code = res.statusCode ?? 0;
            if (code >= 200 && code < 300) {
              try {
                resolve((text ? JSON.parse(text) : {}) as T);
              } catch (e) {
                reject(new Error(`${method} ${path}: unparseable answer: ${(e as Error).message}`));
              }
              return;
            }
            const h: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k] = Array.isArray(v) ? v.join(', ') : v;
            reject(new ApiError(code, h, text, `${method} ${path}`));
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Closes kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}
