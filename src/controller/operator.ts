// Wires the runtime (src/runtime/) to Tenantry's reconcilers: one informer per watched kind, a work
// queue keyed by tenant name (and restore/<name> for Restores, incident/<name> for Incidents,
// releasechannel/<name> for ReleaseChannels), leader election, health endpoints, and the
// cache-backed view the reconcilers read. Nothing here decides what to write.
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import {
  BACKUP_POLICY_KIND,
  INCIDENT_KIND,
  RELEASE_CHANNEL_KIND,
  RELEASE_CHANNEL_PLURAL,
  RESTORE_KIND,
  TENANT_API_VERSION,
  TENANT_KIND,
  type ReleaseChannel,
  type Tenant,
} from '../api/generated/index.js';
import { tenantBreachNotice } from '../incident/index.js';
import { OWNED_SELECTOR, TENANT_LABEL, tenantNamespace } from '../api/names.js';
import type { OperatorConfig } from '../config.js';
import { getLogger } from '../log.js';
import {
  apiRequestsTotal,
  backupFailuresTotal,
  metricsRegistry,
  queueDepth,
  reconcileDurationSeconds,
  resyncDurationSeconds,
  tenantsByLifecyclePhase,
  tenantsByPhase,
} from '../metrics.js';
import { buildContext, isBuildContextError, OWNED_KINDS, RESTORE_ANNOTATION, type OwnedKind } from '../resources/index.js';
import { httpStatusOf } from '../runtime/api-errors.js';
import { Expectations } from '../runtime/expectations.js';
import { startHealthServer, type HealthServer } from '../runtime/health.js';
import { ResilientInformer } from '../runtime/informer.js';
import { Limiter } from '../runtime/limiter.js';
import { LeaderElector } from '../runtime/leader.js';
import { WorkQueue } from '../runtime/queue.js';
import { KubeRest, resourcePath, type KindPath } from '../runtime/rest.js';
import { BackupObserver } from './backup-observer.js';
import { recordBackupMetrics } from './backup-metrics.js';
import { reconcilePolicyStatuses } from './backup-policy.js';
import { policyNameFor } from './backup-step.js';
import { kindKey } from './cluster.js';
import { PolicyCredentials } from './credentials.js';
import { HostIndex } from './host-index.js';
import { KubeWriter } from './kube-writer.js';
import { reconcileRestore, type RestoreView } from './restore.js';
import { hasTrueCondition, isKind, readAllAs, readAs } from './read-back.js';
import { listInPages } from './list-pages.js';
import { restoreDone, restoreTarget } from './restore-plan.js';
import { RouteClaimIndex, routeClaimKinds, shapeRouteClaim, type RouteClaimObject } from './route-claims.js';
import { DesiredCache, reconcileTenant, statusKey } from './tenant.js';
import { shapeForCache, SharedValues } from './cache-shape.js';
import type { LifecycleParts, OperatorLifecycle } from './lifecycle-wiring.js';
import { recordLifecycleMetrics } from './lifecycle-metrics.js';
import { reconcileIncident, type IncidentView } from './incident.js';
import { followedChannel } from '../release/types.js';
import { followersToRequeue, reconcileReleaseChannel, type ReleaseChannelView } from './release-channel.js';

/** Queue keys of Restores start with this; tenant names cannot contain '/'. */
const RESTORE_KEY = 'restore/';
/** Queue keys of Incidents start with this. */
const INCIDENT_KEY = 'incident/';
/** Queue keys of ReleaseChannels start with this. */
const RELEASE_CHANNEL_KEY = 'releasechannel/';
/**
 * A tenant's change evaluates its channel this much later: while a wave rolls out every tenant's
 * status write is one, and the burst collapses into one evaluation.
 */
const CHANNEL_AFTER_TENANT_MS = 1000;

/** How the operator process runs. */
export interface OperatorOptions {
  config: OperatorConfig;
  kubeConfig: KubeConfig;
  /** This replica's name: Lease holder identity and Event source. */
  identity: string;
  /** The operator's own namespace: BackupPolicies' credentials Secrets are read from here and nowhere else. */
  namespace: string;
  /** Namespace of the leader-election Lease; undefined runs without election (single replica). */
  leaseNamespace?: string;
  healthPort: number;
  healthHost?: string;
  /** Every tenant is reconciled again this often, to repair what watches missed. */
  resyncMs: number;
  /** Only Tenants matching this label selector are served (sharding across operators). */
  tenantSelector?: string;
  /** Called when leadership is lost: the process must stop doing work at once. */
  onFatal: (reason: string) => void;
  /**
   * Lifecycle enforcement (P9): the engine bound to the configured durations, the erasure runner
   * and the audit trail. Without `evaluate` no lifecycle is enforced (no finalizer either).
   */
  lifecycle?: OperatorLifecycle | ((parts: LifecycleParts) => OperatorLifecycle);
}

