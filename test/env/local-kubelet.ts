// A stand-in kubelet for the tenants' app Pods. The local control plane has no scheduler and no
// kubelet, so an app Pod would stay Pending, its Deployment never available and its Service without
// endpoints. This registers a Node and keeps it alive (Lease and Ready heartbeat, as a kubelet
// does), binds each matching Pod to it through pods/binding (as the scheduler does), serves the
// container's port on a loopback address of its own with a small HTTP server standing in for the
// application, and reports the Pod Running and Ready with that address as its IP. The controller
// manager's EndpointSlice controller then publishes the address exactly as in a cluster, so a
// proxy routes to it through the Service. Pods that do not match the selector, or that another
// node runs, are never touched.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { CoreV1Api, KubeConfig, type V1Container, type V1Pod, type V1Probe } from '@kubernetes/client-node';
import { ApiError, KubeRest } from '../../src/runtime/rest.js';
import { ResilientInformer } from '../../src/runtime/informer.js';

/** Options of {@link startLocalKubelet}. */
export interface LocalKubeletOptions {
  /** An admin kubeconfig of the local control plane. */
  kubeconfig: string;
  /** Default 'tenantry-local'. */
  nodeName?: string;
  /** Label selector of the Pods it runs; default 'app.kubernetes.io/component=app'. */
  selector?: string;
  log?: (line: string) => void;
  /**
   * An IPv4 range the host routes locally, to take Pod addresses from instead of 127.0.0.0/8, e.g.
   * '10.244.0.0/16' after `ip route add local 10.244.0.0/16 dev lo` (needs CAP_NET_ADMIN). The API
   * server refuses loopback addresses in EndpointSlices, so only Pods with such addresses are
   * published by the EndpointSlice controller and reachable through their Service.
   */
  podCidr?: string;
}

/** A running stand-in kubelet. */
export interface LocalKubelet {
  readonly nodeName: string;
  /** The address a Pod got (127.0.0.x, never 127.0.0.1; or one of podCidr), once it runs; undefined otherwise. */
  addressOf(namespace: string, pod: string): string | undefined;
  /**
   * Resolves when every Pod matching the selector in `namespace` is Ready, and there is at least one
   * (a Deployment creates its Pods a moment after it is applied); rejects after timeoutMs naming the pods.
   */
  waitReady(namespace: string, timeoutMs?: number): Promise<void>;
  /** Stops every server, deletes the Node it registered (and its Lease). Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_NODE = 'tenantry-local';
const DEFAULT_SELECTOR = 'app.kubernetes.io/component=app';
const LEASE_NAMESPACE = 'kube-node-lease';
/** A kubelet renews its Lease every 10 s (a quarter of the 40 s lease) and so does this one, with the Ready heartbeat. */
const HEARTBEAT_MS = 10_000;
const LEASE_SECONDS = 40;
/** Retry of a Pod whose start failed (an API error, every address taken). */
const RETRY_MS = 1_000;
/** Addresses tried for one Pod before giving up on EADDRINUSE. */
const MAX_ADDRESS_ATTEMPTS = 20;
const STRATEGIC = 'application/strategic-merge-patch+json';
const MERGE = 'application/merge-patch+json';

/** RFC 3339 with whole seconds, as the API server stores times. */
const stamp = (d = new Date()) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
/** A Lease's MicroTime: six fractional digits. */
const microStamp = (d = new Date()) => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** A raw JSON client for a kubeconfig file. */
function restFor(kubeconfig: string): { kc: KubeConfig; rest: KubeRest } {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return { kc, rest: new KubeRest(kc) };
}

const podPath = (namespace: string, pod: string, sub?: string) =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}${sub ? `/${sub}` : ''}`;

/** Binds a Pod to a node through the pods/binding subresource, as the scheduler does; a Pod already bound to that node is fine. */
async function bind(rest: KubeRest, namespace: string, pod: string, nodeName: string): Promise<void> {
  const body = {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name: pod, namespace },
    target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
  };
  try {
    await rest.request('POST', podPath(namespace, pod, 'binding'), { body });
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 409) throw e;
    const current = await rest.request<V1Pod>('GET', podPath(namespace, pod));
    if (current.spec?.nodeName !== nodeName)
      throw new Error(`pod ${namespace}/${pod} is bound to ${current.spec?.nodeName}, not ${nodeName}`);
  }
}

/** The status a kubelet reports for a Pod whose containers all run and passed their readiness probes. */
function readyStatus(pod: V1Pod, ip: string, started: string): Record<string, unknown> {
  const cond = (type: string) => ({ type, status: 'True', lastTransitionTime: started, lastProbeTime: null });
  const generation = pod.metadata?.generation;
  return {
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    phase: 'Running',
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    podIP: ip,
    podIPs: [{ ip }],
    startTime: started,
    conditions: ['PodReadyToStartContainers', 'PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map(cond),
    containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      containerID: `tenantry-local://${pod.metadata?.uid ?? ''}/${c.name}`,
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: started } },
    })),
  };
}

