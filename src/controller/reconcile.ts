// reconcile(tenant): a short, fixed list of named steps. Reads come from the informer caches, so a
// pass over an unchanged tenant reads nothing from the API server and writes nothing.
import { randomBytes } from 'node:crypto';
import type { KubernetesObject, V1Namespace, V1StorageClass } from '@kubernetes/client-node';
import { Cond, EventReason, Reason } from '../api/conditions.js';
import type { BackupPolicy, Tenant, TenantStatus } from '../api/generated/index.js';
import { APPLIED_HASH_ANNOTATION, MANAGED_BY_LABEL, MANAGER, TENANT_LABEL, tenantNamespace } from '../api/names.js';
import type { OperatorConfig } from '../config.js';
import { buildContext, buildDatabaseSecret, DATABASE_SECRET_NAME, buildDesiredState, buildPersistentVolumeClaims, storageClassEncryption, storageClassFor, type BuildContext, type Manifest } from '../resources/index.js';
import { applyReason, canonicalJson, type ApplyReason, firstMismatch, isSubset, manifestHash, withAppliedHash } from './diff.js';
import type { Expectations } from './expectations.js';
import type { BackupObserver, CredentialsRef } from './backup-observer.js';
import { planBackupStep, policyNameFor, type BackupStepOutput } from './backup-step.js';
import { computeConditions, computePhase, hostProblem, mergeConditions, type IngressObservation, type Observations } from './status.js';
import { allowedDomains, isHostAllowed } from './host-policy.js';
import { routeHosts, type RouteClaim } from './route-claims.js';
import { readAs, specReplicas } from './read-back.js';

/** How long to wait before looking again at a namespace that is still terminating. */
export const TERMINATING_RECHECK_MS = 10_000;

/** Identifies an object kind in caches and prune lists. */
export function kindKey(o: { apiVersion?: string; kind?: string }): string {
  return `${o.apiVersion ?? ''}/${o.kind ?? ''}`;
}

