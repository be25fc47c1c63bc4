// Runs Traefik (built from test/env/traefik) as a local process on loopback, with its Kubernetes
// providers watching the local API server as a ServiceAccount: a TokenRequest token and the
// ClusterRoles Traefik's own docs list for each provider (test/env/traefik/rbac-*.yaml), so it
// reads no more of the cluster than it would in one. No scheduler or kubelet runs here: Traefik
// routes to the addresses in EndpointSlices, which tests point at servers on 127.0.0.x.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { dump, load, loadAll } from 'js-yaml';
import { freePort } from './controlplane.js';
import { envSourceDir } from './paths.js';
import { envLog, isAlive, runTool, sleep } from './proc.js';
import { UPSTREAM_CRD_VERSIONS } from './upstream-crds.js';

/** The Traefik version test/env/traefik/go.mod builds; its CRDs are the ones it watches. */
export const TRAEFIK_VERSION = 'v3.6.12';

/** A Kubernetes provider of Traefik that startTraefik can enable. */
export type TraefikProvider = 'crd' | 'ingress' | 'gateway' | 'ingress-nginx';

export interface TraefikOptions {
  /** Binary path (EnvBinaries.traefik). */
  traefik: string;
  /** kubectl binary. */
  kubectl: string;
  /** Admin kubeconfig, used only to create Traefik's namespace, ServiceAccount, RBAC (and missing CRDs) and to request its token. */
  kubeconfig: string;
  /** API server URL. */
  server: string;
  /** API server CA. */
  caFile: string;
  /** Folder for its config, token and log. */
  dir: string;
  providers: TraefikProvider[];
  /** Where its ServiceAccount lives and the controller-wide TLSOption `default`; default 'traefik'. */
  namespace?: string;
}

export interface Traefik {
  /**
   * Entry point `web` on 127.0.0.1. Gateway provider: a Gateway listener attaches to the entry
   * point whose port equals the listener's port, so a Gateway's HTTP listener must use this port.
   */
  readonly httpPort: number;
  /** Entry point `websecure` on 127.0.0.1 (and the port a Gateway's HTTPS listener must use). */
  readonly httpsPort: number;
  readonly namespace: string;
  readonly logFile: string;
  /** Resolves when Traefik has loaded an enabled router for `host`; rejects after timeoutMs with the log tail. */
  waitForHost(host: string, timeoutMs?: number): Promise<void>;
  /** Idempotent; also removes the RBAC objects (and the namespace, if it created it) it created. */
  stop(): Promise<void>;
}

/** The GatewayClass controllerName Traefik's Gateway provider serves. */
export const TRAEFIK_GATEWAY_CONTROLLER = 'traefik.io/gateway-controller';

const SERVICE_ACCOUNT = 'traefik';
/** Marks the objects startTraefik creates, so stop deletes only those. */
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'tenantry-test-env', 'app.kubernetes.io/name': 'traefik' };
// The token outlives any test run and a long `npm start` session; Traefik reads it once at start.
const TOKEN_DURATION = '24h';
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;

/** The CRDs each provider's informers list (an informer on a missing kind never syncs, and the provider then loads nothing). */
const PROVIDER_CRDS: Record<TraefikProvider, { module: 'traefik' | 'gateway'; names: string[] }> = {
  crd: {
    module: 'traefik',
    names: [
      'ingressroutes',
      'ingressroutetcps',
      'ingressrouteudps',
      'middlewares',
      'middlewaretcps',
      'serverstransports',
      'serverstransporttcps',
      'tlsoptions',
      'tlsstores',
      'traefikservices',
    ].map((n) => `${n}.traefik.io`),
  },
  gateway: {
    module: 'gateway',
    // No tcproutes/tlsroutes: those are watched only with experimentalChannel, which stays off.
    names: ['gatewayclasses', 'gateways', 'httproutes', 'grpcroutes', 'referencegrants', 'backendtlspolicies'].map(
      (n) => `${n}.gateway.networking.k8s.io`,
    ),
  },
  ingress: { module: 'traefik', names: [] },
  'ingress-nginx': { module: 'traefik', names: [] },
};

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

