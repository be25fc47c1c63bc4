// A stand-in for the kubelet's status reports, for tests that need Deployments and StatefulSets to
// become available through the real controllers. The local control plane has no scheduler and no
// kubelet: the ReplicaSet and StatefulSet controllers create Pods, which then stay Pending. This
// watches the Pods of chosen namespaces and reports each one Running and Ready through the status
// subresource, as a kubelet does once its containers run and pass their probes, so the controllers
// count it (availableReplicas, readyReplicas). A Pod with an image marked broken for its namespace
// is reported as a kubelet reports an image it cannot pull instead, and never becomes Ready: a
// "bad release". Pods are not bound to a node: an unbound Pod is deleted at once when its
// controller replaces it, where a bound one would wait for a kubelet to confirm its termination.
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { ResilientInformer } from '../../src/runtime/informer.js';
import { ApiError, KubeRest } from '../../src/runtime/rest.js';

/** Options of {@link startPodReady}. */
export interface PodReadyOptions {
  /** An admin kubeconfig of the test control plane. */
  kubeconfig: string;
  /** Which namespaces' Pods it reports on; others are never touched. */
  namespaces: (namespace: string) => boolean;
  /** Label selector of the Pods it watches; default every Pod. */
  selector?: string;
  log?: (line: string) => void;
}

/** A running stand-in. */
export interface PodReady {
  /** From now on, Pods in `namespace` with a container of `image` do not become Ready (those already Ready stay so). */
  breakImage(namespace: string, image: string): void;
  /** Undoes {@link breakImage}: the waiting Pods with that image become Ready. */
  fixImage(namespace: string, image: string): void;
  /** How many Pods it has reported Ready so far (a test can check it did anything). */
  readonly reportedReady: number;
  /** Stops watching; the Pods keep the status last reported. Idempotent. */
  stop(): Promise<void>;
}

const STRATEGIC = 'application/strategic-merge-patch+json';
/** Status patches sent at once: enough for a fleet rolling out, few enough for a 2-core machine. */
const PARALLEL = 4;
const RETRY_MS = 500;

/** RFC 3339 with whole seconds, as the API server stores times. */
const stamp = (d = new Date()) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;
const brokenKey = (namespace: string, image: string) => `${namespace}\n${image}`;

/** Whether the Pod's Ready condition is True. */
function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Whether the Pod already shows the image-pull failure this reports for a broken image. */
function showsPullFailure(pod: V1Pod): boolean {
  return pod.status?.containerStatuses?.some((c) => c.state?.waiting?.reason === 'ImagePullBackOff') ?? false;
}

/** The status a kubelet reports for a Pod whose containers all run and passed their readiness probes. */
function readyStatus(pod: V1Pod, now: string): Record<string, unknown> {
  const cond = (type: string) => ({ type, status: 'True', lastTransitionTime: now, lastProbeTime: null });
  const generation = pod.metadata?.generation;
  return {
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    phase: 'Running',
    startTime: pod.status?.startTime ?? now,
    conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map(cond),
    containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: now } },
    })),
  };
}

