// Traefik of the local environment (test/env/traefik.ts) against the test control plane: it runs as
// a ServiceAccount with only the rules its docs list, loads an IngressRoute (CRD provider), an
// Ingress (Ingress provider) and an HTTPRoute (Gateway provider), and routes to an app that
// stands in for a Pod: a node:http server on a local address behind a Service and an EndpointSlice.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureBinaries } from '../env/build.js';
import { cacheDir } from '../env/paths.js';
import { runTool } from '../env/proc.js';
import { startTraefik, TRAEFIK_GATEWAY_CONTROLLER, type Traefik } from '../env/traefik.js';
import { ensureUpstreamCrds } from '../env/upstream-crds.js';
import { applyObjects } from '../support/cluster.js';
import { getOnce, type Answer } from '../support/http-once.js';
import { kubectl, kubectlOk, testKubeconfig } from '../support/kubectl.js';

const APP_NS = 'traefik-env-app';
const TRAEFIK_NS = 'traefik-env';
const HOST = 'app.traefik-env.test';
const INGRESS_HOST = 'ingress.traefik-env.test';
const GATEWAY_HOST = 'gateway.traefik-env.test';
// Not 127.0.0.x: the API server refuses loopback addresses in an EndpointSlice
// ("may not be in the loopback range"), so the app listens on this machine's first non-loopback IPv4 address.
const APP_IP = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
const SA = `system:serviceaccount:${TRAEFIK_NS}:traefik`;

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run integration tests through \`npm run test:integration\``);
  return v;
}

/** An HTTPS GET to Traefik on loopback with `host` as SNI and Host header, trusting only `ca`. */
function httpsGet(port: number, host: string, ca: string): Promise<Answer> {
  return getOnce({ host: '127.0.0.1', port, path: '/', hostHeader: host, tls: { servername: host, ca } });
}

function httpGet(port: number, host: string): Promise<Answer> {
  return getOnce({ host: '127.0.0.1', port, path: '/', hostHeader: host });
}

async function canI(verb: string, resource: string, extra: string[] = []): Promise<boolean> {
  const r = await kubectl(['auth', 'can-i', verb, resource, '-A', `--as=${SA}`, ...extra]);
  // Exit 0 with "yes", exit 1 with "no"; anything else is an error of the check itself.
  if (r.stdout.trim() === 'yes') return true;
  if (r.stdout.trim() === 'no') return false;
  throw new Error(`kubectl auth can-i ${verb} ${resource}: ${r.stderr}`);
}

