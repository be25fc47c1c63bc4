// What a browser and a TLS scanner get on the wire (P4), for the tests of tls-wire*.test.ts: the
// platform around the operator (a stand-in kubelet for the app pods, a test CA standing in for
// cert-manager, Traefik on loopback with the controller-wide TLS settings a platform team sets),
// the sample-shaped tenants, and the checks. Each check returns violations, each naming the tenant
// and the rule it breaks, so a test that breaks a rule on purpose can assert the message.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tenant } from '../../src/api/generated/index.js';
import { ECDHE_CIPHERS_GO } from '../../src/resources/ingress.js';
import { ensureBinaries } from '../env/build.js';
import { startLocalKubelet, type LocalKubelet } from '../env/local-kubelet.js';
import { startTestCaIssuer, type TestCaIssuer } from '../env/test-ca-issuer.js';
import { startTraefik, TRAEFIK_GATEWAY_CONTROLLER, type Traefik } from '../env/traefik.js';
import { applyObjects, eventually } from './cluster.js';
import { kubectl, testKubeconfig } from './kubectl.js';
import { testConfig } from './operator.js';
import { podCidrSetting } from '../env/pod-route.js';
import { getOnce, type Answer } from './http-once.js';
import { ENCRYPTED_CLASS, installPrerequisites } from './prerequisites.js';
import { sslscan, tlsViolations, type TlsScan } from './tls-scan.js';

/** The providers Traefik puts on the wire: its own CRDs, and Gateway API. */
export type WireProvider = 'traefik' | 'gateway';

/** The least HSTS max-age the promise allows: one year. */
export const HSTS_MIN_MAX_AGE = 31_536_000;

/** Paths every HTTPS and HTTP check asks for: the root and a deeper one, since a route may match only `/`. */
export const CHECKED_PATHS = ['/', '/account/settings?tab=security'] as const;

/** The app header the stand-in kubelet's servers answer with: whose app answered. */
const APP_NAMESPACE_HEADER = 'x-tenantry-namespace';

/** The Gateway the `gateway` provider's routes attach to, as a platform team creates it. */
export const GATEWAY = { className: 'tenantry-wire', name: 'tenants', namespace: 'tenantry-wire-gateway' } as const;

/** One tenant as the checks see it. */
export interface WireTenant {
  name: string;
  namespace: string;
  host: string;
  /** What the sample it mimics is: `trial on postgres`, `paid on mariadb`, `suspended`. */
  shape: string;
  suspended: boolean;
}

/** Where Traefik listens and which CA signs the tenants' certificates. */
export interface WireEndpoint {
  httpPort: number;
  httpsPort: number;
  caPem: string;
}

/** The running pieces around the operator, shared by the providers of one test file. */
export interface WirePlatform {
  traefik: Traefik;
  kubelet: LocalKubelet;
  issuer: TestCaIssuer;
  endpoint: WireEndpoint;
  stop(): Promise<void>;
}

/** Returns the three sample-shaped tenants of a provider: a trial on PostgreSQL, a paid one on MariaDB, a suspended one. */
export function wireTenants(run: string, provider: WireProvider, label: Record<string, string>): { manifest: Tenant; wire: WireTenant }[] {
  const shapes: { suffix: string; shape: string; spec: Tenant['spec'] }[] = [
    {
      suffix: 'trial',
      shape: 'trial on postgres',
      spec: { plan: 'trial', region: 'eu-central-1', database: { engine: 'postgres' }, lifecycle: { trialEndsAt: '2030-01-31T00:00:00Z' } },
    },
    {
      suffix: 'paid',
      shape: 'paid on mariadb',
      spec: { plan: 'paid', region: 'us-east-1', database: { engine: 'mariadb' }, lifecycle: { paidAt: '2025-06-01T09:30:00Z' } },
    },
    { suffix: 'susp', shape: 'suspended', spec: { plan: 'paid', region: 'eu-central-1', database: { engine: 'postgres' }, suspend: true } },
  ];
  return shapes.map(({ suffix, shape, spec }) => {
    const name = `w${run}-${provider.slice(0, 2)}-${suffix}`;
    return {
      manifest: { apiVersion: 'tenantry.io/v1alpha1', kind: 'Tenant', metadata: { name, labels: label }, spec },
      wire: { name, namespace: `tenant-${name}`, host: `${name}.tenants.test`, shape, suspended: spec.suspend === true },
    };
  });
}