/** The status a kubelet reports while it cannot pull an image of the Pod: Pending, containers waiting, not Ready. */
function pullFailureStatus(pod: V1Pod, broken: (image: string) => boolean, now: string): Record<string, unknown> {
  const cond = (type: string, status: 'True' | 'False', reason?: string) => ({
    type,
    status,
    ...(reason ? { reason } : {}),
    lastTransitionTime: now,
    lastProbeTime: null,
  });
  return {
    phase: 'Pending',
    startTime: pod.status?.startTime ?? now,
    conditions: [
      cond('PodScheduled', 'True'),
      cond('Initialized', 'True'),
      cond('ContainersReady', 'False', 'ContainersNotReady'),
      cond('Ready', 'False', 'ContainersNotReady'),
    ],
    containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      ready: false,
      started: false,
      restartCount: 0,
      state: broken(c.image ?? '')
        ? { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` } }
        : { waiting: { reason: 'PodInitializing' } },
    })),
  };
}

/** The stand-in: a Pod watch, the broken set, and a small queue of status patches. */
class PodReadyReporter implements PodReady {
  private readonly kc = new KubeConfig();
  private readonly rest: KubeRest;
  private readonly broken = new Set<string>();
  /** Pods whose status is due to be reported, by key; a key is queued once. */
  private readonly queue = new Set<string>();
  private readonly inFlight = new Set<string>();
  private informer: ResilientInformer<V1Pod> | undefined;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private ready = 0;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: PodReadyOptions) {
    this.kc.loadFromFile(opts.kubeconfig);
    this.rest = new KubeRest(this.kc);
    this.log = opts.log ?? (() => undefined);
  }

  get reportedReady(): number {
    return this.ready;
  }

  async start(): Promise<void> {
    const core = this.kc.makeApiClient(CoreV1Api);
    const selector = this.opts.selector;
    const inf = new ResilientInformer<V1Pod>({
      kubeConfig: this.kc,
      kind: 'Pod (test pod-ready)',
      path: '/api/v1/pods',
      listFn: () => core.listPodForAllNamespaces(selector ? { labelSelector: selector } : {}),
      ...(selector ? { labelSelector: selector } : {}),
      watchTimeoutSeconds: 60,
      backoff: { baseMs: 200, maxMs: 5_000 },
    });
    inf.on('add', (p) => this.consider(p));
    inf.on('update', (p) => this.consider(p));
    this.informer = inf;
    await inf.start();
  }

  breakImage(namespace: string, image: string): void {
    this.broken.add(brokenKey(namespace, image));
    this.resync();
  }

  fixImage(namespace: string, image: string): void {
    this.broken.delete(brokenKey(namespace, image));
    this.resync();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true;
      await this.informer?.stop();
      this.rest.close();
    })();
    return this.stopping;
  }

  private isBroken(namespace: string, image: string): boolean {
    return this.broken.has(brokenKey(namespace, image));
  }

  /** Re-examines every cached Pod: the broken set changed. */
  private resync(): void {
    for (const p of this.informer?.list() ?? []) this.consider(p);
  }

  /** What the Pod should show, or undefined when it already does (or is none of ours). */
  private wanted(pod: V1Pod): 'ready' | 'pull-failure' | undefined {
    const ns = pod.metadata?.namespace ?? '';
    if (!this.opts.namespaces(ns) || pod.metadata?.deletionTimestamp) return undefined;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return undefined;
    const broken = (pod.spec?.containers ?? []).some((c) => this.isBroken(ns, c.image ?? ''));
    if (broken) return showsPullFailure(pod) ? undefined : 'pull-failure';
    return isReady(pod) ? undefined : 'ready';
  }

  private consider(pod: V1Pod): void {
    if (this.stopped || this.wanted(pod) === undefined) return;
    this.queue.add(keyOf(pod.metadata!.namespace!, pod.metadata!.name!));
    this.pump();
  }

  /** Starts queued reports while fewer than PARALLEL run; a Pod is reported by one request at a time. */
  private pump(): void {
    for (const key of this.queue) {
      if (this.inFlight.size >= PARALLEL) return;
      if (this.inFlight.has(key)) continue;
      this.queue.delete(key);
      this.inFlight.add(key);
      void this.report(key).finally(() => {
        this.inFlight.delete(key);
        this.pump();
      });
    }
  }

  /** Reports the status the cached Pod should show; retried once the cache moves on if the request fails. */
  private async report(key: string): Promise<void> {
    if (this.stopped) return;
    const [namespace, name] = key.split('/') as [string, string];
    const pod = this.informer?.get(name, namespace);
    const want = pod ? this.wanted(pod) : undefined;
    if (!pod || !want) return;
    const status =
      want === 'ready' ? readyStatus(pod, stamp()) : pullFailureStatus(pod, (image) => this.isBroken(namespace, image), stamp());
    try {
      await this.rest.request('PATCH', `/api/v1/namespaces/${namespace}/pods/${name}/status`, {
        body: { status },
        contentType: STRATEGIC,
      });
      if (want === 'ready') this.ready++;
    } catch (e) {
      // A Pod deleted meanwhile needs nothing; anything else is tried again.
      if (e instanceof ApiError && e.code === 404) return;
      this.log(`pod ${key}: status not reported: ${(e as Error).message}`);
      setTimeout(() => {
        const again = this.informer?.get(name, namespace);
        if (again) this.consider(again);
      }, RETRY_MS).unref();
    }
  }
}

/** Starts reporting the Pods of the chosen namespaces Ready (except those of broken images); resolves once the Pod cache is synced. */
export async function startPodReady(opts: PodReadyOptions): Promise<PodReady> {
  const r = new PodReadyReporter(opts);
  await r.start();
  return r;
}