/** Identifies one object. */
export function objectKey(o: KubernetesObject): string {
  return `${kindKey(o)}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

/** Read side of the cluster, served from informer caches. */
export interface ClusterView {
  tenant(name: string): Tenant | undefined;
  tenants(): Tenant[];
  /** Tenants that may claim `host` (a superset is fine); without it every tenant is checked. */
  hostClaimants?(host: string): Tenant[];
  /** Route objects anywhere in the cluster that serve `host`, Tenantry's or not; without it none are known. */
  routeClaims?(host: string): RouteClaim[];
  /** A cached owned object (or a cached StorageClass), by kind key, namespace and name. */
  get(kind: string, namespace: string | undefined, name: string): KubernetesObject | undefined;
  /** Every cached object labelled as belonging to the tenant. */
  ownedBy(tenantName: string): KubernetesObject[];
  storageClass(name: string): V1StorageClass | undefined;
  /** A BackupPolicy by name (all policies are cached). */
  backupPolicy?(name: string): BackupPolicy | undefined;
  /** Whether an unfinished Restore writes into this tenant (its app is held at zero replicas meanwhile). */
  restoringInto?(tenantName: string): { source: string } | undefined;
}

/** Write side (and the one uncached read) of the cluster. */
export interface ClusterWriter {
  /** Server-side apply under the field manager `tenantry`; resolves with the stored object. */
  apply(m: Manifest): Promise<KubernetesObject>;
  /** JSON merge patch of the manifest's fields (lists replaced whole); resolves with the stored object. */
  mergePatch(m: Manifest): Promise<KubernetesObject>;
  /** Creates an object; resolves with its resourceVersion, or false when it already exists. */
  create(m: Manifest): Promise<string | false>;
  delete(o: KubernetesObject): Promise<void>;
  /** Reads a namespace the cache does not hold (one that is not ours); undefined when absent. */
  readNamespace(name: string): Promise<V1Namespace | undefined>;
  /** Lists what still exists in a terminating namespace, to name what blocks its deletion. */
  describeTerminating(ns: V1Namespace): Promise<string>;
  /** Writes the Tenant's status subresource; resolves with the new resourceVersion. */
  patchTenantStatus(name: string, status: TenantStatus): Promise<string | undefined>;
  event(tenant: Tenant, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
}

/**
 * Desired manifests (with their applied hashes) per Tenant uid and generation. Building and
 * hashing ~20 manifests costs about half a millisecond, and a converging tenant is reconciled
 * again on the events of its children, which come in bursts right after its own writes. The memo
 * keeps only the most recently reconciled tenants: keeping every tenant's manifests would hold
 * ~30 KB per tenant for good, and on a heap capped for a 256 MB container that extra live data
 * makes the collector run far more often than the rebuilds it saves.
 */
export class DesiredCache {
  private readonly entries = new Map<string, { generation: number; built: Manifest[]; pvcs: Manifest[] }>();

  constructor(private readonly maxEntries = 256) {}

  /** Returns the hashed desired state and PVCs of the context's tenant, building them once per generation. */
  get(ctx: BuildContext): { built: Manifest[]; pvcs: Manifest[] } {
    const uid = ctx.tenant.metadata.uid ?? '';
    const generation = ctx.tenant.metadata.generation ?? 0;
    const hit = this.entries.get(uid);
    // A Map iterates in insertion order: moving a hit to the end makes the first key the least recently used.
    this.entries.delete(uid);
    if (hit && hit.generation === generation) {
      this.entries.set(uid, hit);
      return hit;
    }
    const entry = { generation, built: buildDesiredState(ctx).map(withAppliedHash), pvcs: buildPersistentVolumeClaims(ctx).map(withAppliedHash) };
    this.entries.set(uid, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }

  /** Number of tenants memoized (for tests). */
  get size(): number {
    return this.entries.size;
  }

  /** Forgets a tenant (deleted). */
  forget(uid: string): void {
    this.entries.delete(uid);
  }
}

/** Everything a reconcile pass needs; `now` is injected so tests control time. */
export interface ReconcileDeps {
  config: OperatorConfig;
  view: ClusterView;
  writer: ClusterWriter;
  now: () => Date;
  /** Generates the database password once per tenant; injectable for tests. */
  newPassword?: () => string;
  /** Writes not yet seen by the caches, so a stale cache does not cause the same write twice. */
  expectations?: Expectations;
  /** Memo of desired manifests across passes (the operator keeps one; tests may leave it out). */
  desired?: DesiredCache;
  /** The tenants' backups as their buckets show them; without it backups are not judged. */
  backups?: BackupObserver;
  /** Reads the S3 credentials Secret a BackupPolicy names (data keys AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY). */
  readCredentials?: (ref: CredentialsRef) => Promise<Record<string, string>>;
}

/** Key of the expectation for a Tenant's status write. */
export function statusKey(tenantName: string): string {
  return `status/${tenantName}`;
}

/** Result of a pass: when to look again, if time alone can change something. */
export interface ReconcileResult {
  requeueAfterMs?: number;
  writes: number;
}

/** Reports whether an object is labelled as ours and owned by this very Tenant (same uid). */
export function isOwnedBy(o: KubernetesObject | undefined, tenant: Tenant): boolean {
  if (!o?.metadata) return false;
  const labels = o.metadata.labels ?? {};
  return (
    labels[MANAGED_BY_LABEL] === MANAGER &&
    labels[TENANT_LABEL] === tenant.metadata.name &&
    (o.metadata.ownerReferences ?? []).some((r) => r.uid === tenant.metadata.uid)
  );
}

/** Returns the tenant that owns a host: the one created first (name breaks ties), so a later claim never steals a live route. */
export function hostOwner(host: string, tenants: Tenant[], hostOf: (t: Tenant) => string): Tenant | undefined {
  return tenants
    .filter((t) => !t.metadata.deletionTimestamp && hostOf(t) === host)
    .sort((a, b) => {
      const ta = a.metadata.creationTimestamp ? new Date(a.metadata.creationTimestamp).getTime() : Infinity;
      const tb = b.metadata.creationTimestamp ? new Date(b.metadata.creationTimestamp).getTime() : Infinity;
      return ta - tb || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
    })[0];
}

/** Kinds never pruned automatically: deleting them loses data or credentials the database uses. */
const NEVER_PRUNED = new Set(['v1/PersistentVolumeClaim', 'v1/Secret', 'batch/v1/Job']);

/** Reconciles one Tenant by name. */
export async function reconcileTenant(name: string, deps: ReconcileDeps): Promise<ReconcileResult> {
  const { view, config } = deps;
  const tenant = view.tenant(name);
  // Deleted: ownerReferences let the garbage collector remove every child.
  if (!tenant || tenant.metadata.deletionTimestamp) return { writes: 0 };
  const pass = new Pass(tenant, deps);
  const built = buildContext(tenant, config);
  if ('error' in built) {
    pass.obs.regionError = built.error;
    await pass.warnOnce(EventReason.RegionNotServed, built.error, { type: Cond.NamespaceReady, reason: Reason.RegionNotServed });
    return pass.finish();
  }
  try {
    if (!(await pass.namespace(built))) return pass.finish();
    const backup = await pass.planBackups(built);
    await pass.objects(built, backup.blocked ? [] : backup.manifests.map(withAppliedHash));
  } catch (e) {
    pass.obs.error = e instanceof Error ? e.message : String(e);
    await pass.finish();
    throw e;
  }
  return pass.finish();
}

/** State of one reconcile pass over one tenant. */
class Pass {
  readonly obs: Observations = {};
  writes = 0;
  requeueAfterMs: number | undefined;

  constructor(
    readonly tenant: Tenant,
    readonly deps: ReconcileDeps,
  ) {
    this.obs.suspended = tenant.spec.suspend === true;
    const restore = deps.view.restoringInto?.(tenant.metadata.name ?? '');
    this.restoring = restore !== undefined;
    this.restoreSource = restore && restore.source !== tenant.metadata.name ? restore.source : undefined;
  }

  /** A Restore is writing into this tenant: the app is scaled to zero, no route, no backups. */
  readonly restoring: boolean;
  /** The other tenant whose backup that Restore reads, if it is not this one. */
  readonly restoreSource: string | undefined;

  /** Step 1: the namespace, unless a namespace of that name belongs to someone else. */
  async namespace(ctx: BuildContext): Promise<boolean> {
    const { view, writer } = this.deps;
    const nsName = tenantNamespace(this.tenant.metadata.name ?? '');
    const cached = view.get('v1/Namespace', undefined, nsName);
    // Our informer only sees namespaces labelled as ours; anything else needs one read to tell
    // "absent" from "someone else's".
    const observed = cached ?? (await writer.readNamespace(nsName));
    // A namespace still terminating (e.g. the Tenant was deleted and created again) must finish first.
    if (observed?.metadata?.deletionTimestamp) {
      const blockers = await writer.describeTerminating(observed);
      this.obs.namespace = { state: 'terminating', message: `namespace ${nsName} is terminating; ${blockers}` };
      this.requeueAfterMs = TERMINATING_RECHECK_MS;
      return false;
    }
    if (observed && !isOwnedBy(observed, this.tenant)) {
      const msg = `namespace ${nsName} already exists and is not owned by this tenant; Tenantry leaves it untouched. Delete or rename it, or rename the Tenant`;
      this.obs.namespace = { state: 'conflict', message: msg };
      await this.warnOnce(EventReason.NamespaceConflict, msg, { type: Cond.NamespaceConflict, reason: Reason.NamespaceOwnedByOther });
      return false;
    }
    const desired = this.desiredState(ctx).built.find((m) => m.kind === 'Namespace');
    if (!desired) throw new Error('the desired state has no Namespace');
    await this.applyIfNeeded(desired, observed);
    this.obs.namespace = { state: 'active', message: `namespace ${nsName} is active` };
    return true;
  }

  /**
   * Step 2: the backup plan — policy, credentials copy, and what the bucket shows. Done before the
   * objects so its CronJob is part of what the pass applies and never looks like an orphan.
   */
  async planBackups(ctx: BuildContext): Promise<BackupStepOutput> {
    const { view, now } = this.deps;
    const policyName = policyNameFor(ctx);
    const policy = policyName ? view.backupPolicy?.(policyName) : undefined;
    const ref = policy?.spec.destination.credentialsSecretRef;
    let credentials: Record<string, string> | Error | undefined;
    if (ref && this.deps.readCredentials) {
      credentials = await this.deps.readCredentials(ref).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    }
    const regionOk = policy && policy.spec.destination.region === ctx.tenant.spec.region;
    const observation = policy && regionOk && this.deps.backups && !(credentials instanceof Error) ? await this.deps.backups.observe(ctx.tenant.metadata.name ?? '', policy, now()) : undefined;
    const plan = planBackupStep({ ctx, now: now(), restoring: this.restoring, ...(this.restoreSource ? { restoreSource: this.restoreSource } : {}), ...(policyName ? { policyName } : {}), ...(policy ? { policy } : {}), ...(credentials ? { credentials } : {}), ...(observation ? { observation } : {}) });
    // Backups are only judged where the operator can see the bucket; elsewhere the condition stays unset.
    if (this.deps.backups || plan.blocked) this.obs.backup = plan.health;
    if (plan.objective) this.obs.restoreObjective = plan.objective;
    this.lastBackup = plan.lastBackup;
    if (plan.recheckAt) this.requeueAt(plan.recheckAt.getTime() - now().getTime());
    return plan;
  }

  lastBackup: TenantStatus['lastBackup'];

  /** Asks to look at the tenant again after `ms` (the earliest of all asks wins). */
  requeueAt(ms: number): void {
    const after = Math.max(1000, ms);
    this.requeueAfterMs = this.requeueAfterMs === undefined ? after : Math.min(this.requeueAfterMs, after);
  }

  /** Steps 3–6: storage check, credentials, every other owned object (with the backup objects), and pruning. */
  async objects(ctx: BuildContext, backupObjects: Manifest[] = []): Promise<void> {
    const { view, writer } = this.deps;
    const ns = ctx.namespace;
    const { built: all, pvcs } = this.desiredState(ctx);
    this.obs.ingress = this.observeHost(ctx, all);
    const hostTrouble = hostProblem(this.obs.ingress);
    if (hostTrouble) {
      const event = hostTrouble.reason === Reason.HostNotAllowed ? EventReason.HostNotAllowed : EventReason.HostConflict;
      await this.warnOnce(event, hostTrouble.message, { type: Cond.HostConflict, reason: hostTrouble.reason });
    }

    // The class the PVCs name (buildPersistentVolumeClaims uses the same function).
    const className = storageClassFor(ctx);
    const storage = storageClassEncryption(view.storageClass(className), className);
    this.obs.storage = { encrypted: storage.encrypted, reason: storage.reason, message: storage.message };
    if (!storage.encrypted) await this.warnOnce(EventReason.StorageNotEncrypted, storage.message, { type: Cond.StorageEncrypted, reason: storage.reason });

    // Credentials are created once and never rewritten: the database keeps the first password.
    // The passwords are generated only when the Secret is missing, not on every pass.
    const secretRef = { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: ns, name: DATABASE_SECRET_NAME } };
    const secretKey = objectKey(secretRef);
    const createSecret = async (secret: Manifest): Promise<ApplyReason> => {
      const rv = await writer.create(secret);
      this.writes++;
      if (rv === false) return undefined;
      this.deps.expectations?.wrote(secretKey, 'created', rv, view.get(kindKey(secretRef), ns, DATABASE_SECRET_NAME)?.metadata?.resourceVersion);
      return 'missing';
    };
    const secret = !view.get(kindKey(secretRef), ns, DATABASE_SECRET_NAME) && !this.deps.expectations?.satisfiedBy(secretKey, 'created') ? buildDatabaseSecret(ctx, { databasePassword: this.newPassword(), rootPassword: this.newPassword() }) : undefined;

    const built = all.filter((m) => m.kind !== 'Namespace');
    const workloads = built.filter(isWorkload);
    // A host the tenant may not have gets no route and no certificate; ones made earlier are pruned below.
    let desired = hostTrouble?.blocking ? built.filter((m) => !isRouting(m)) : built;
    // Without an encrypted class no new volume and no workload is created. Workloads that already
    // run are left alone rather than deleted: a class deleted or misconfigured later must not take
    // a live tenant down (their volumes exist and were checked when they were made).
    // Backup objects come with the volumes: without a files volume there is nothing to back up.
    if (storage.encrypted) desired = [...pvcs, ...desired, ...backupObjects];
    else desired = desired.filter((m) => !isWorkload(m));

    // The objects inside the namespace do not depend on each other at admission (pods come later,
    // from the controllers), so they are written concurrently: a new tenant converges in one round
    // trip, and one Event tells what the pass changed.
    const writes: Array<{ m: Manifest; run: () => Promise<ApplyReason> }> = [
      ...(secret ? [{ m: secret, run: () => createSecret(secret) }] : []),
      ...desired.map((m) => ({ m, run: () => this.applyIfNeeded(m, view.get(kindKey(m), m.metadata.namespace, m.metadata.name)) })),
    ];
    const outcomes = await Promise.allSettled(writes.map((w) => w.run()));
    const changes: string[] = [];
    outcomes.forEach((o, i) => {
      const m = writes[i]!.m;
      const reason = o.status === 'fulfilled' ? o.value : undefined;
      if (reason) changes.push(`${reason === 'missing' ? 'created' : reason === 'drifted' ? 'restored' : 'updated'} ${m.kind} ${m.metadata.name}`);
    });
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (changes.length > 0) {
      const restored = changes.some((c) => c.startsWith('restored'));
      await writer.event(this.tenant, 'Normal', restored ? EventReason.RestoringObject : changes.every((c) => c.startsWith('created')) ? EventReason.CreatingObject : EventReason.UpdatingObject, changes.join(', '));
    }
    if (failed) throw failed.reason;

    const wanted = new Set([...desired, ...pvcs, ...workloads].map((m) => objectKey(m)).concat(secretKey));
    for (const o of view.ownedBy(this.tenant.metadata.name ?? '')) {
      if (o.kind === 'Namespace' || NEVER_PRUNED.has(kindKey(o)) || wanted.has(objectKey(o)) || !isOwnedBy(o, this.tenant)) continue;
      await writer.delete(o);
      this.writes++;
      await writer.event(this.tenant, 'Normal', EventReason.DeletingObject, `deleted ${o.kind} ${o.metadata?.name ?? ''}, which the tenant no longer needs`);
    }

    if (!storage.encrypted) return;
    // Replicas come from the desired manifests: the cache may not hold a just-created workload yet.
    const replicasOf = (m: Manifest | undefined) => specReplicas(m) ?? 1;
    const stsWanted = workloads.find((m) => m.kind === 'StatefulSet');
    const depWanted = workloads.find((m) => m.kind === 'Deployment');
    const sts = readAs('apps/v1/StatefulSet', view.get('apps/v1/StatefulSet', ns, stsWanted?.metadata.name ?? ''));
    const dep = readAs('apps/v1/Deployment', view.get('apps/v1/Deployment', ns, depWanted?.metadata.name ?? ''));
    this.obs.database = { replicas: replicasOf(stsWanted), readyReplicas: sts?.status?.readyReplicas ?? 0 };
    this.obs.app = { replicas: replicasOf(depWanted), availableReplicas: dep?.status?.availableReplicas ?? 0 };
  }

  /**
   * Step 3a: whether the tenant may have its host. It must be under a domain the operator serves
   * tenants on, not claimed first by another Tenant, and not served already by a route Tenantry
   * does not manage (a route of theirs made after ours is reported, and touches nothing).
   */
  observeHost(ctx: BuildContext, built: Manifest[]): IngressObservation {
    const { view, config } = this.deps;
    const host = ctx.host;
    const domains = allowedDomains(config);
    if (!isHostAllowed(host, domains)) return { host, notAllowed: { domains } };
    const hostOf = (t: Tenant) => {
      const c = buildContext(t, config);
      return 'error' in c ? '' : c.host;
    };
    const owner = hostOwner(host, view.hostClaimants ? view.hostClaimants(host) : view.tenants(), hostOf);
    if (owner && owner.metadata.uid !== this.tenant.metadata.uid) return { host, conflictWith: owner.metadata.name ?? '' };
    // Routes of the tenants this operator serves were judged by their Tenants just above (this
    // tenant's own among them). A Tenantry route of a tenant served elsewhere (another shard) is
    // as binding as anyone's.
    const foreign = (view.routeClaims?.(host) ?? []).filter((c) => !(c.tenant && view.tenant(c.tenant)));
    if (foreign.length === 0) return { host };
    const since = this.routedSince(ctx, built);
    // The earlier claim wins; an unknown time, or the same second, counts as earlier than ours.
    const first = since === undefined || foreign.some((c) => !(new Date(c.createdAt ?? '').getTime() > since));
    return { host, foreignRoutes: { names: foreign.map((c) => `${c.kind} ${c.namespace}/${c.name}`).sort(), first } };
  }

  /** Returns when this tenant's route for its host was created (its earliest route object in the cache), or undefined when it has none. */
  routedSince(ctx: BuildContext, built: Manifest[]): number | undefined {
    let since: number | undefined;
    for (const m of built) {
      if (!ROUTE_KINDS.has(m.kind)) continue;
      const o = this.deps.view.get(kindKey(m), m.metadata.namespace, m.metadata.name);
      if (!o?.metadata?.creationTimestamp || !isOwnedBy(o, this.tenant) || !routeHosts(o, m.kind).includes(ctx.host)) continue;
      const t = new Date(o.metadata.creationTimestamp).getTime();
      if (Number.isFinite(t)) since = since === undefined ? t : Math.min(since, t);
    }
    return since;
  }

  /** Returns the tenant's desired manifests and PVCs, each carrying its applied hash. */
  desiredState(ctx: BuildContext): { built: Manifest[]; pvcs: Manifest[] } {
    // During a restore the app is held at zero replicas; that state is rare and not memoized.
    if (this.restoring) return { built: buildDesiredState(ctx, { suspended: true }).map(withAppliedHash), pvcs: buildPersistentVolumeClaims(ctx).map(withAppliedHash) };
    if (this.deps.desired) return this.deps.desired.get(ctx);
    return { built: buildDesiredState(ctx).map(withAppliedHash), pvcs: buildPersistentVolumeClaims(ctx).map(withAppliedHash) };
  }

  /** Applies a manifest (carrying its applied hash) when it differs from what is observed; returns why it was written. */
  async applyIfNeeded(desired: Manifest, observed: KubernetesObject | undefined): Promise<ApplyReason> {
    // Cached Secrets carry no data (the operator never keeps credentials in memory), so a Secret is
    // compared by its applied hash alone; its stored form (base64 `data`) never equals `stringData`.
    const secret = desired.kind === 'Secret';
    const reason = secret && observed ? (applyReason({ metadata: desired.metadata }, { metadata: observed.metadata }) ? 'changed' : undefined) : applyReason(desired, observed);
    if (!reason) return undefined;
    const key = objectKey(desired);
    const hash = desired.metadata.annotations?.[APPLIED_HASH_ANNOTATION] ?? '';
    if (this.deps.expectations?.satisfiedBy(key, hash, observed?.metadata?.resourceVersion)) return undefined;
    let stored = await this.deps.writer.apply(desired);
    this.writes++;
    if (!secret && !isSubset(desired, stored)) {
      // Server-side apply never removes what another field manager owns, e.g. a list entry added
      // by `kubectl edit`. A merge patch replaces our lists whole, which removes such entries.
      stored = await this.deps.writer.mergePatch(desired);
      this.writes++;
      const left = firstMismatch(desired, stored);
      if (left) throw new Error(`${desired.kind} ${desired.metadata.namespace ?? ''}/${desired.metadata.name} still differs at ${left} after apply and merge patch; another controller may be changing it`);
    }
    this.deps.expectations?.wrote(key, hash, stored.metadata?.resourceVersion, this.deps.view.get(kindKey(desired), desired.metadata.namespace, desired.metadata.name)?.metadata?.resourceVersion);
    return reason;
  }

  /**
   * Emits a warning Event only when the condition that reports the problem does not already carry
   * it, so a standing problem is announced once, not on every pass (Events are writes too).
   */
  async warnOnce(reason: string, message: string, condition: { type: string; reason: string }): Promise<void> {
    const seen = (this.tenant.status?.conditions ?? []).some((c) => c.type === condition.type && c.reason === condition.reason);
    if (!seen) await this.deps.writer.event(this.tenant, 'Warning', reason, message);
  }

  newPassword(): string {
    return this.deps.newPassword ? this.deps.newPassword() : randomBytes(24).toString('base64url');
  }

  /** Step 6: conditions, phase and URL; the status is written only when it changed. */
  async finish(): Promise<ReconcileResult> {
    const t = this.tenant;
    const generation = t.metadata.generation ?? 0;
    const now = this.deps.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const conditions = mergeConditions(t.status?.conditions, computeConditions(this.obs, generation, now));
    // The URL is dropped while a host problem keeps the tenant off the network.
    const { url: _previousUrl, ...kept } = t.status ?? {};
    const status: TenantStatus = {
      ...kept,
      phase: this.restoring ? 'Restoring' : computePhase(conditions, this.obs.suspended === true),
      conditions,
      observedGeneration: generation,
      namespace: tenantNamespace(t.metadata.name ?? ''),
      ...(this.obs.ingress && !hostProblem(this.obs.ingress)?.blocking && !this.obs.suspended ? { url: `https://${this.obs.ingress.host}` } : {}),
      ...(this.lastBackup ? { lastBackup: this.lastBackup } : {}),
    };
    const key = statusKey(t.metadata.name ?? '');
    // Transition times are left out: a pass over a stale cache recomputes them from an older status.
    const hash = manifestHash({ ...status, conditions: conditions.map(({ lastTransitionTime: _t, ...c }) => c) });
    if (canonicalJson(status) !== canonicalJson(t.status ?? {}) && !this.deps.expectations?.satisfiedBy(key, hash, t.metadata.resourceVersion)) {
      const rv = await this.deps.writer.patchTenantStatus(t.metadata.name ?? '', status);
      this.deps.expectations?.wrote(key, hash, rv, this.deps.view.tenant(t.metadata.name ?? '')?.metadata.resourceVersion);
      this.writes++;
    }
    return { writes: this.writes, ...(this.requeueAfterMs !== undefined ? { requeueAfterMs: this.requeueAfterMs } : {}) };
  }
}

/** Reports whether a manifest is a workload that mounts the tenant's volumes. */
function isWorkload(m: Manifest): boolean {
  return m.kind === 'StatefulSet' || m.kind === 'Deployment';
}

/** Kinds whose objects send a host's traffic to the tenant (their age is the age of its claim on the host). */
const ROUTE_KINDS = new Set(['Ingress', 'IngressRoute', 'HTTPRoute', 'ListenerSet']);

/** Kinds that route or certify a host without routing traffic themselves. */
const HOST_SUPPORT_KINDS = new Set(['Certificate', 'Middleware', 'TLSOption', 'ReferenceGrant']);

/** Reports whether a manifest routes traffic to the tenant or certifies its host (what a host conflict must not create). */
function isRouting(m: Manifest): boolean {
  return ROUTE_KINDS.has(m.kind) || HOST_SUPPORT_KINDS.has(m.kind);
}