/** A watched kind: its informer and how to find it by kind key. */
interface Watched {
  kind: OwnedKind | { apiVersion: string; kind: string; namespaced: boolean; plural: string };
  informer: ResilientInformer<KubernetesObject>;
}

/** Attempts and pause for checking, at start, which kinds the API server serves. */
const DISCOVERY_ATTEMPTS = 60;
const DISCOVERY_RETRY_MS = 1000;
/**
 * Objects per page when listing a kind. A page is held three times while it is shaped (the
 * answer's bytes, its text, the parsed objects), and V8 collects that garbage late on a large
 * heap: at 2,000 tenants the peak RSS after a restart was 261–274 MB with pages of 250 and
 * 247–258 MB with pages of 100, with the caches synced as fast. Pages of 50 saved nothing more.
 */
const LIST_PAGE_SIZE = 100;
/**
 * Kinds listed at once. At start (or after the API server came back) every informer lists
 * together; all twenty at once held twenty kinds' pages and their garbage at the same moment,
 * the operator's memory peak after a restart (2,000 tenants: peak RSS 319 MB, 259 MB with two at
 * once, 256 MB with one, which made the caches sync 35 % later). Re-lists after an error share the bound.
 */
const LIST_CONCURRENCY = 2;

/** Kinds the operator watches whole (no owned-object label): its own API and StorageClasses. */
const OWN_API_KINDS = new Set<string>([TENANT_KIND, 'StorageClass', BACKUP_POLICY_KIND, RESTORE_KIND, INCIDENT_KIND, RELEASE_CHANNEL_KIND]);
/** Kinds watched through the operator's --tenant-selector. */
const SHARDED_KINDS = new Set<string>([TENANT_KIND, INCIDENT_KIND, RELEASE_CHANNEL_KIND]);

/** The running operator. */
export class Operator {
  private readonly log = getLogger();
  private readonly rest: KubeRest;
  private readonly watched = new Map<string, Watched>();
  private readonly queue: WorkQueue;
  private readonly writer: KubeWriter;
  private readonly expectations = new Expectations();
  private readonly desired = new DesiredCache();
  /** One copy of what many tenants' cached objects have in common (see cache-shape.ts). */
  private readonly shared = new SharedValues();
  private readonly credentials: PolicyCredentials;
  private readonly backups: BackupObserver;
  /** The lifecycle enforced (P9), built on this operator's caches and writer. */
  private readonly lifecycle: OperatorLifecycle | undefined;
  /** Failed backup Jobs already counted (by uid), so a Job seen again is not counted twice. */
  private readonly countedFailures = new Set<string>();
  /** Tenant names by the host they claim, so a host check looks at claimants only, not every tenant. */
  private readonly hostIndex: HostIndex;
  /** Hosts served by route objects anywhere in the cluster, Tenantry's or not, from the claim watches. */
  private readonly routeClaims = new RouteClaimIndex();
  /** Cluster-wide watches of the provider's route kinds, unselected, caching only each route's claim. */
  private readonly claimWatches: Watched[] = [];
  /** Lists of the watched kinds running at once (see LIST_CONCURRENCY). */
  private readonly lists = new Limiter(LIST_CONCURRENCY);
  private elector: LeaderElector | undefined;
  private health: HealthServer | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private leading = false;
  private stopped = false;

  constructor(private readonly opts: OperatorOptions) {
    this.rest = new KubeRest(opts.kubeConfig);
    this.writer = new KubeWriter(this.rest, (verb, code) => apiRequestsTotal.inc({ verb, code: String(code) }), opts.identity);
    this.queue = new WorkQueue({
      name: 'tenants',
      concurrency: opts.config.concurrency,
      logFields: (key) => ({ tenant: key }),
      onDepthChange: (n) => queueDepth.set(n),
      onResult: (outcome, seconds) => reconcileDurationSeconds.observe({ result: String(outcome) }, seconds),
    });
    this.hostIndex = new HostIndex((t) => {
      const ctx = buildContext(t, opts.config);
      return isBuildContextError(ctx) ? undefined : ctx.host;
    });
    this.credentials = new PolicyCredentials(opts.namespace, (namespace, name) => this.writer.readSecretData(namespace, name));
    this.backups = new BackupObserver(async (ref) => {
      const d = await this.credentials.read(ref);
      return { accessKeyId: d['AWS_ACCESS_KEY_ID'] ?? '', secretAccessKey: d['AWS_SECRET_ACCESS_KEY'] ?? '' };
    });
    const lifecycle = opts.lifecycle;
    this.lifecycle =
      typeof lifecycle === 'function'
        ? lifecycle({ view: () => this.view(), writer: this.writer, rest: this.rest, backupS3: (p) => this.backups.clientFor(p) })
        : lifecycle;
  }