/** Starts Traefik with the chosen providers; resolves once its ping answers. */
export async function startTraefik(opts: TraefikOptions): Promise<Traefik> {
  const namespace = opts.namespace ?? 'traefik';
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const kubectl = (args: string[], input?: string) => kubectlAdmin(opts, args, input);

  await ensureProviderCrds(opts);
  const createdNamespace = await ensureNamespace(kubectl, namespace);
  const rbac = rbacObjects(namespace, opts.providers);
  let started: { pid: number } | undefined;
  const cleanup = async () => {
    if (started) await stopProcess(started.pid);
    started = undefined;
    await deleteOwned(kubectl, rbac, createdNamespace ? namespace : undefined);
  };
  try {
    await kubectl(
      ['apply', '--server-side', '--field-manager=tenantry-test-env', '-f', '-'],
      JSON.stringify({ kind: 'List', apiVersion: 'v1', items: rbac }),
    );
    const token = (await kubectl(['create', 'token', SERVICE_ACCOUNT, '-n', namespace, `--duration=${TOKEN_DURATION}`])).trim();
    const tokenFile = join(opts.dir, 'token');
    writeFileSync(tokenFile, token, { mode: 0o600 });

    const [httpPort, httpsPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const logFile = join(opts.dir, 'traefik.log');
    const configFile = join(opts.dir, 'traefik.yaml');
    writeFileSync(configFile, dump(staticConfig(opts, { httpPort, httpsPort, apiPort, logFile, tokenFile }), { lineWidth: -1 }));
    started = spawnTraefik(opts, configFile);
    const pid = started.pid;
    await waitUntil(`Traefik ping on 127.0.0.1:${apiPort}`, READY_TIMEOUT_MS, logFile, async () => {
      if (!isAlive(pid)) throw new Error(`Traefik exited:\n${tail(join(opts.dir, 'traefik.out'))}`);
      return (await httpGet(apiPort, '/ping')).status === 200;
    });
    envLog(`Traefik ${TRAEFIK_VERSION} (${opts.providers.join(', ')}) on http 127.0.0.1:${httpPort}, https 127.0.0.1:${httpsPort}`);
    let stopping: Promise<void> | undefined;
    return {
      httpPort,
      httpsPort,
      namespace,
      logFile,
      waitForHost: (host, timeoutMs = 30_000) =>
        waitUntil(`a Traefik router for ${host}`, timeoutMs, logFile, async () => {
          if (!isAlive(pid)) throw new Error('Traefik exited');
          return hasRouter(apiPort, host);
        }),
      stop: () => (stopping ??= cleanup()),
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** Runs kubectl as the admin; resolves with stdout, rejects with its stderr. */
function kubectlAdmin(opts: TraefikOptions, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(opts.kubectl, ['--kubeconfig', opts.kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`kubectl ${args.join(' ')} failed (${code}): ${err.trim()}`)),
    );
    child.stdin.end(input ?? '');
  });
}

type Kubectl = (args: string[], input?: string) => Promise<string>;

/** Creates the namespace unless it exists; reports whether it did, so stop deletes only a namespace of its own. */
async function ensureNamespace(kubectl: Kubectl, namespace: string): Promise<boolean> {
  const existing = await kubectl(['get', 'namespace', namespace, '--ignore-not-found', '-o', 'name']);
  if (existing.trim()) return false;
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: MANAGED_BY } };
  await kubectl(['create', '-f', '-'], JSON.stringify(ns));
  return true;
}

/** The ServiceAccount, one ClusterRole per provider from test/env/traefik/rbac-<provider>.yaml, and their bindings. */
function rbacObjects(namespace: string, providers: TraefikProvider[]): KubeObject[] {
  const out: KubeObject[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: SERVICE_ACCOUNT, namespace, labels: MANAGED_BY } },
  ];
  for (const p of [...new Set(providers)]) {
    // Cluster-scoped names carry the namespace, so two Traefik instances never share (or delete) each other's roles.
    const name = `tenantry-test-traefik-${namespace}-${p}`;
    const role = load(readFileSync(join(envSourceDir(), 'traefik', `rbac-${p}.yaml`), 'utf8')) as KubeObject;
    if (role.kind !== 'ClusterRole') throw new Error(`rbac-${p}.yaml holds a ${role.kind}, not a ClusterRole`);
    out.push(
      { ...role, metadata: { name, labels: MANAGED_BY } },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name, labels: MANAGED_BY },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: [{ kind: 'ServiceAccount', name: SERVICE_ACCOUNT, namespace }],
      },
    );
  }
  return out;
}

/**
 * Deletes what startTraefik created, bindings first so the account loses its rights before its
 * roles go; each object only when it still carries our label (someone may have replaced it).
 */