/**
 * Starts the platform around the operator: the test CA, the stand-in kubelet (only for the app
 * pods of `tenantNames`, so other test files' pods stay untouched), and Traefik with its CRD and
 * Gateway API providers plus the controller-wide `default` TLSOption the README asks for.
 */
export async function startWirePlatform(tenantNames: string[], log: (line: string) => void): Promise<WirePlatform> {
  await installPrerequisites();
  const bins = await ensureBinaries();
  const kubeconfig = testKubeconfig();
  const server = process.env.TENANTRY_ENV_SERVER;
  const pki = process.env.TENANTRY_ENV_PKI;
  if (!server || !pki) throw new Error('TENANTRY_ENV_SERVER/TENANTRY_ENV_PKI not set: run through the test driver');
  const dir = mkdtempSync(join(tmpdir(), 'tenantry-wire-'));
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s();
  };
  try {
    const issuer = await startTestCaIssuer({ kubeconfig, dir: join(dir, 'ca'), log });
    stops.push(() => issuer.stop());
    const kubelet = await startLocalKubelet({
      kubeconfig,
      selector: `app.kubernetes.io/component=app,tenantry.io/tenant in (${tenantNames.join(',')})`,
      // test/run.ts routed this range locally (test/env/pod-route.ts): EndpointSlices refuse loopback addresses.
      podCidr: podCidrSetting(),
      log,
    });
    stops.push(() => kubelet.stop());
    const traefik = await startTraefik({
      traefik: bins.traefik,
      kubectl: bins.kubectl,
      kubeconfig,
      server,
      caFile: join(pki, 'ca.crt'),
      dir: join(dir, 'traefik'),
      providers: ['crd', 'gateway'],
    });
    stops.push(() => traefik.stop());
    await applyObjects([defaultTlsOption(traefik.namespace)]);
    stops.push(
      async () => void (await kubectl(['delete', 'tlsoption.traefik.io', 'default', '-n', traefik.namespace, '--ignore-not-found'])),
    );
    const endpoint = { httpPort: traefik.httpPort, httpsPort: traefik.httpsPort, caPem: issuer.caCertPem };
    return { traefik, kubelet, issuer, endpoint, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * The controller-wide TLSOption `default` a platform team sets next to Traefik (README: it should
 * match the per-tenant one): it covers connections whose SNI names no tenant route, and every
 * Gateway API listener, since Gateway API has no portable field for TLS versions or suites.
 */
export function defaultTlsOption(namespace: string): Record<string, unknown> {
  return {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'TLSOption',
    metadata: { name: 'default', namespace },
    spec: { minVersion: 'VersionTLS12', cipherSuites: [...ECDHE_CIPHERS_GO], sniStrict: true },
  };
}

/** Returns the operator configuration of a provider; the gateway one attaches to {@link GATEWAY} on Traefik's ports. */
export function wireOperatorConfig(provider: WireProvider, platform: WirePlatform): Record<string, unknown> {
  const base = testConfig(provider, ENCRYPTED_CLASS);
  const controller = {
    controllerNamespace: platform.traefik.namespace,
    controllerPodLabels: { 'app.kubernetes.io/name': 'traefik' },
  };
  if (provider === 'traefik') return { ...base, ingress: { provider, className: 'traefik', ...controller } };
  return {
    ...base,
    ingress: {
      provider,
      ...controller,
      gateway: {
        name: GATEWAY.name,
        namespace: GATEWAY.namespace,
        httpsSectionName: 'https',
        httpSectionName: 'http',
        tlsListener: 'Gateway',
        httpsPort: platform.traefik.httpsPort,
      },
    },
  };
}

/** The platform's wildcard certificate for the base domain, the one the Gateway's catch-all HTTPS listener presents. */
const WILDCARD_SECRET = 'tenants-wildcard-tls';

/**
 * The GatewayClass and Gateway a platform team runs for `tlsListener: Gateway`, with the listeners on
 * Traefik's entry point ports (its Gateway provider maps a listener to the entry point of the same
 * port) and routes allowed from tenant namespaces only. The tenants' HTTPS routes attach to the
 * catch-all listener `https`, which presents a wildcard for the base domain (issued by the same CA
 * into the Gateway's namespace); each served tenant gets a listener for its host that names its own
 * Secret, read through the ReferenceGrant the operator writes in the tenant namespace. Traefik
 * v3.6.12 loads only the first certificateRef of a listener (hence one listener per tenant) and puts
 * every listener's certificate in one store chosen by SNI, so a tenant's host gets its own certificate.
 */
export function platformGateway(endpoint: WireEndpoint, served: WireTenant[]): Record<string, unknown>[] {
  const allowedRoutes = {
    namespaces: { from: 'Selector', selector: { matchLabels: { 'app.kubernetes.io/managed-by': 'tenantry' } } },
    kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
  };
  const https = (name: string, secret: { name: string; namespace: string }, hostname?: string) => ({
    name,
    port: endpoint.httpsPort,
    protocol: 'HTTPS',
    ...(hostname ? { hostname } : {}),
    tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', ...secret }] },
    allowedRoutes,
  });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: GATEWAY.namespace } },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'tenants-wildcard', namespace: GATEWAY.namespace },
      spec: {
        secretName: WILDCARD_SECRET,
        dnsNames: ['*.tenants.test'],
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'test-issuer' },
        privateKey: { algorithm: 'ECDSA', size: 256 },
      },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: GATEWAY.className },
      spec: { controllerName: TRAEFIK_GATEWAY_CONTROLLER },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: GATEWAY.name, namespace: GATEWAY.namespace },
      spec: {
        gatewayClassName: GATEWAY.className,
        listeners: [
          { name: 'http', port: endpoint.httpPort, protocol: 'HTTP', allowedRoutes },
          https('https', { name: WILDCARD_SECRET, namespace: GATEWAY.namespace }),
          ...served.map((t) => https(`t-${t.name}`, { name: `${t.name}-tls`, namespace: t.namespace }, t.host)),
        ],
      },
    },
  ];
}