  /** The port the health server listens on (after start). */
  get healthPort(): number | undefined {
    return this.health?.port;
  }

  /** Starts health endpoints, informers and (once leading) the reconcile workers. */
  async start(): Promise<void> {
    this.health = await startHealthServer({
      port: this.opts.healthPort,
      ...(this.opts.healthHost ? { host: this.opts.healthHost } : {}),
      registry: metricsRegistry,
      healthy: () => !this.stopped,
      ready: () => this.readiness(),
    });
    await this.startInformers();
    const run = () => {
      this.leading = true;
      this.log.info('starting reconcile workers', { identity: this.opts.identity, tenants: this.tenants().length });
      this.queue.start((key) => this.reconcile(key));
      for (const t of this.tenants()) this.queue.add(t.metadata.name ?? '');
      this.enqueueIncidents();
      this.enqueueReleaseChannels();
      this.resyncTimer = setInterval(() => void this.resync(), this.opts.resyncMs);
      void this.updatePolicyStatuses();
    };
    if (!this.opts.leaseNamespace) return run();
    this.elector = new LeaderElector({
      kubeConfig: this.opts.kubeConfig,
      namespace: this.opts.leaseNamespace,
      name: 'tenantry-leader',
      identity: this.opts.identity,
      onStartedLeading: run,
      onStoppedLeading: () => {
        this.leading = false;
        this.opts.onFatal('lost the leader lease; stopping so that only the new leader writes');
      },
    });
    void this.elector.start();
  }

  /** Enqueues every tenant, and reports how long it took until the queue was empty again. */
  private async resync(): Promise<void> {
    const started = performance.now();
    const tenants = this.tenants();
    for (const t of tenants) this.queue.add(t.metadata.name ?? '');
    this.enqueueIncidents();
    this.enqueueReleaseChannels();
    this.updatePhaseGauge();
    await this.queue.drained();
    const seconds = (performance.now() - started) / 1000;
    resyncDurationSeconds.set(seconds);
    this.log.info('resync complete', { tenants: tenants.length, seconds });
    await this.updatePolicyStatuses();
  }

  /** Counts a backup Job that failed, once per Job. */
  private countJobFailure(tenant: string, o: KubernetesObject): void {
    const failed = hasTrueCondition(readAs('batch/v1/Job', o), 'Failed');
    const uid = o.metadata?.uid ?? '';
    if (!failed || this.countedFailures.has(uid)) return;
    // Jobs are pruned by their history limits; a bounded memory of counted ones suffices.
    if (this.countedFailures.size >= 10_000) this.countedFailures.clear();
    this.countedFailures.add(uid);
    backupFailuresTotal.inc({ tenant });
  }

  /** Writes every BackupPolicy's status where it changed. */
  private async updatePolicyStatuses(): Promise<void> {
    const policies = readAllAs('tenantry.io/v1alpha1/BackupPolicy', this.informerFor(BACKUP_POLICY_KIND)?.list());
    await reconcilePolicyStatuses({ config: this.opts.config, policies, tenants: this.tenants(), writer: this.writer, now: new Date() });
  }

  /** Stops workers (waiting for in-flight reconciles), releases the lease and closes watches. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    await this.queue.stop();
    if (this.elector) await this.elector.release();
    await Promise.all([...this.watched.values(), ...this.claimWatches].map((w) => w.informer.stop()));
    this.backups.close();
    this.rest.close();
    await this.health?.close();
  }

  /** Ready while every watch is live and, for an elected leader, the lease is held. */
  private readiness(): { ok: boolean; reason?: string } {
    const watches = [
      ...[...this.watched.values()].map((w) => ({ w, name: w.kind.kind })),
      ...this.claimWatches.map((w) => ({ w, name: `${w.kind.kind} (host claims)` })),
    ];
    const dead = watches.filter(({ w }) => !w.informer.isLive()).map(({ name }) => name);
    if (dead.length > 0) return { ok: false, reason: `watches not live: ${dead.join(', ')}` };
    if (this.elector && this.leading && !this.elector.isLeader()) return { ok: false, reason: 'leader lease not held' };
    return { ok: true };
  }