/** Reports a Pod Running and Ready with `ip` through its status subresource (a strategic merge patch: conditions merge by type). */
async function reportReady(rest: KubeRest, namespace: string, pod: string, ip: string): Promise<void> {
  const current = await rest.request<V1Pod>('GET', podPath(namespace, pod));
  const status = readyStatus(current, ip, stamp());
  await rest.request('PATCH', podPath(namespace, pod, 'status'), { body: { status }, contentType: STRATEGIC });
}

/** Binds a Pod to the node as the scheduler does (pods/binding). */
export async function bindPod(kubeconfig: string, namespace: string, pod: string, nodeName: string): Promise<void> {
  const { rest } = restFor(kubeconfig);
  try {
    await bind(rest, namespace, pod, nodeName);
  } finally {
    rest.close();
  }
}

/** Reports a Pod Running and Ready with `ip` as its podIP, every container running and ready, as a kubelet does. */
export async function reportPodReady(kubeconfig: string, namespace: string, pod: string, ip: string): Promise<void> {
  const { rest } = restFor(kubeconfig);
  try {
    await reportReady(rest, namespace, pod, ip);
  } finally {
    rest.close();
  }
}

/** Parses an IPv4 CIDR into its first and last host numbers. */
function cidrRange(cidr: string): [number, number] {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const bits = m ? Number(m[5]) : -1;
  if (!m || octets.some((o) => o > 255) || bits < 8 || bits > 30) throw new Error(`podCidr ${cidr} is not an IPv4 CIDR of /8 to /30`);
  const base = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const network = base - (base % size);
  return [network, network + size - 1];
}

const ipString = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/**
 * The addresses handed to Pods: by default 127.0.0.2..127.0.0.254, then 127.0.1.1..254 and so on
 * (127.0.0.1 is the host's); with a pod CIDR, its host addresses.
 */
class AddressPool {
  private readonly used = new Set<string>();
  /** Addresses some other process already listens on (EADDRINUSE), skipped for good. */
  private readonly foreign = new Set<string>();
  private readonly first: number;
  private readonly last: number;

  constructor(cidr: string | undefined) {
    [this.first, this.last] = cidr ? cidrRange(cidr) : [127 * 2 ** 24 + 1, 127 * 2 ** 24 + 2 ** 24 - 1];
  }

  take(): string {
    for (let n = this.first + 1; n < this.last; n++) {
      // Neither a .0 nor a .255: some tools take them for network or broadcast addresses.
      if (n % 256 === 0 || n % 256 === 255) continue;
      const a = ipString(n);
      if (!this.used.has(a) && !this.foreign.has(a)) {
        this.used.add(a);
        return a;
      }
    }
    throw new Error('no pod address left');
  }

  release(a: string, foreign = false): void {
    this.used.delete(a);
    if (foreign) this.foreign.add(a);
  }