export type { Answer } from './http-once.js';

/**
 * GET over HTTPS to Traefik on 127.0.0.1 with `sni` as the server name and `hostHeader` as Host.
 * With `verify` (the default) the certificate must chain to the test CA and name `sni`.
 */
export function httpsGet(ep: WireEndpoint, sni: string, path: string, hostHeader = sni, verify = true): Promise<Answer> {
  return getOnce({ host: '127.0.0.1', port: ep.httpsPort, path, hostHeader, tls: { servername: sni, ca: ep.caPem, verify } });
}

/** GET over plain HTTP to Traefik on 127.0.0.1 with `hostHeader` as Host. */
export function httpGet(ep: WireEndpoint, hostHeader: string, path: string): Promise<Answer> {
  return getOnce({ host: '127.0.0.1', port: ep.httpPort, path, hostHeader });
}

/** Whose app answered (the stand-in app's header), if any. */
export function answeredBy(a: Answer): string | undefined {
  const v = a.headers[APP_NAMESPACE_HEADER];
  return Array.isArray(v) ? v.join(',') : v;
}

function prefix(t: WireTenant): string {
  return `tenant ${t.name} (${t.host})`;
}

/** Waits until the tenant's app pods are Ready, Traefik routes its host, and HTTPS with its certificate reaches its own app. */
export async function waitServed(platform: WirePlatform, t: WireTenant, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(1000, deadline - Date.now());
  await platform.kubelet.waitReady(t.namespace, left());
  await platform.traefik.waitForHost(t.host, left());
  await eventually(
    `${prefix(t)} served over HTTPS by its own app with its certificate`,
    async () => answeredBy(await httpsGet(platform.endpoint, t.host, '/')) === t.namespace,
    left(),
    250,
  );
}

/** Runs sslscan against the tenant's host (SNI, 127.0.0.1) and returns the scan and its violations, each naming the tenant. */
export async function scanTenant(t: WireTenant, ep: WireEndpoint): Promise<{ scan: TlsScan; violations: string[] }> {
  const scan = await sslscan(t.host, ep.httpsPort);
  // tlsViolations names the host first; the tenant goes in front.
  return { scan, violations: tlsViolations(scan, t.host).map((v) => `${prefix(t)}: TLS: ${v.replace(`${t.host}: `, '')}`) };
}