async function deleteOwned(kubectl: Kubectl, objects: KubeObject[], namespace: string | undefined): Promise<void> {
  const order = ['ClusterRoleBinding', 'ClusterRole', 'ServiceAccount'];
  const sorted = [...objects].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  const refs = sorted.map((o) => ({ kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace }));
  if (namespace) refs.push({ kind: 'Namespace', name: namespace, namespace: undefined });
  for (const ref of refs) {
    const nsArgs = ref.namespace ? ['-n', ref.namespace] : [];
    const found = await kubectl(['get', ref.kind, ref.name, ...nsArgs, '--ignore-not-found', '-o', 'json']).catch(() => '');
    if (!found.trim()) continue;
    const labels = (JSON.parse(found) as KubeObject).metadata.labels ?? {};
    if (Object.entries(MANAGED_BY).some(([k, v]) => labels[k] !== v)) {
      envLog(`Traefik stop: ${ref.kind} ${ref.name} no longer carries our labels; left in place`);
      continue;
    }
    await kubectl(['delete', ref.kind, ref.name, ...nsArgs, '--ignore-not-found', '--wait=false']);
  }
}

interface Ports {
  httpPort: number;
  httpsPort: number;
  apiPort: number;
  logFile: string;
  tokenFile: string;
}

/** Traefik's static configuration: three loopback entry points, the chosen providers as the ServiceAccount, log to a file. */
function staticConfig(opts: TraefikOptions, p: Ports): Record<string, unknown> {
  // The token as a file path (Traefik accepts a value or a path), so it is not written into the config.
  const kube = { endpoint: opts.server, token: p.tokenFile, certAuthFilePath: opts.caFile };
  const providers: Record<string, unknown> = {};
  for (const provider of opts.providers) {
    if (provider === 'crd') {
      // Our IngressRoutes name Middlewares and TLSOptions of their own namespace only, so cross-namespace references stay refused.
      providers.kubernetesCRD = { ...kube, allowCrossNamespace: false };
    } else if (provider === 'ingress') {
      providers.kubernetesIngress = { ...kube };
    } else if (provider === 'gateway') {
      providers.kubernetesGateway = { ...kube, statusAddress: { ip: '127.0.0.1' } };
    } else {
      providers.kubernetesIngressNGINX = { ...kube };
    }
  }
  return {
    global: { checkNewVersion: false, sendAnonymousUsage: false },
    entryPoints: {
      // asDefault: a route that names no entry point (an Ingress without the entrypoints annotation) gets these two, not the API's.
      web: { address: `127.0.0.1:${p.httpPort}`, asDefault: true },
      websecure: { address: `127.0.0.1:${p.httpsPort}`, asDefault: true, http: { tls: {} } },
      // The API and ping on their own loopback port, never on the tenants' entry points.
      traefik: { address: `127.0.0.1:${p.apiPort}` },
    },
    ping: { entryPoint: 'traefik' },
    api: { insecure: true, dashboard: false },
    log: { level: 'INFO', format: 'json', filePath: p.logFile },
    providers,
  };
}

/** Starts Traefik in its own process group; its stdout/stderr (anything before the log opens) go to traefik.out. */
function spawnTraefik(opts: TraefikOptions, configFile: string): { pid: number } {
  const fd = openSync(join(opts.dir, 'traefik.out'), 'a');
  const child = spawn(opts.traefik, [`--configFile=${configFile}`], { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  if (child.pid === undefined) throw new Error(`cannot start Traefik (${opts.traefik})`);
  return { pid: child.pid };
}

async function stopProcess(pid: number): Promise<void> {
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_GRACE_MS;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) signal(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    /* already gone */
  }
}

/** Reports whether Traefik's API lists an enabled HTTP router whose rule names `host`. */
async function hasRouter(apiPort: number, host: string): Promise<boolean> {
  const r = await httpGet(apiPort, `/api/http/routers?status=enabled&per_page=1000&search=${encodeURIComponent(host)}`);
  if (r.status !== 200) return false;
  const routers = JSON.parse(r.body) as { rule?: string; status?: string }[];
  // The CRD provider writes Host(`h`); the Gateway provider writes Host("h") (Go's %q).
  const forms = [`Host(\`${host}\`)`, `Host(${JSON.stringify(host)})`];
  return routers.some((x) => x.status === 'enabled' && forms.some((f) => (x.rule ?? '').includes(f)));
}

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Polls `check` until true; rejects after timeoutMs (or when check throws an Error that says Traefik exited) with the log's tail. */
async function waitUntil(what: string, timeoutMs: number, logFile: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('Traefik exited')) throw new Error(`${e.message}\n${tail(logFile)}`);
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; Traefik's log ends:\n${tail(logFile)}`);
    await sleep(250);
  }
}