  /** The first address handed out, to check that the host routes the range locally. */
  sample(): string {
    return ipString(this.first + 1);
  }
}

/** Resolves a probe's or the container's port (a number or a port name) to a number. */
function portNumber(c: V1Container, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

/** What the stand-in application of one container serves: its ports and its probe paths. */
interface AppShape {
  container: string;
  ports: number[];
  probePaths: Set<string>;
  /** Where the readiness probe asks, if the container has one. */
  readiness?: { port: number; path: string };
}

/** Reads the ports and probes of a Pod's containers: the port named `http` (else the first), plus every probe's port. */
function appShapes(pod: V1Pod): AppShape[] {
  return (pod.spec?.containers ?? []).map((c) => {
    const main = c.ports?.find((p) => p.name === 'http') ?? c.ports?.[0];
    const probes = [c.readinessProbe, c.livenessProbe, c.startupProbe].filter((p): p is V1Probe => !!p?.httpGet);
    const ports = new Set<number>();
    if (main) ports.add(main.containerPort);
    const probePaths = new Set<string>();
    for (const p of probes) {
      const n = portNumber(c, p.httpGet!.port as number | string);
      if (n !== undefined) ports.add(n);
      probePaths.add(p.httpGet!.path ?? '/');
    }
    const r = c.readinessProbe?.httpGet;
    const readinessPort = r ? portNumber(c, r.port as number | string) : undefined;
    return {
      container: c.name,
      ports: [...ports],
      probePaths,
      ...(r && readinessPort !== undefined ? { readiness: { port: readinessPort, path: r.path ?? '/' } } : {}),
    };
  });
}

/** The stand-in application: probe paths answer "ok"; anything else names the tenant, the request and the Pod. */
function appHandler(namespace: string, pod: string, probePaths: Set<string>) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const body = probePaths.has(path) ? 'ok' : `tenant ${namespace}: ${req.method} ${req.url} (pod ${pod})\n`;
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-tenantry-namespace': namespace });
    res.end(body);
    // Drain any request body so keep-alive connections stay usable.
    req.resume();
  };
}

