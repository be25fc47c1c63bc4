// One HTTP(S) request without keep-alive, for tests that look at what a server really answers:
// status, headers and the start of the body.
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** What a server answered. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body's first 4 KiB: enough to tell whose app answered. */
  body: string;
}

/** Where and what to ask; `tls` makes it HTTPS. */
export interface OnceRequest {
  host: string;
  port: number;
  path: string;
  /** The Host header (the address's host when absent). */
  hostHeader?: string;
  /** HTTPS: the SNI name, the CA to trust, and whether the certificate must verify (default true). */
  tls?: { servername: string; ca: string | Buffer; verify?: boolean };
  timeoutMs?: number;
}

const BODY_LIMIT = 4096;

/** Sends one GET and resolves with the answer; rejects on a connection error or after the timeout. */
export function getOnce(r: OnceRequest): Promise<Answer> {
  const timeout = r.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (body.length < BODY_LIMIT) body += d;
      });
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    };
    const common = {
      host: r.host,
      port: r.port,
      path: r.path,
      method: 'GET',
      agent: false as const,
      timeout,
      ...(r.hostHeader ? { headers: { host: r.hostHeader } } : {}),
    };
    const req = r.tls
      ? httpsRequest({ ...common, servername: r.tls.servername, ca: r.tls.ca, rejectUnauthorized: r.tls.verify ?? true }, onResponse)
      : httpRequest(common, onResponse);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeout} ms`)));
    req.on('error', reject);
    req.end();
  });
}