describe('Traefik in the local environment', () => {
  let traefik: Traefik | undefined;
  let app: Server | undefined;
  let dir = '';
  let cert = '';

  before(async () => {
    if (!APP_IP) throw new Error('this machine has no non-loopback IPv4 address for the stand-in app');
    const bins = await ensureBinaries();
    for (const f of await ensureUpstreamCrds(join(cacheDir(), 'upstream-crds')))
      await kubectlOk(['apply', '--server-side', '--field-manager=tenantry-tests', '-f', f]);
    dir = mkdtempSync(join(tmpdir(), 'tenantry-traefik-'));

    // The app: answers with its name and the Host it was asked for, so a test sees which route reached it.
    app = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`app of ${APP_NS} for ${req.headers.host}`));
    await new Promise<void>((r) => app!.listen(0, APP_IP, r));
    const appPort = (app.address() as { port: number }).port;

    const key = join(dir, 'tls.key');
    const crt = join(dir, 'tls.crt');
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    const name = ['-subj', `/CN=${HOST}`, '-addext', `subjectAltName=DNS:${HOST}`];
    await runTool('openssl', ['req', '-x509', ...ec, '-days', '1', ...name, '-keyout', key, '-out', crt]);
    cert = readFileSync(crt, 'utf8');

    traefik = await startTraefik({
      traefik: bins.traefik,
      kubectl: bins.kubectl,
      kubeconfig: testKubeconfig(),
      server: env('TENANTRY_ENV_SERVER'),
      caFile: join(env('TENANTRY_ENV_PKI'), 'ca.crt'),
      dir: join(dir, 'traefik'),
      providers: ['crd', 'ingress', 'gateway'],
      namespace: TRAEFIK_NS,
    });

    const labels = { 'app.kubernetes.io/name': 'app' };
    await applyObjects([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: APP_NS } }]);
    await applyObjects([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'app-tls', namespace: APP_NS },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': Buffer.from(cert).toString('base64'), 'tls.key': readFileSync(key).toString('base64') },
      },
      // No selector: the EndpointSlice below, not a controller, says where the app is.
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'app', namespace: APP_NS, labels },
        spec: { ports: [{ name: 'http', port: 8080, targetPort: appPort, protocol: 'TCP' }] },
      },
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'app-1', namespace: APP_NS, labels: { 'kubernetes.io/service-name': 'app' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: [APP_IP], conditions: { ready: true, serving: true, terminating: false } }],
        ports: [{ name: 'http', port: appPort, protocol: 'TCP' }],
      },
      {
        apiVersion: 'traefik.io/v1alpha1',
        kind: 'Middleware',
        metadata: { name: 'hsts', namespace: APP_NS },
        spec: { headers: { stsSeconds: 31536000, stsIncludeSubdomains: true, forceSTSHeader: true } },
      },
      {
        apiVersion: 'traefik.io/v1alpha1',
        kind: 'TLSOption',
        metadata: { name: 'tls-policy', namespace: APP_NS },
        spec: { minVersion: 'VersionTLS12', sniStrict: true },
      },
      {
        apiVersion: 'traefik.io/v1alpha1',
        kind: 'IngressRoute',
        metadata: { name: 'app-https', namespace: APP_NS },
        spec: {
          entryPoints: ['websecure'],
          routes: [
            {
              kind: 'Rule',
              match: `Host(\`${HOST}\`)`,
              middlewares: [{ name: 'hsts', namespace: APP_NS }],
              services: [{ name: 'app', port: 8080 }],
            },
          ],
          tls: { secretName: 'app-tls', options: { name: 'tls-policy', namespace: APP_NS } },
        },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IngressClass',
        metadata: { name: 'traefik-env' },
        spec: { controller: 'traefik.io/ingress-controller' },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'app', namespace: APP_NS },
        spec: {
          ingressClassName: 'traefik-env',
          rules: [
            {
              host: INGRESS_HOST,
              http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'app', port: { name: 'http' } } } }] },
            },
          ],
        },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { name: 'traefik-env' },
        spec: { controllerName: TRAEFIK_GATEWAY_CONTROLLER },
      },
      // Traefik attaches a listener to the entry point with the same port number.
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'shared', namespace: TRAEFIK_NS },
        spec: {
          gatewayClassName: 'traefik-env',
          listeners: [{ name: 'http', port: traefik.httpPort, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }],
        },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'app', namespace: APP_NS },
        spec: {
          parentRefs: [{ name: 'shared', namespace: TRAEFIK_NS, sectionName: 'http' }],
          hostnames: [GATEWAY_HOST],
          rules: [{ backendRefs: [{ name: 'app', port: 8080 }] }],
        },
      },
    ]);
  });

  after(async () => {
    await traefik?.stop();
    await new Promise<void>((r) => (app ? app.close(() => r()) : r()));
    await kubectl(['delete', 'namespace', APP_NS, '--ignore-not-found', '--wait=false']);
    await kubectl(['delete', 'ingressclass', 'traefik-env', '--ignore-not-found']);
    await kubectl(['delete', 'gatewayclass', 'traefik-env', '--ignore-not-found']);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('an IngressRoute with a TLS Secret answers over HTTPS with SNI, with the HSTS header', async () => {
    await traefik!.waitForHost(HOST, 60_000);
    const r = await httpsGet(traefik!.httpsPort, HOST, cert);
    assert.equal(r.status, 200, r.body);
    assert.equal(r.body, `app of ${APP_NS} for ${HOST}`);
    assert.equal(r.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
  });

  test('a handshake with an SNI no route names is refused (the TLSOption is sniStrict, and no default certificate is trusted)', async () => {
    await traefik!.waitForHost(HOST, 60_000);
    await assert.rejects(httpsGet(traefik!.httpsPort, 'other.traefik-env.test', cert));
  });

  test('an Ingress (Ingress provider) and an HTTPRoute (Gateway provider) route to the app over HTTP', async () => {
    await traefik!.waitForHost(INGRESS_HOST, 60_000);
    const viaIngress = await httpGet(traefik!.httpPort, INGRESS_HOST);
    assert.equal(viaIngress.status, 200, viaIngress.body);
    assert.equal(viaIngress.body, `app of ${APP_NS} for ${INGRESS_HOST}`);
    await traefik!.waitForHost(GATEWAY_HOST, 60_000);
    const viaGateway = await httpGet(traefik!.httpPort, GATEWAY_HOST);
    assert.equal(viaGateway.status, 200, viaGateway.body);
    assert.equal(viaGateway.body, `app of ${APP_NS} for ${GATEWAY_HOST}`);
  });

  test("Traefik's ServiceAccount has the rules its docs list and nothing more, and needed nothing it lacks", async () => {
    // What the providers need (Traefik's docs list secrets cluster-wide: it reads TLS Secrets of every namespace).
    for (const [verb, resource, extra] of [
      ['list', 'secrets'],
      ['watch', 'endpointslices.discovery.k8s.io'],
      ['list', 'ingressroutes.traefik.io'],
      ['list', 'ingresses.networking.k8s.io'],
      ['list', 'httproutes.gateway.networking.k8s.io'],
      ['update', 'gateways.gateway.networking.k8s.io', ['--subresource=status']],
    ] as [string, string, string[]?][])
      assert.equal(await canI(verb, resource, extra), true, `${SA} cannot ${verb} ${resource}`);
    // Anything beyond reading routes and their backends, and writing route status.
    for (const [verb, resource] of [
      ['create', 'secrets'],
      ['delete', 'secrets'],
      ['update', 'secrets'],
      ['list', 'pods'],
      ['get', 'pods'],
      ['create', 'pods/exec'],
      ['create', 'serviceaccounts/token'],
      ['list', 'serviceaccounts'],
      ['update', 'ingressroutes.traefik.io'],
      ['delete', 'httproutes.gateway.networking.k8s.io'],
      ['patch', 'services'],
      ['list', 'tenants.tenantry.io'],
      ['list', 'clusterroles.rbac.authorization.k8s.io'],
      ['escalate', 'clusterroles.rbac.authorization.k8s.io'],
      ['impersonate', 'users'],
    ] as [string, string][])
      assert.equal(await canI(verb, resource), false, `${SA} can ${verb} ${resource}`);
    // Every list and watch it made was allowed: a missing rule shows in its log as "forbidden".
    await traefik!.waitForHost(GATEWAY_HOST, 60_000);
    assert.doesNotMatch(readFileSync(traefik!.logFile, 'utf8'), /forbidden/i);
  });

  test('stop removes the ServiceAccount, ClusterRoles and bindings it created', async () => {
    await traefik!.stop();
    await traefik!.stop();
    const all = await kubectlOk(['get', 'clusterroles,clusterrolebindings', '-o', 'name']);
    assert.deepEqual(
      all.split('\n').filter((n) => n.includes(`/tenantry-test-traefik-${TRAEFIK_NS}-`)),
      [],
    );
    const sa = await kubectl(['get', 'serviceaccount', 'traefik', '-n', TRAEFIK_NS]);
    assert.notEqual(sa.code, 0);
    assert.equal(await canI('list', 'secrets'), false);
  });
});