/** Listens on address:port; rejects with the listen error (EADDRINUSE when another process has it). */
function listen(server: Server, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen(port, address, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Closes a server and every connection it holds. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Asks the readiness probe once, as a kubelet's prober does; resolves with the HTTP status. */
function probe(address: string, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port, path, method: 'GET', timeout: 2_000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`probe ${address}:${port}${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** One Pod this kubelet runs. */
interface RunningPod {
  uid: string;
  address?: string;
  servers: Server[];
  ready: boolean;
  /** Set when the Pod is stopping (deleted, terminating or replaced): a start still under way gives up. */
  stopped: boolean;
}

const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;

/** The kubelet itself: node registration and heartbeat, the Pod watch, and the servers. */
class Kubelet implements LocalKubelet {
  private readonly rest: KubeRest;
  private readonly kc: KubeConfig;
  private readonly selector: string;
  private readonly log: (line: string) => void;
  private readonly pool: AddressPool;
  private readonly pods = new Map<string, RunningPod>();
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private informer: ResilientInformer<V1Pod> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private readonly podCidr: string | undefined;

  constructor(
    opts: LocalKubeletOptions,
    readonly nodeName: string,
  ) {
    ({ kc: this.kc, rest: this.rest } = restFor(opts.kubeconfig));
    this.selector = opts.selector ?? DEFAULT_SELECTOR;
    this.log = opts.log ?? (() => undefined);
    this.pool = new AddressPool(opts.podCidr);
    this.podCidr = opts.podCidr;
  }

  async start(): Promise<void> {
    if (this.podCidr) await this.checkLocalRoute(this.podCidr);
    await this.registerNode();
    await this.renewLease();
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
    const core = this.kc.makeApiClient(CoreV1Api);
    const inf = new ResilientInformer<V1Pod>({
      kubeConfig: this.kc,
      kind: `Pod (local kubelet ${this.nodeName})`,
      path: '/api/v1/pods',
      listFn: () => core.listPodForAllNamespaces({ labelSelector: this.selector }),
      labelSelector: this.selector,
      watchTimeoutSeconds: 60,
      backoff: { baseMs: 200, maxMs: 5_000 },
    });
    inf.on('add', (p) => this.sync(p));
    inf.on('update', (p) => this.sync(p));
    inf.on('delete', (p) => void this.release(keyOf(p.metadata!.namespace!, p.metadata!.name!), 'deleted'));
    this.informer = inf;
    await inf.start();
    this.log(`node ${this.nodeName} registered; running Pods matching ${this.selector}`);
  }

  /** Fails unless the host accepts a listener on the range's first address (a `local` route). */
  private async checkLocalRoute(cidr: string): Promise<void> {
    const server = createServer();
    try {
      await listen(server, this.pool.sample(), 0);
    } catch (e) {
      throw new Error(
        `podCidr ${cidr} is not routed locally (${(e as Error).message}); add it with \`ip route add local ${cidr} dev lo\` (needs CAP_NET_ADMIN)`,
      );
    } finally {
      await closeServer(server);
    }
  }

  addressOf(namespace: string, pod: string): string | undefined {
    const p = this.pods.get(keyOf(namespace, pod));
    return p?.ready ? p.address : undefined;
  }

  async waitReady(namespace: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pods = (this.informer?.list(namespace) ?? []).filter((p) => !p.metadata?.deletionTimestamp);
      const notReady = pods.filter((p) => !p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      if (pods.length > 0 && notReady.length === 0) return;
      if (Date.now() > deadline) {
        const what =
          pods.length === 0
            ? `no Pod matching ${this.selector} exists`
            : `not Ready: ${notReady.map((p) => `${p.metadata?.name} (${p.status?.phase ?? 'no phase'})`).join(', ')}`;
        throw new Error(`namespace ${namespace}: after ${timeoutMs} ms ${what}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const t of this.retries.values()) clearTimeout(t);
    this.retries.clear();
    await this.informer?.stop();
    await Promise.all([...this.pods.keys()].map((k) => this.release(k, 'kubelet stopping', false)));
    // The Pods bound to the node stay; the pod GC controller deletes those of a node that is gone.
    for (const path of [
      `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases/${this.nodeName}`,
      `/api/v1/nodes/${this.nodeName}`,
    ]) {
      try {
        await this.rest.request('DELETE', path);
      } catch (e) {
        if (!(e instanceof ApiError) || e.code !== 404) this.log(`cannot delete ${path}: ${(e as Error).message}`);
      }
    }
    this.rest.close();
    this.log(`node ${this.nodeName} stopped and deleted`);
  }

  /** The Node as a kubelet registers it: Ready, reachable on 127.0.0.1, with room for many Pods. */
  private async registerNode(): Promise<void> {
    const labels = {
      'kubernetes.io/hostname': this.nodeName,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
    };
    try {
      await this.rest.request('POST', '/api/v1/nodes', {
        body: { apiVersion: 'v1', kind: 'Node', metadata: { name: this.nodeName, labels } },
      });
    } catch (e) {
      // A Node of that name left behind by an earlier run is taken over, as a restarted kubelet does.
      if (!(e instanceof ApiError) || e.code !== 409) throw e;
    }
    const capacity = { cpu: '8', memory: '32Gi', pods: '250', 'ephemeral-storage': '100Gi' };
    const status = {
      capacity,
      allocatable: capacity,
      addresses: [
        { type: 'InternalIP', address: '127.0.0.1' },
        { type: 'Hostname', address: this.nodeName },
      ],
      nodeInfo: {
        machineID: '',
        systemUUID: '',
        bootID: '',
        kernelVersion: '',
        osImage: 'tenantry local kubelet',
        containerRuntimeVersion: 'tenantry-local://0',
        kubeletVersion: 'v0.0.0-tenantry-local',
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: labels['kubernetes.io/arch'],
      },
      conditions: this.conditions(),
    };
    await this.rest.request('PATCH', `/api/v1/nodes/${this.nodeName}/status`, { body: { status }, contentType: STRATEGIC });
  }

  private conditions(): Record<string, string>[] {
    const now = stamp();
    const c = (type: string, status: string, reason: string) => ({ type, status, reason, lastHeartbeatTime: now, lastTransitionTime: now });
    return [
      c('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
      c('DiskPressure', 'False', 'KubeletHasNoDiskPressure'),
      c('PIDPressure', 'False', 'KubeletHasSufficientPID'),
      c('Ready', 'True', 'KubeletReady'),
    ];
  }

  /** Creates or renews the node's Lease in kube-node-lease, owned by the Node so that it goes with it. */
  private async renewLease(): Promise<void> {
    const path = `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases/${this.nodeName}`;
    const spec = { holderIdentity: this.nodeName, leaseDurationSeconds: LEASE_SECONDS, renewTime: microStamp() };
    try {
      await this.rest.request('PATCH', path, { body: { spec }, contentType: MERGE });
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== 404) throw e;
      const node = await this.rest.request<{ metadata: { uid: string } }>('GET', `/api/v1/nodes/${this.nodeName}`);
      const ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid: node.metadata.uid }];
      const body = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.nodeName, ownerReferences }, spec };
      await this.rest.request('POST', `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases`, { body });
    }
  }

  /** Renews the Lease and the Ready condition's heartbeat, so the node lifecycle controller neither taints the node nor evicts its Pods. */
  private async beat(): Promise<void> {
    if (this.stopping) return;
    try {
      await this.renewLease();
      await this.rest.request('PATCH', `/api/v1/nodes/${this.nodeName}/status`, {
        body: { status: { conditions: this.conditions() } },
        contentType: STRATEGIC,
      });
    } catch (e) {
      this.log(`heartbeat of node ${this.nodeName} failed: ${(e as Error).message}`);
    }
  }

  /** Reacts to the current state of a Pod from the watch: start it, stop it, or leave it. */
  private sync(pod: V1Pod): void {
    if (this.stopping) return;
    const ns = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    const key = keyOf(ns, name);
    const mine = this.pods.get(key);
    const uid = pod.metadata!.uid!;
    const boundElsewhere = !!pod.spec?.nodeName && pod.spec.nodeName !== this.nodeName;
    const finished = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    if (pod.metadata?.deletionTimestamp) {
      if (mine || pod.spec?.nodeName === this.nodeName) void this.terminate(pod);
      return;
    }
    if (mine && mine.uid !== uid) {
      // A new Pod of the same name (a StatefulSet's): the old one is gone.
      void this.release(key, 'replaced').then(() => this.sync(pod));
      return;
    }
    if (mine || boundElsewhere || finished) return;
    void this.run(pod);
  }

  /** Runs one Pod: an address, bind, servers, a readiness probe, then the Ready status. */
  private async run(pod: V1Pod): Promise<void> {
    const ns = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    const key = keyOf(ns, name);
    const entry: RunningPod = { uid: pod.metadata!.uid!, servers: [], ready: false, stopped: false };
    this.pods.set(key, entry);
    try {
      await bind(this.rest, ns, name, this.nodeName);
      const shapes = appShapes(pod);
      entry.address = await this.serve(entry, ns, name, shapes);
      if (entry.stopped) {
        // Released while the servers were starting: release() saw none of them.
        await Promise.all(entry.servers.map(closeServer));
        this.pool.release(entry.address);
        return;
      }
      for (const s of shapes) {
        if (!s.readiness) continue;
        const code = await probe(entry.address, s.readiness.port, s.readiness.path);
        if (code < 200 || code >= 400) throw new Error(`readiness probe of container ${s.container} answered ${code}`);
      }
      if (entry.stopped) return;
      await reportReady(this.rest, ns, name, entry.address);
      entry.ready = !entry.stopped;
      this.log(`pod ${key} runs on ${entry.address} (ports ${shapes.flatMap((s) => s.ports).join(', ') || 'none'})`);
    } catch (e) {
      if (entry.stopped) return;
      this.log(`pod ${key}: start failed, retrying: ${(e as Error).message}`);
      await this.release(key, 'start failed');
      this.retry(ns, name);
    }
  }

  /**
   * Starts the servers of a Pod on a fresh address; an address another process holds is skipped for
   * the next one, a few times (a listener on 0.0.0.0 and that port would take every address).
   */
  private async serve(entry: RunningPod, ns: string, name: string, shapes: AppShape[]): Promise<string> {
    const byPort = new Map<number, AppShape>();
    for (const s of shapes)
      for (const port of s.ports) {
        const other = byPort.get(port);
        if (other && other !== s)
          throw new Error(
            `containers ${other.container} and ${s.container} both listen on port ${port} of the Pod's one network namespace`,
          );
        byPort.set(port, s);
      }
    for (let attempt = 1; ; attempt++) {
      const address = this.pool.take();
      const servers: Server[] = [];
      try {
        for (const [port, s] of byPort) {
          const server = createServer({ keepAliveTimeout: 5_000 }, appHandler(ns, name, s.probePaths));
          await listen(server, address, port);
          servers.push(server);
        }
        entry.servers = servers;
        return address;
      } catch (e) {
        await Promise.all(servers.map(closeServer));
        const inUse = (e as NodeJS.ErrnoException).code === 'EADDRINUSE';
        this.pool.release(address, inUse);
        if (!inUse || attempt >= MAX_ADDRESS_ATTEMPTS) throw e;
        this.log(`pod ${ns}/${name}: ${address} is in use by another process; trying the next address`);
      }
    }
  }

  private retry(ns: string, name: string): void {
    const key = keyOf(ns, name);
    if (this.stopping || this.retries.has(key)) return;
    const t = setTimeout(() => {
      this.retries.delete(key);
      const current = this.informer?.get(name, ns);
      if (current) this.sync(current);
    }, RETRY_MS);
    this.retries.set(key, t);
  }

  /** Stops a Pod's servers and frees its address. */
  private async release(key: string, why: string, logIt = true): Promise<void> {
    const entry = this.pods.get(key);
    if (!entry) return;
    this.pods.delete(key);
    entry.stopped = true;
    entry.ready = false;
    await Promise.all(entry.servers.map(closeServer));
    if (entry.address) this.pool.release(entry.address);
    if (logIt) this.log(`pod ${key} stopped (${why})${entry.address ? `, ${entry.address} freed` : ''}`);
  }

  /**
   * A terminating Pod on this node: stop it, then confirm the deletion as a kubelet does (grace 0,
   * on the same uid); without that the Pod would stay Terminating for good.
   */
  private async terminate(pod: V1Pod): Promise<void> {
    const ns = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    await this.release(keyOf(ns, name), 'terminating');
    if (pod.spec?.nodeName !== this.nodeName) return;
    try {
      await this.rest.request('DELETE', podPath(ns, name), {
        body: { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: pod.metadata!.uid } },
      });
    } catch (e) {
      if (!(e instanceof ApiError) || (e.code !== 404 && e.code !== 409))
        this.log(`pod ${ns}/${name}: final delete failed: ${(e as Error).message}`);
    }
  }
}

/** Registers the node, starts the Pod watch, and resolves once the first list was handled. */
export async function startLocalKubelet(opts: LocalKubeletOptions): Promise<LocalKubelet> {
  const kubelet = new Kubelet(opts, opts.nodeName ?? DEFAULT_NODE);
  try {
    await kubelet.start();
  } catch (e) {
    await kubelet.stop();
    throw e;
  }
  return kubelet;
}