  /** Starts one informer per kind the operator reads; fails with an actionable error when a required CRD is missing. */
  private async startInformers(): Promise<void> {
    const { config, kubeConfig } = this.opts;
    const kinds: Watched['kind'][] = [
      { apiVersion: TENANT_API_VERSION, kind: TENANT_KIND, namespaced: false, plural: 'tenants' },
      { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', namespaced: false, plural: 'storageclasses' },
      { apiVersion: TENANT_API_VERSION, kind: BACKUP_POLICY_KIND, namespaced: false, plural: 'backuppolicies' },
      { apiVersion: TENANT_API_VERSION, kind: RESTORE_KIND, namespaced: false, plural: 'restores' },
      { apiVersion: TENANT_API_VERSION, kind: INCIDENT_KIND, namespaced: false, plural: 'incidents' },
      { apiVersion: TENANT_API_VERSION, kind: RELEASE_CHANNEL_KIND, namespaced: false, plural: RELEASE_CHANNEL_PLURAL },
    ];
    for (const k of OWNED_KINDS) {
      const served = await this.isServed(k);
      // Kinds of another ingress provider are watched only where their CRDs exist, so objects
      // left behind by a provider change can still be found and pruned.
      if (!served && (k.provider === undefined || k.provider === config.ingress.provider)) {
        throw new Error(
          `${k.apiVersion} ${k.kind} is not served by this cluster: install its CRDs (cert-manager for Certificate; the ${config.ingress.provider} provider's CRDs for routes)`,
        );
      }
      if (served) kinds.push(k);
    }
    for (const k of kinds) {
      const owned = !OWN_API_KINDS.has(k.kind);
      // An operator serving a shard of the tenants (--tenant-selector) evaluates only the Incidents
      // labelled for that shard: the set it freezes is made of the tenants it sees. The same holds
      // for ReleaseChannels: a channel's rollout is judged on the tenants of the shard that sees it.
      const labelSelector = owned ? OWNED_SELECTOR : SHARDED_KINDS.has(k.kind) ? this.opts.tenantSelector : undefined;
      const informer = new ResilientInformer<KubernetesObject>({
        kubeConfig,
        kind: k.kind,
        // Only the tenants' objects share values: the operator's own kinds are few, and some are read and rebuilt.
        transform: (o) => shapeForCache(o, k, owned ? this.shared : undefined),
        path: resourcePath({ ...k, namespaced: false }),
        ...(labelSelector ? { labelSelector } : {}),
        // Lists as plain JSON (see runtime/rest.ts), so cached objects have the same shape as watch events and manifests.
        listFn: (shape) => this.lists.run(() => this.listAll(k, labelSelector, shape)),
      });
      // List items carry no kind, so keys are built from the watched kind.
      const key = (o: KubernetesObject) => `${kindKey(k)}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
      const seen = (o: KubernetesObject, old?: KubernetesObject) => {
        if (isKind('tenantry.io/v1alpha1/Tenant', o)) this.hostIndex.update(o);
        if (k.kind === TENANT_KIND) this.expectations.observed(statusKey(o.metadata?.name ?? ''), o.metadata?.resourceVersion);
        else this.expectations.observed(key(o), o.metadata?.resourceVersion);
        this.enqueueFor(k.kind, o, old);
      };
      informer.on('add', seen);
      informer.on('update', seen);
      informer.on('delete', (o) => {
        if (k.kind === TENANT_KIND) {
          if (isKind('tenantry.io/v1alpha1/Tenant', o)) this.hostIndex.update(o, true);
          this.desired.forget(o.metadata?.uid ?? '');
          this.shared.forget(o.metadata?.uid ?? '');
        }
        this.expectations.deleted(k.kind === TENANT_KIND ? statusKey(o.metadata?.name ?? '') : key(o));
        this.enqueueFor(k.kind, o);
      });
      this.watched.set(kindKey(k), { kind: k, informer });
    }
    this.watchRouteClaims();
    await Promise.all([...this.watched.values(), ...this.claimWatches].map((w) => w.informer.start()));
    this.log.info('caches synced', {
      kinds: [...this.watched.values()].map((w) => w.kind.kind),
      hostClaims: this.claimWatches.map((w) => w.kind.kind),
    });
  }

  /**
   * Watches every route of the provider's kinds cluster-wide, not only Tenantry's, so a Tenant is
   * refused a host another team's route already serves. The objects are shaped down to their
   * claim (name, namespace, creation time, hosts) before they are cached: another team's routes
   * can be many and large, and the operator reads nothing else of them. The ClusterRole already
   * lets the operator list and watch these kinds everywhere.
   */
  private watchRouteClaims(): void {
    for (const k of routeClaimKinds(this.opts.config.ingress.provider)) {
      // A watch ERROR event carries a Status (code 410 makes the informer re-list): it passes as it is.
      const shape = (o: KubernetesObject) => (o.kind === 'Status' ? o : shapeRouteClaim(o, k));
      const informer = new ResilientInformer<KubernetesObject>({
        kubeConfig: this.opts.kubeConfig,
        kind: `${k.kind}HostClaims`,
        transform: shape,
        path: resourcePath({ ...k, namespaced: false }),
        listFn: (shapeItem) => this.lists.run(() => this.listAll(k, undefined, shapeItem)),
      });
      const changed = (o: KubernetesObject) => this.enqueueHostClaimants(this.routeClaims.upsert(o as RouteClaimObject));
      informer.on('add', changed);
      informer.on('update', changed);
      informer.on('delete', (o) => this.enqueueHostClaimants(this.routeClaims.remove(o as RouteClaimObject)));
      this.claimWatches.push({ kind: k, informer });
    }
  }

  /** Reconciles the tenants that claim any of these hosts (a route serving them appeared, changed or went). */
  private enqueueHostClaimants(hosts: string[]): void {
    if (this.stopped) return;
    for (const h of hosts) for (const name of this.hostIndex.claimants(h)) this.queue.add(name);
  }

  /** Lists a kind in pages, each shaped as it arrives (see list-pages.ts). */
  private listAll(
    k: KindPath,
    labelSelector: string | undefined,
    shape: (o: KubernetesObject) => KubernetesObject,
  ): Promise<KubernetesListObject<KubernetesObject>> {
    return listInPages(this.rest, k, { labelSelector, pageSize: LIST_PAGE_SIZE, shape });
  }

  /** Asks discovery whether the API server serves a kind. */
  private async isServed(k: OwnedKind): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.rest.request('GET', resourcePath(k), { query: { labelSelector: OWNED_SELECTOR, limit: 1 } });
        return true;
      } catch (e) {
        const code = httpStatusOf(e);
        // 404: the group or resource is not installed.
        if (code === 404) return false;
        // A CRD installed a moment ago answers 429 "storage is (re)initializing"; an API server
        // starting up answers 5xx or refuses connections. Those pass; anything else is fatal.
        const transient = code === undefined || code === 429 || code >= 500;
        if (!transient || attempt >= DISCOVERY_ATTEMPTS) throw e;
        this.log.warn('API server not ready to list a kind yet; retrying', {
          kind: k.kind,
          attempt,
          err: e instanceof Error ? e.message : String(e),
        });
        await new Promise((r) => setTimeout(r, DISCOVERY_RETRY_MS));
      }
    }
  }

  /** Maps a changed object (and, for an update, what it was before) to the tenant(s) to reconcile. */
  private enqueueFor(kind: string, o: KubernetesObject, old?: KubernetesObject): void {
    if (this.stopped) return;
    const enqueue = this.enqueueByKind.get(kind);
    if (enqueue) enqueue(o, old);
    else this.enqueueOwned(kind, o);
  }

  /** What an event of each kind the operator watches for itself enqueues; any other kind is a tenant's child. */
  private readonly enqueueByKind = new Map<string, (o: KubernetesObject, old?: KubernetesObject) => void>([
    // A tenant that appears or is relabelled may be one an incident adds (never one it removes);
    // its status.release (or its leaving) is what its channel's rollout waits for.
    [
      TENANT_KIND,
      (o, old) => {
        this.queue.add(o.metadata?.name ?? '');
        this.enqueueIncidents();
        this.enqueueChannelsOf(o, old);
      },
    ],
    // Any tenant may use a StorageClass, and it decides whether the tenant's volumes are encrypted.
    ['StorageClass', () => this.enqueueAllTenants()],
    [BACKUP_POLICY_KIND, (o) => this.enqueuePolicyTenants(o)],
    [RESTORE_KIND, (o) => this.enqueueRestore(o)],
    [INCIDENT_KIND, (o) => this.enqueueIncident(o)],
    [RELEASE_CHANNEL_KIND, (o, old) => this.enqueueReleaseChannel(o, old)],
  ]);

  /** The operator's default release channel, followed by tenants that name none. */
  private defaultChannel(): string | undefined {
    return this.opts.config.release?.defaultChannel;
  }

  /** Enqueues every ReleaseChannel. */
  private enqueueReleaseChannels(): void {
    for (const c of this.informerFor(RELEASE_CHANNEL_KIND)?.list() ?? []) this.queue.add(RELEASE_CHANNEL_KEY + (c.metadata?.name ?? ''));
  }

  /**
   * Evaluates, a moment later, the channel a tenant follows, and the one it followed before an
   * update that moved it to another channel.
   */
  private enqueueChannelsOf(o: KubernetesObject, old: KubernetesObject | undefined): void {
    const channels = new Set<string>();
    for (const t of [o, old]) {
      const tenant = readAs('tenantry.io/v1alpha1/Tenant', t);
      const channel = tenant ? followedChannel(tenant, this.defaultChannel()) : undefined;
      if (channel !== undefined) channels.add(channel);
    }
    for (const c of channels) this.queue.addAfter(RELEASE_CHANNEL_KEY + c, CHANNEL_AFTER_TENANT_MS);
  }

  /** Enqueues a ReleaseChannel and the cached tenants that follow it whose images or status.release its change can move. */
  private enqueueReleaseChannel(o: KubernetesObject, old: KubernetesObject | undefined): void {
    const name = o.metadata?.name ?? '';
    this.queue.add(RELEASE_CHANNEL_KEY + name);
    const channel = readAs('tenantry.io/v1alpha1/ReleaseChannel', o);
    const followers = this.tenants().filter((t) => followedChannel(t, this.defaultChannel()) === name);
    const due = channel ? followersToRequeue(readAs('tenantry.io/v1alpha1/ReleaseChannel', old), channel, followers) : followers;
    for (const t of due) this.queue.add(t.metadata.name ?? '');
  }

  /** Enqueues every Incident. */
  private enqueueIncidents(): void {
    for (const i of this.informerFor(INCIDENT_KIND)?.list() ?? []) this.queue.add(INCIDENT_KEY + (i.metadata?.name ?? ''));
  }

  /** Enqueues an Incident and the tenants it affects: their BreachNotificationPending follows its status. */
  private enqueueIncident(o: KubernetesObject): void {
    this.queue.add(INCIDENT_KEY + (o.metadata?.name ?? ''));
    if (!isKind('tenantry.io/v1alpha1/Incident', o)) return;
    const tenants = this.informerFor(TENANT_KIND);
    for (const t of o.status?.affectedTenants ?? []) if (tenants?.get(t.name)) this.queue.add(t.name);
  }

  /** Enqueues every tenant. */
  private enqueueAllTenants(): void {
    for (const t of this.tenants()) this.queue.add(t.metadata.name ?? '');
  }

  /** Enqueues the tenants a BackupPolicy serves, and (when leading) rewrites the policies' statuses. */
  private enqueuePolicyTenants(o: KubernetesObject): void {
    const name = o.metadata?.name;
    for (const t of this.tenants()) {
      const ctx = buildContext(t, this.opts.config);
      if (!isBuildContextError(ctx) && policyNameFor(ctx) === name) this.queue.add(t.metadata.name ?? '');
    }
    if (this.leading) void this.updatePolicyStatuses();
  }

  /** Enqueues a Restore and the tenant it writes into. */
  private enqueueRestore(o: KubernetesObject): void {
    this.queue.add(RESTORE_KEY + (o.metadata?.name ?? ''));
    if (isKind('tenantry.io/v1alpha1/Restore', o)) this.queue.add(restoreTarget(o));
  }

  /** Enqueues for a tenant's child: the Restore a restore Job runs for, and the tenant the child is labelled with. */
  private enqueueOwned(kind: string, o: KubernetesObject): void {
    const restoreName = o.metadata?.annotations?.[RESTORE_ANNOTATION];
    if (kind === 'Job' && restoreName) this.queue.add(RESTORE_KEY + restoreName);
    const tenant = o.metadata?.labels?.[TENANT_LABEL];
    // A backup Job changed: the bucket may hold a new backup, so the cached listing is stale.
    if (kind === 'Job' && tenant) {
      this.backups.invalidate(tenant);
      this.countJobFailure(tenant, o);
    }
    if (tenant && this.informerFor(TENANT_KIND)?.get(tenant)) {
      this.queue.add(tenant);
      // A Restore waits for its target's app to reach zero replicas: look again as soon as it does.
      if (kind === 'Deployment') this.enqueueRestoresInto(tenant);
    }
  }

  /** Enqueues the unfinished Restores that write into a tenant. */
  private enqueueRestoresInto(tenant: string): void {
    for (const r of readAllAs('tenantry.io/v1alpha1/Restore', this.informerFor(RESTORE_KIND)?.list()))
      if (!restoreDone(r) && restoreTarget(r) === tenant) this.queue.add(RESTORE_KEY + (r.metadata.name ?? ''));
  }

  private informerFor(kind: string): ResilientInformer<KubernetesObject> | undefined {
    for (const w of this.watched.values()) if (w.kind.kind === kind) return w.informer;
    return undefined;
  }

  private tenants(): Tenant[] {
    return readAllAs('tenantry.io/v1alpha1/Tenant', this.informerFor(TENANT_KIND)?.list());
  }

  /** The cache-backed read side the reconcilers use. */
  private view(): RestoreView & IncidentView & ReleaseChannelView {
    return {
      tenant: (name) => readAs('tenantry.io/v1alpha1/Tenant', this.informerFor(TENANT_KIND)?.get(name)),
      tenants: () => this.tenants(),
      routeClaims: (host) => this.routeClaims.claims(host),
      hostClaimants: (host) => {
        const tenants = this.informerFor(TENANT_KIND);
        return this.hostIndex
          .claimants(host)
          .map((n) => readAs('tenantry.io/v1alpha1/Tenant', tenants?.get(n)))
          .filter((t): t is Tenant => t !== undefined);
      },
      get: (kind, namespace, name) => this.watched.get(kind)?.informer.get(name, namespace),
      ownedBy: (tenantName) => {
        const ns = tenantNamespace(tenantName);
        const out: KubernetesObject[] = [];
        for (const w of this.watched.values()) {
          if (w.kind.kind === TENANT_KIND || w.kind.kind === 'StorageClass') continue;
          const objs = w.kind.namespaced ? w.informer.list(ns) : w.informer.list();
          for (const o of objs) if (o.metadata?.labels?.[TENANT_LABEL] === tenantName) out.push(o);
        }
        return out;
      },
      storageClass: (name) => readAs('storage.k8s.io/v1/StorageClass', this.informerFor('StorageClass')?.get(name)),
      backupPolicy: (name) => readAs('tenantry.io/v1alpha1/BackupPolicy', this.informerFor(BACKUP_POLICY_KIND)?.get(name)),
      restore: (name) => readAs('tenantry.io/v1alpha1/Restore', this.informerFor(RESTORE_KIND)?.get(name)),
      incident: (name) => readAs('tenantry.io/v1alpha1/Incident', this.informerFor(INCIDENT_KIND)?.get(name)),
      releaseChannel: (name) => this.releaseChannel(name),
      breachNotices: (tenantName) =>
        tenantBreachNotice(
          readAllAs('tenantry.io/v1alpha1/Incident', this.informerFor(INCIDENT_KIND)?.list()).map((i) => ({
            name: i.metadata.name ?? '',
            status: i.status,
          })),
          tenantName,
        ),
      // Only a Restore that has resolved its backup holds the app: one still looking for a backup
      // (an unreadable bucket, a typo) must not take a serving tenant down.
      restoringInto: (tenantName) => {
        const r = readAllAs('tenantry.io/v1alpha1/Restore', this.informerFor(RESTORE_KIND)?.list()).find(
          (x) => !restoreDone(x) && !!x.status?.backupId && restoreTarget(x) === tenantName,
        );
        return r ? { source: r.spec.tenant } : undefined;
      },
    };
  }

  /** The queue handler: one reconcile pass of one tenant. */
  private async reconcile(name: string): Promise<{ requeueAfterMs?: number } | void> {
    if (name.startsWith(RESTORE_KEY)) return this.reconcileRestore(name.slice(RESTORE_KEY.length));
    if (name.startsWith(INCIDENT_KEY)) return this.reconcileIncident(name.slice(INCIDENT_KEY.length));
    if (name.startsWith(RELEASE_CHANNEL_KEY)) return this.reconcileReleaseChannel(name.slice(RELEASE_CHANNEL_KEY.length));
    const result = await reconcileTenant(name, {
      config: this.opts.config,
      view: this.view(),
      writer: this.writer,
      now: () => new Date(),
      expectations: this.expectations,
      desired: this.desired,
      backups: this.backups,
      readCredentials: (ref) => this.credentials.read(ref),
      releaseChannel: (channel) => this.releaseChannel(channel),
      ...(this.lifecycle
        ? {
            evaluateLifecycle: this.lifecycle.evaluate,
            ...(this.lifecycle.erasure ? { erasure: this.lifecycle.erasure } : {}),
            ...(this.lifecycle.audit ? { audit: this.lifecycle.audit } : {}),
            ...(this.lifecycle.tenantKeys ? { tenantKeys: this.lifecycle.tenantKeys } : {}),
          }
        : {}),
    });
    const cached = readAs('tenantry.io/v1alpha1/Tenant', this.informerFor(TENANT_KIND)?.get(name));
    recordBackupMetrics(name, cached);
    recordLifecycleMetrics(name, cached);
    if (result.writes > 0) this.log.info('reconciled', { tenant: name, writes: result.writes });
    return result.requeueAfterMs !== undefined ? { requeueAfterMs: result.requeueAfterMs } : undefined;
  }

  /**
   * The queue handler for a Restore: one step of it, then the target tenant's reconcile (it holds or
   * releases its app by the Restore's phase).
   */
  private async reconcileRestore(name: string): Promise<{ requeueAfterMs?: number } | void> {
    const result = await reconcileRestore(name, {
      config: this.opts.config,
      view: this.view(),
      writer: this.writer,
      now: () => new Date(),
      ...(this.lifecycle?.audit ? { audit: this.lifecycle.audit } : {}),
      backups: this.backups,
      ...(this.opts.tenantSelector ? { tenantSelector: this.opts.tenantSelector } : {}),
    });
    if (result.target !== undefined) this.queue.add(result.target);
    return result.requeueAfterMs !== undefined ? { requeueAfterMs: result.requeueAfterMs } : undefined;
  }

  /** The queue handler for an Incident: one evaluation, looked at again when the engine's next change is due. */
  private async reconcileIncident(name: string): Promise<{ requeueAfterMs?: number } | void> {
    const result = await reconcileIncident(name, { view: this.view(), writer: this.writer, now: () => new Date() });
    return result.requeueAfterMs !== undefined ? { requeueAfterMs: result.requeueAfterMs } : undefined;
  }

  /** The queue handler for a ReleaseChannel: one evaluation, looked at again at the engine's next deadline. */
  private async reconcileReleaseChannel(name: string): Promise<{ requeueAfterMs?: number } | void> {
    const defaultChannel = this.defaultChannel();
    const result = await reconcileReleaseChannel(name, {
      view: this.view(),
      writer: this.writer,
      now: () => new Date(),
      ...(defaultChannel !== undefined ? { defaultChannel } : {}),
    });
    if (result.deleted) {
      // Its tenants now wait for a channel of that name; nothing is left to look at again.
      this.queue.forget(RELEASE_CHANNEL_KEY + name);
      return undefined;
    }
    if (result.writes > 0) this.log.info('release channel evaluated', { channel: name, writes: result.writes });
    return result.requeueAfterMs !== undefined ? { requeueAfterMs: result.requeueAfterMs } : undefined;
  }

  /** The cached ReleaseChannel of this name (the Tenant reconciler follows its status). */
  private releaseChannel(name: string): ReleaseChannel | undefined {
    return readAs('tenantry.io/v1alpha1/ReleaseChannel', this.informerFor(RELEASE_CHANNEL_KIND)?.get(name));
  }

  /** Sets tenantry_tenants{phase} from the cache. */
  private updatePhaseGauge(): void {
    const counts = new Map<string, number>();
    for (const t of this.tenants()) counts.set(t.status?.phase ?? 'Pending', (counts.get(t.status?.phase ?? 'Pending') ?? 0) + 1);
    tenantsByPhase.reset();
    for (const [phase, n] of counts) tenantsByPhase.set({ phase }, n);
    const lifecycle = new Map<string, number>();
    for (const t of this.tenants()) {
      const phase = t.status?.lifecycle?.phase;
      if (phase) lifecycle.set(phase, (lifecycle.get(phase) ?? 0) + 1);
    }
    tenantsByLifecyclePhase.reset();
    for (const [phase, n] of lifecycle) tenantsByLifecyclePhase.set({ phase }, n);
  }
}