/** HSTS: every HTTPS answer carries Strict-Transport-Security with max-age of at least a year, and comes from the tenant's own app. */
export async function hstsViolations(t: WireTenant, ep: WireEndpoint, paths: readonly string[] = CHECKED_PATHS): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    let a: Answer;
    try {
      a = await httpsGet(ep, t.host, path);
    } catch (e) {
      out.push(`${prefix(t)}: HSTS: HTTPS GET ${path} failed: ${(e as Error).message}`);
      continue;
    }
    const sts = a.headers['strict-transport-security'];
    const maxAge = sts ? /(?:^|;)\s*max-age=(\d+)/i.exec(sts)?.[1] : undefined;
    if (!sts) out.push(`${prefix(t)}: HSTS: HTTPS GET ${path} answered ${a.status} without a Strict-Transport-Security header`);
    else if (maxAge === undefined || Number(maxAge) < HSTS_MIN_MAX_AGE)
      out.push(`${prefix(t)}: HSTS: HTTPS GET ${path} has Strict-Transport-Security "${sts}", max-age below ${HSTS_MIN_MAX_AGE}`);
    if (answeredBy(a) !== t.namespace) out.push(`${prefix(t)}: HTTPS GET ${path} answered ${a.status} not by its own app`);
  }
  return out;
}

/** HTTP: answers only with a permanent redirect (301/308) to the same path on https://<host>, never from the app. */
export async function redirectViolations(t: WireTenant, ep: WireEndpoint, paths: readonly string[] = CHECKED_PATHS): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    let a: Answer;
    try {
      a = await httpGet(ep, t.host, path);
    } catch (e) {
      out.push(`${prefix(t)}: HTTP redirect: GET ${path} failed: ${(e as Error).message}`);
      continue;
    }
    const location = a.headers.location;
    const wanted = [`https://${t.host}${path}`, `https://${t.host}:443${path}`];
    if (a.status !== 301 && a.status !== 308)
      out.push(`${prefix(t)}: HTTP redirect: GET http://${t.host}${path} answered ${a.status}, not a permanent redirect (301/308)`);
    else if (!location || !wanted.includes(location))
      out.push(`${prefix(t)}: HTTP redirect: GET http://${t.host}${path} redirects to ${location ?? '(no Location)'}, not ${wanted[0]}`);
    if (answeredBy(a) !== undefined) out.push(`${prefix(t)}: HTTP redirect: plain HTTP GET ${path} reached the app of ${answeredBy(a)}`);
  }
  return out;
}

/** Isolation: a request for `other`'s host over `t`'s SNI (and certificate) never reaches `other`'s app. */
export async function crossTenantViolations(t: WireTenant, other: WireTenant, ep: WireEndpoint): Promise<string[]> {
  let a: Answer;
  try {
    a = await httpsGet(ep, t.host, '/', other.host);
  } catch {
    // Refused outright (e.g. the connection is closed): nothing reached the other tenant.
    return [];
  }
  if (answeredBy(a) === other.namespace)
    return [`${prefix(t)}: isolation: Host ${other.host} over the SNI ${t.host} reached tenant ${other.name}'s app (${a.status})`];
  return [];
}

/** A suspended tenant serves nothing: no TLS handshake for its host, or an answer of Traefik's own (404/503), never its app. */
export async function suspendedViolations(t: WireTenant, ep: WireEndpoint): Promise<string[]> {
  const out: string[] = [];
  const probes: [string, () => Promise<Answer>][] = [
    // Unverified: what matters is whether anything of the tenant answers, whatever certificate Traefik falls back to.
    ['HTTPS GET /', () => httpsGet(ep, t.host, '/', t.host, false)],
    ['HTTP GET /', () => httpGet(ep, t.host, '/')],
  ];
  for (const [what, probe] of probes) {
    let a: Answer;
    try {
      a = await probe();
    } catch {
      continue;
    }
    if (answeredBy(a) !== undefined) out.push(`${prefix(t)}: suspended: ${what} reached the app of ${answeredBy(a)}`);
    else if (a.status !== 404 && a.status !== 503) out.push(`${prefix(t)}: suspended: ${what} answered ${a.status}, not 404/503`);
  }
  return out;
}