function tail(file: string, lines = 30): string {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n') : '(no log)';
}

/**
 * Installs the CRDs the chosen providers watch and the cluster lacks, from the same pinned modules
 * (test/env/upstream) as the CRDs our objects use, so the cluster holds one version of each
 * project's CRDs. CRDs already there are left alone, and none is removed at stop: other tests
 * share them.
 */
async function ensureProviderCrds(opts: TraefikOptions): Promise<void> {
  const wanted = new Map<string, 'traefik' | 'gateway'>();
  for (const p of opts.providers) for (const n of PROVIDER_CRDS[p].names) wanted.set(n, PROVIDER_CRDS[p].module);
  if (wanted.size === 0) return;
  const present = new Set(
    (await kubectlAdmin(opts, ['get', 'crd', '-o', 'name']))
      .split('\n')
      .map((l) => l.trim().replace(/^customresourcedefinition\.apiextensions\.k8s\.io\//, '')),
  );
  const missing = [...wanted].filter(([n]) => !present.has(n));
  if (missing.length === 0) return;
  const docs: KubeObject[] = [];
  for (const module of new Set(missing.map(([, m]) => m))) {
    const names = new Set(missing.filter(([, m]) => m === module).map(([n]) => n));
    for (const crd of await moduleCrds(module)) if (names.has(crd.metadata.name)) docs.push(crd);
  }
  const found = new Set(docs.map((d) => d.metadata.name));
  const absent = missing.map(([n]) => n).filter((n) => !found.has(n));
  if (absent.length > 0) throw new Error(`CRDs ${absent.join(', ')} not found in the pinned modules`);
  await kubectlAdmin(opts, ['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs }));
  await kubectlAdmin(opts, ['wait', '--for=condition=established', '--timeout=60s', ...docs.map((d) => `crd/${d.metadata.name}`)]);
  envLog(`installed the CRDs Traefik's providers watch: ${docs.map((d) => d.metadata.name).join(', ')}`);
}

/** Reads the CRDs of one module pinned in test/env/upstream, downloaded (and checked against its go.sum) through the Go module proxy. */
async function moduleCrds(module: 'traefik' | 'gateway'): Promise<KubeObject[]> {
  const [mod, files]: [keyof typeof UPSTREAM_CRD_VERSIONS, string[]] =
    module === 'traefik'
      ? ['github.com/traefik/traefik/v3', ['docs/content/reference/dynamic-configuration/kubernetes-crd-definition-v1.yml']]
      : [
          'sigs.k8s.io/gateway-api',
          ['grpcroutes', 'backendtlspolicies', 'gatewayclasses', 'gateways', 'httproutes', 'referencegrants'].map(
            (n) => `config/crd/standard/gateway.networking.k8s.io_${n}.yaml`,
          ),
        ];
  const version = UPSTREAM_CRD_VERSIONS[mod];
  const moduleDir = join(envSourceDir(), 'upstream');
  // `go mod download` would accept a module go.sum does not pin (and add its line), so the hash is compared here.
  const pinned = readFileSync(join(moduleDir, 'go.sum'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${mod} ${version} h1:`))
    ?.split(' ')[2];
  if (!pinned) throw new Error(`${moduleDir}/go.sum does not pin ${mod}@${version}`);
  const env = { ...process.env, GOFLAGS: '-mod=mod', GOWORK: 'off' };
  const out = await runTool('go', ['mod', 'download', '-json', `${mod}@${version}`], { cwd: moduleDir, env });
  const info = JSON.parse(out) as { Dir?: string; Sum?: string; Error?: string };
  if (info.Error || !info.Dir) throw new Error(`go mod download ${mod}@${version}: ${info.Error ?? 'no folder'}`);
  if (info.Sum !== pinned) throw new Error(`go mod download ${mod}@${version} returned hash ${String(info.Sum)}, go.sum pins ${pinned}`);
  const dir = info.Dir;
  return files.flatMap((f) =>
    (loadAll(readFileSync(join(dir, f), 'utf8')) as (KubeObject | null)[]).filter(
      (d): d is KubeObject => d?.kind === 'CustomResourceDefinition',
    ),
  );
}
