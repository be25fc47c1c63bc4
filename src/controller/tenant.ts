// The Tenant reconciler: reconcileTenant(name) is a short, fixed list of named steps. Reads come from
// the informer caches, so a pass over an unchanged tenant reads nothing from the API server and
// writes nothing.
import { randomBytes } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import { Cond, EventReason, Reason } from '../api/conditions.js';
import type { BackupPolicy, ReleaseChannel, Tenant, TenantStatus, TenantStatusConditionsItem } from '../api/generated/index.js';
import { APPLIED_HASH_ANNOTATION, MANAGED_BY_LABEL, MANAGER, TENANT_LABEL, TENANT_UID_LABEL, tenantNamespace } from '../api/names.js';
import type { OperatorConfig } from '../config.js';
import { getLogger } from '../log.js';
import {
  buildContext,
  buildDatabaseSecret,
  DATABASE_SECRET_NAME,
  buildDesiredState,
  buildPersistentVolumeClaims,
  isBuildContextError,
  storageClassEncryption,
  storageClassFor,
  type BuildContext,
  type Manifest,
} from '../resources/index.js';
import { applyReason, canonicalJson, type ApplyReason, firstMismatch, isSubset, manifestHash, withAppliedHash } from './diff.js';
import type { Expectations } from '../runtime/expectations.js';
import { observeRollout, podImage } from '../release/readiness.js';
import {
  configuredImages,
  pinnedMessage,
  releaseStatus,
  releaseTarget,
  type ReleaseTarget,
  type RolloutReadiness,
} from '../release/target.js';
import { followedChannel } from '../release/types.js';
import type { BackupObservation, BackupObserver, CredentialsRef } from './backup-observer.js';
import { planBackupStep, policyNameFor } from './backup-step.js';
import {
  computeConditions,
  computePhase,
  hostProblem,
  mergeConditions,
  type HostProblem,
  type IngressObservation,
  type Observations,
} from './status.js';
import { allowedDomains, isHostAllowed } from './host-policy.js';
import { routeHosts } from './route-claims.js';
import { kindKey, objectKey, type ClusterView, type ClusterWriter } from './cluster.js';
import { hasTrueCondition, readAs, specReplicas } from './read-back.js';
import { LIFECYCLE_FINALIZER, type LifecycleEvaluation, type LifecyclePhase } from '../lifecycle/types.js';
import { ERASURE_CONDITION, furthest } from '../lifecycle/erasure-plan.js';
import {
  actorOf,
  auditRecordOf,
  enforcedPhase,
  finalBackupJob,
  finalBackupJobName,
  lifecycleStatus,
  lifecycleValidity,
  requeueForTransition,
  rfc3339,
  transitionMessage,
  transitionOf,
  type AuditHook,
  type ErasureRunner,
  type TenantKeys,
  type EvaluateLifecycle,
} from './lifecycle-step.js';

/** How long to wait before looking again at a namespace that is still terminating. */
export const TERMINATING_RECHECK_MS = 10_000;

/**
 * Desired manifests (with their applied hashes) per Tenant uid and generation. Building and
 * hashing ~20 manifests costs about half a millisecond, and a converging tenant is reconciled
 * again on the events of its children, which come in bursts right after its own writes. The memo
 * keeps only the most recently reconciled tenants: keeping every tenant's manifests would hold
 * ~30 KB per tenant for good, and on a heap capped for a 256 MB container that extra live data
 * makes the collector run far more often than the rebuilds it saves.
 */
export class DesiredCache {
  private readonly entries = new Map<string, { key: string; built: Manifest[]; pvcs: Manifest[] }>();

  constructor(private readonly maxEntries = 256) {}

  /**
   * Returns the hashed desired state and PVCs of the context's tenant, building them once per
   * generation and images (a release channel changes the images without a new generation).
   */
  get(ctx: BuildContext): { built: Manifest[]; pvcs: Manifest[] } {
    const uid = ctx.tenant.metadata.uid ?? '';
    const images = ctx.images;
    const key = `${ctx.tenant.metadata.generation ?? 0}${images ? ` ${images.app} ${images.postgres} ${images.mariadb}` : ''}`;
    const hit = this.entries.get(uid);
    // A Map iterates in insertion order: moving a hit to the end makes the first key the least recently used.
    this.entries.delete(uid);
    if (hit && hit.key === key) {
      this.entries.set(uid, hit);
      return hit;
    }
    const entry = {
      key,
      built: buildDesiredState(ctx).map(withAppliedHash),
      pvcs: buildPersistentVolumeClaims(ctx).map(withAppliedHash),
    };
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
  /**
   * The lifecycle engine bound to the configured durations. Without it no lifecycle is enforced:
   * no finalizer, and a deleted Tenant is left alone (its objects carry no ownerReference, so
   * nothing of it is deleted).
   */
  evaluateLifecycle?: EvaluateLifecycle;
  /** Runs the ordered erasure of a tenant in phase Erasing; without it an Erasing tenant is only held stopped. */
  erasure?: ErasureRunner;
  /** Creates the tenants' own KMS keys (lifecycle.tenantKmsKeys); without it backups use the region's or policy's key. */
  tenantKeys?: TenantKeys;
  /** Receives an audit record for every lifecycle action (suspend, resume, close, erase, deletion request, erase-now). */
  audit?: AuditHook;
  /**
   * The ReleaseChannel of a name, from the informer cache (P12). Without it a tenant that follows a
   * channel waits for it (status.release Pending) and keeps the images it has.
   */
  releaseChannel?: (name: string) => ReleaseChannel | undefined;
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

/** Reports whether an object is labelled as ours and as belonging to this very Tenant (its name and uid). */
export function isOwnedBy(o: KubernetesObject | undefined, tenant: Tenant): boolean {
  if (!o?.metadata || !tenant.metadata.uid) return false;
  const labels = o.metadata.labels ?? {};
  return (
    labels[MANAGED_BY_LABEL] === MANAGER &&
    labels[TENANT_LABEL] === tenant.metadata.name &&
    labels[TENANT_UID_LABEL] === tenant.metadata.uid
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

/**
 * The steps of a pass, in order: each is a method of {@link Pass} that may end the pass early by
 * returning 'stop'. The status is written after them whatever happened (see {@link Pass.finish}).
 */
const TENANT_STEPS = ['namespace', 'tenantKey', 'backups', 'finalBackup', 'host', 'storage', 'apply', 'prune', 'readiness'] as const;

/** How soon a tenant whose own KMS key could not be created is tried again. */
export const TENANT_KEY_RECHECK_MS = 30_000;

/** How often a running or failed final backup is looked at again (its Job's events come sooner). */
export const FINAL_BACKUP_RECHECK_MS = 60_000;

/** Lifecycle phases in which the app is held at zero replicas and has no route. */
const HOLD_PHASES = new Set<LifecyclePhase>(['Suspended', 'Closed', 'Erasing']);

/** What a step tells the pass: go on with the next step, or stop here (the status is still written). */
type StepResult = 'continue' | 'stop';

/** Reconciles one Tenant by name. */
export async function reconcileTenant(name: string, deps: ReconcileDeps): Promise<ReconcileResult> {
  const { view, config } = deps;
  const tenant = view.tenant(name);
  if (!tenant) return { writes: 0 };
  const evaluation = deps.evaluateLifecycle?.(tenant, deps.now());
  // Without the lifecycle engine a deleted Tenant is left as it is: nothing of it is deleted.
  if (!evaluation && tenant.metadata.deletionTimestamp) return { writes: 0 };
  const pass = new Pass(tenant, deps, evaluation);
  if (evaluation) {
    const held = await pass.finalizer();
    if (held === 'released' || held === 'gone') return { writes: pass.writes };
    if (pass.phase === 'Erased') return pass.finish();
  }
  const built = buildContext(tenant, config);
  if (isBuildContextError(built)) {
    pass.obs.buildError = { reason: built.reason, message: built.error };
    const event = built.reason === Reason.RegionNotServed ? EventReason.RegionNotServed : EventReason.ReconcileFailed;
    await pass.warnOnce(event, built.error, { type: Cond.NamespaceReady, reason: built.reason });
    return pass.finish();
  }
  pass.release(built);
  try {
    for (const step of TENANT_STEPS) if ((await pass[step](built)) === 'stop') break;
  } catch (e) {
    pass.obs.error = e instanceof Error ? e.message : String(e);
    await pass.announceFailure(pass.obs.error);
    await pass.finish();
    throw e;
  }
  return pass.finish();
}

/**
 * Several concurrent writes of one pass failed. The message names every one; the HTTP status and
 * headers are the first failure's, so the work queue retries (a 409 quickly, a Retry-After as
 * asked) exactly as it would for that failure alone.
 */
export class WritesFailed extends AggregateError {
  readonly code: number | undefined;
  readonly headers: unknown;

  constructor(failures: { m: Manifest; error: unknown }[]) {
    const what = failures.map(({ m, error }) => `${m.kind} ${m.metadata.name}: ${error instanceof Error ? error.message : String(error)}`);
    super(
      failures.map((f) => f.error),
      `${failures.length} writes failed: ${what.join('; ')}`,
    );
    this.name = 'WritesFailed';
    const first = failures[0]?.error as { code?: unknown; statusCode?: unknown; headers?: unknown } | undefined;
    const code = typeof first?.code === 'number' ? first.code : first?.statusCode;
    this.code = typeof code === 'number' ? code : undefined;
    this.headers = first?.headers;
  }
}

/** State of one reconcile pass over one tenant; each step is a method and leaves what later steps need. */
class Pass {
  readonly obs: Observations = {};
  writes = 0;
  requeueAfterMs: number | undefined;
  lastBackup: TenantStatus['lastBackup'];
  /** The backup CronJob and its companions, applied with the other objects (none while backups are blocked). */
  private backupObjects: Manifest[] = [];
  /** The desired manifests and PVCs of this pass, built once. */
  private manifests: { built: Manifest[]; pvcs: Manifest[] } | undefined;
  /** What keeps the tenant off its host, if anything (set by the host step). */
  private hostTrouble: HostProblem | undefined;
  /** Everything the apply step wrote or kept: what pruning must leave alone. */
  private wanted = new Set<string>();
  /** The lifecycle phase this pass enforces (undefined without the lifecycle engine). */
  readonly phase: LifecyclePhase | undefined;
  /** The database is stopped (Closed after its final backup, Erasing) and the backup CronJob suspended. */
  private stopDatabase = false;
  /**
   * The tenant's place in its release channel's rollout: null when it follows no channel,
   * undefined when the pass ended before it was computed (status.release is then kept as it is).
   */
  private target: ReleaseTarget | null | undefined;
  /** What the readiness step saw of the rollout of the tenant's images. */
  private rollout: RolloutReadiness | undefined;

  constructor(
    readonly tenant: Tenant,
    readonly deps: ReconcileDeps,
    readonly evaluation?: LifecycleEvaluation,
  ) {
    this.phase = evaluation ? enforcedPhase(tenant, evaluation) : undefined;
    this.lifecycleHold = this.phase !== undefined && HOLD_PHASES.has(this.phase);
    // Erasing stops the database, except while the billing export still has to read its tables.
    this.stopDatabase = this.phase === 'Erasing' && !billingTablesPending(tenant);
    this.obs.suspended = tenant.spec.suspend === true || this.lifecycleHold;
    const restore = deps.view.restoringInto?.(tenant.metadata.name ?? '');
    this.restoring = restore !== undefined;
    this.restoreSource = restore && restore.source !== tenant.metadata.name ? restore.source : undefined;
  }

  /** A Restore is writing into this tenant: the app is scaled to zero, no route, no backups. */
  readonly restoring: boolean;
  /** The lifecycle holds the app at zero with no route (Suspended, Closed, Erasing). */
  readonly lifecycleHold: boolean;
  /** The other tenant whose backup that Restore reads, if it is not this one. */
  readonly restoreSource: string | undefined;

  /**
   * The lifecycle finalizer: added to every Tenant before anything is provisioned for it, so that
   * deleting the Tenant never takes its data before its erasure date; released once the tenant is
   * Erased, or at once for a deleted Tenant that never had anything provisioned. 'gone': the Tenant
   * is being deleted without our finalizer, so nothing is done for it.
   */
  async finalizer(): Promise<'held' | 'released' | 'gone'> {
    const t = this.tenant;
    const finalizers = t.metadata.finalizers ?? [];
    const has = finalizers.includes(LIFECYCLE_FINALIZER);
    const release = async () => {
      await this.deps.writer.setTenantFinalizers(
        t,
        finalizers.filter((f) => f !== LIFECYCLE_FINALIZER),
      );
      this.writes++;
    };
    if (!t.metadata.deletionTimestamp) {
      // An Erased tenant holds nothing any more: deleting it just removes the object.
      if (this.phase === 'Erased' && has) await release();
      else if (this.phase !== 'Erased' && !has) {
        await this.deps.writer.setTenantFinalizers(t, [...finalizers, LIFECYCLE_FINALIZER]);
        this.writes++;
      }
      return 'held';
    }
    if (!has) return 'gone';
    if (this.phase === 'Erased' || (await this.nothingProvisioned())) {
      await release();
      getLogger().info('lifecycle finalizer released', { tenant: t.metadata.name, phase: this.phase });
      return 'released';
    }
    return 'held';
  }

  /**
   * Reports whether a deleted Tenant never had anything provisioned, so its finalizer may go at once:
   * the API server (not only the cache) has no namespace of ours for it, and its status shows no
   * trace of data — no backup, no erasure begun, no key, and no condition that only a created
   * namespace or database reports. Any doubt keeps the finalizer (and the data) until eraseAt.
   */
  private async nothingProvisioned(): Promise<boolean> {
    const nsName = tenantNamespace(this.tenant.metadata.name ?? '');
    const ns = this.deps.view.get('v1/Namespace', undefined, nsName) ?? (await this.deps.writer.readNamespace(nsName));
    if (ns && (isOwnedBy(ns, this.tenant) || ns.metadata?.labels?.[TENANT_LABEL] === this.tenant.metadata.name)) return false;
    const st = this.tenant.status;
    if (st?.lastBackup || st?.kmsKeyId || st?.lifecycle?.erasure || st?.lifecycle?.receipt) return false;
    const traces = new Set<string>([Reason.PodsReady, Reason.PodsNotReady, Reason.StoppedByLifecycle, Reason.NamespaceTerminating]);
    return !(st?.conditions ?? []).some(
      (c) =>
        c.type === Cond.FinalBackupTaken ||
        (c.type === Cond.NamespaceReady && (c.status === 'True' || traces.has(c.reason ?? ''))) ||
        ((c.type === Cond.DatabaseReady || c.type === Cond.AppReady) && traces.has(c.reason ?? '')),
    );
  }

  /**
   * Step finalBackup: a Closed tenant's database stops only after one final backup succeeded. The
   * backup is a Job made from the tenant's backup CronJob's template under a name fixed for this
   * closure, so a restarted operator never takes a second one; FinalBackupTaken records it. A
   * failed backup is reported and retried, and the database keeps running meanwhile.
   */
  async finalBackup(ctx: BuildContext): Promise<StepResult> {
    if (this.phase !== 'Closed') return 'continue';
    const taken = (this.tenant.status?.conditions ?? []).find((c) => c.type === Cond.FinalBackupTaken && c.status === 'True');
    if (taken) {
      this.obs.finalBackup = { status: 'True', reason: taken.reason ?? Reason.FinalBackupSucceeded, message: taken.message ?? '' };
      this.stopDatabase = true;
      // The desired state built so far (for the namespace) had the database running.
      this.manifests = undefined;
      return 'continue';
    }
    const cron = this.backupObjects.find((m) => m.kind === 'CronJob');
    if (!cron) {
      const message = `the tenant is Closed but has no backup CronJob to take its final backup from (${this.obs.backup?.message ?? 'no backup policy'}); the database keeps running until a final backup succeeded`;
      this.obs.finalBackup = { status: 'False', reason: Reason.FinalBackupImpossible, message };
      await this.warnOnce(EventReason.FinalBackupFailed, message, { type: Cond.FinalBackupTaken, reason: Reason.FinalBackupImpossible });
      return 'continue';
    }
    const name = finalBackupJobName(this.tenant, this.lifecycle()?.since);
    const job = readAs('batch/v1/Job', this.deps.view.get('batch/v1/Job', ctx.namespace, name));
    if (!job) {
      await this.deps.writer.create(finalBackupJob(cron, name));
      this.writes++;
      await this.deps.writer.event(
        this.tenant,
        'Normal',
        EventReason.CreatingObject,
        `created Job ${name}: the final backup before the database stops`,
      );
      this.obs.finalBackup = { status: 'False', reason: Reason.FinalBackupRunning, message: `final backup Job ${name} started` };
      this.requeueAt(FINAL_BACKUP_RECHECK_MS);
    } else if (hasTrueCondition(job, 'Complete')) {
      const at = job.status?.completionTime ?? rfc3339(this.deps.now());
      this.obs.finalBackup = {
        status: 'True',
        reason: Reason.FinalBackupSucceeded,
        message: `final backup Job ${name} completed at ${at}`,
      };
      this.stopDatabase = true;
      // The desired state built so far (for the namespace) had the database running.
      this.manifests = undefined;
    } else if (hasTrueCondition(job, 'Failed')) {
      const message = `final backup Job ${name} failed; it is retried, and the database keeps running until a final backup succeeded`;
      this.obs.finalBackup = { status: 'False', reason: Reason.FinalBackupFailed, message };
      await this.warnOnce(EventReason.FinalBackupFailed, message, { type: Cond.FinalBackupTaken, reason: Reason.FinalBackupFailed });
      // The failed Job is ours (same labels and uid): deleting it lets the next pass start the same backup again.
      if (isOwnedBy(job, this.tenant)) {
        await this.deps.writer.delete(job);
        this.writes++;
      }
      this.requeueAt(FINAL_BACKUP_RECHECK_MS);
    } else {
      this.obs.finalBackup = { status: 'False', reason: Reason.FinalBackupRunning, message: `final backup Job ${name} is running` };
      this.requeueAt(FINAL_BACKUP_RECHECK_MS);
    }
    return 'continue';
  }

  /** Returns status.lifecycle for this pass (undefined without the lifecycle engine). */
  lifecycle(): TenantStatus['lifecycle'] {
    if (!this.evaluation || !this.phase) return undefined;
    return (this.lifecycleMemo ??= lifecycleStatus(this.withErasureProgress(), this.evaluation, this.phase, this.deps.now()));
  }

  /** The Tenant with the erasure record the runner last wrote, when the cache still shows an older one. */
  private withErasureProgress(): Tenant {
    const t = this.tenant;
    const remembered = this.deps.erasure?.progress?.(t.metadata.uid ?? '');
    const stored = t.status?.lifecycle;
    if (!remembered || furthest(stored?.erasure, remembered.erasure) !== remembered.erasure || stored?.erasure === remembered.erasure)
      return t;
    return { ...t, status: { ...t.status, lifecycle: { ...stored, ...remembered } } };
  }
  private lifecycleMemo: TenantStatus['lifecycle'];

  /**
   * Before the steps: the images the tenant's release channel gives it (P12), which the builders
   * use. A tenant that follows no channel is built as without channels.
   */
  release(ctx: BuildContext): void {
    const { config } = this.deps;
    const channelName = followedChannel(this.tenant, config.release?.defaultChannel);
    const channel = channelName === undefined ? undefined : this.deps.releaseChannel?.(channelName);
    this.target = releaseTarget(this.tenant, channelName, channel, configuredImages(config.images)) ?? null;
    if (!this.target) return;
    ctx.images = this.target.images;
    if (this.target.pinnedImage !== undefined) this.obs.patchPinned = pinnedMessage(this.target.pinnedImage, this.target.channel);
  }

  /** Step namespace: the namespace, unless a namespace of that name belongs to someone else. */
  async namespace(ctx: BuildContext): Promise<StepResult> {
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
      return 'stop';
    }
    if (observed && !isOwnedBy(observed, this.tenant)) {
      const msg = `namespace ${nsName} already exists and is not owned by this tenant; Tenantry leaves it untouched. Delete or rename it, or rename the Tenant`;
      this.obs.namespace = { state: 'conflict', message: msg };
      await this.warnOnce(EventReason.NamespaceConflict, msg, { type: Cond.NamespaceConflict, reason: Reason.NamespaceOwnedByOther });
      return 'stop';
    }
    // A deleted or erasing tenant gets no new namespace: one that is gone stays gone.
    if (!observed && (this.tenant.metadata.deletionTimestamp || this.phase === 'Erasing')) {
      this.obs.namespace = {
        state: 'terminating',
        message: `namespace ${nsName} does not exist and is not created again for a tenant being closed or erased`,
      };
      return 'stop';
    }
    const desired = this.desiredOf(ctx).built.find((m) => m.kind === 'Namespace');
    if (!desired) throw new Error('the desired state has no Namespace');
    await this.applyIfNeeded(desired, observed);
    this.obs.namespace = { state: 'active', message: `namespace ${nsName} is active` };
    return 'continue';
  }

  /**
   * Step backups: the backup plan — policy, credentials copy, and what the bucket shows. Done before
   * the objects so its CronJob is part of what the pass applies and never looks like an orphan.
   */
  /**
   * Step tenantKey: the tenant's own KMS key (P1), created once and kept in status.kmsKeyId; its
   * backups are encrypted under it, so scheduling its deletion at erasure makes every copy
   * unreadable. Until the key exists the tenant gets no backup CronJob (none under another key).
   */
  async tenantKey(ctx: BuildContext): Promise<StepResult> {
    const keys = this.deps.tenantKeys;
    const known = this.tenant.status?.kmsKeyId;
    if (known) ctx.tenantKmsKeyId = known;
    if (!keys || known || this.phase === 'Erasing' || this.phase === 'Erased') return 'continue';
    try {
      this.kmsKeyId = await keys.ensure(this.tenant);
      ctx.tenantKmsKeyId = this.kmsKeyId;
    } catch (e) {
      this.tenantKeyError = e instanceof Error ? e.message : String(e);
      await this.warnOnce(EventReason.TenantKeyUnavailable, `the tenant's own KMS key cannot be created or used: ${this.tenantKeyError}`, {
        type: Cond.BackupHealthy,
        reason: Reason.TenantKeyUnavailable,
      });
      this.requeueAt(TENANT_KEY_RECHECK_MS);
    }
    return 'continue';
  }
  /** The tenant's own key created by this pass, for status.kmsKeyId. */
  private kmsKeyId: string | undefined;
  /** Why the tenant's own key could not be created; backups wait for it. */
  private tenantKeyError: string | undefined;

  async backups(ctx: BuildContext): Promise<StepResult> {
    const { view, now } = this.deps;
    const policyName = policyNameFor(ctx);
    const policy = policyName ? view.backupPolicy?.(policyName) : undefined;
    const credentials = await this.policyCredentials(policy);
    const observation = await this.observeBucket(ctx, policy, credentials);
    const plan = planBackupStep({
      ctx,
      now: now(),
      restoring: this.restoring,
      ...(this.restoreSource ? { restoreSource: this.restoreSource } : {}),
      ...(policyName ? { policyName } : {}),
      ...(policy ? { policy } : {}),
      ...(credentials ? { credentials } : {}),
      ...(observation ? { observation } : {}),
    });
    // Backups are only judged where the operator can see the bucket; elsewhere the condition stays unset.
    if (this.deps.backups || plan.blocked) this.obs.backup = plan.health;
    if (plan.objective) this.obs.restoreObjective = plan.objective;
    this.lastBackup = plan.lastBackup;
    if (plan.recheckAt) this.requeueAt(plan.recheckAt.getTime() - now().getTime());
    this.backupObjects = plan.blocked || this.tenantKeyError ? [] : plan.manifests.map(withAppliedHash);
    if (this.tenantKeyError && this.obs.backup)
      this.obs.backup = {
        status: 'False',
        reason: Reason.TenantKeyUnavailable,
        message: `no backups until the tenant's own KMS key exists: ${this.tenantKeyError}`,
      };
    return 'continue';
  }

  /** Reads the S3 credentials the policy names, if any; a failed read is returned as the Error, for the plan to report. */
  private async policyCredentials(policy: BackupPolicy | undefined): Promise<Record<string, string> | Error | undefined> {
    const ref = policy?.spec.destination.credentialsSecretRef;
    if (!ref || !this.deps.readCredentials) return undefined;
    return this.deps.readCredentials(ref).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
  }

  /**
   * Looks at the tenant's backups in the policy's bucket: only when an observer is configured, the
   * bucket is in the tenant's region and the credentials could be read (the plan reports otherwise).
   */
  private async observeBucket(
    ctx: BuildContext,
    policy: BackupPolicy | undefined,
    credentials: Record<string, string> | Error | undefined,
  ): Promise<BackupObservation | undefined> {
    if (!policy || policy.spec.destination.region !== ctx.tenant.spec.region) return undefined;
    if (!this.deps.backups || credentials instanceof Error) return undefined;
    return this.deps.backups.observe(ctx.tenant.metadata.name ?? '', policy, this.deps.now());
  }

  /** Asks to look at the tenant again after `ms` (the earliest of all asks wins). */
  requeueAt(ms: number): void {
    const after = Math.max(1000, ms);
    this.requeueAfterMs = this.requeueAfterMs === undefined ? after : Math.min(this.requeueAfterMs, after);
  }

  /**
   * Step host: whether the tenant may have its host; a problem is warned about once (the apply step then
   * leaves routing out if it blocks).
   */
  async host(ctx: BuildContext): Promise<StepResult> {
    this.obs.ingress = this.observeHost(ctx, this.desiredOf(ctx).built);
    this.hostTrouble = hostProblem(this.obs.ingress);
    if (this.hostTrouble) {
      const event = this.hostTrouble.reason === Reason.HostNotAllowed ? EventReason.HostNotAllowed : EventReason.HostConflict;
      await this.warnOnce(event, this.hostTrouble.message, { type: Cond.HostConflict, reason: this.hostTrouble.reason });
    }
    return 'continue';
  }

  /** Step storage: whether the StorageClass of the tenant's volumes encrypts them; without it no new volume or workload is made. */
  async storage(ctx: BuildContext): Promise<StepResult> {
    // The class the PVCs name (buildPersistentVolumeClaims uses the same function).
    const className = storageClassFor(ctx);
    const storage = storageClassEncryption(this.deps.view.storageClass(className), className);
    this.obs.storage = { encrypted: storage.encrypted, reason: storage.reason, message: storage.message };
    if (!storage.encrypted)
      await this.warnOnce(EventReason.StorageNotEncrypted, storage.message, { type: Cond.StorageEncrypted, reason: storage.reason });
    return 'continue';
  }

  /**
   * Step apply: the credentials Secret and every owned object that differs, written concurrently
   * (they do not depend on each other at admission; pods come later, from the controllers), so a
   * new tenant converges in one round trip, and one Event tells what the pass changed. Every failed
   * write is reported, not only the first.
   */
  async apply(ctx: BuildContext): Promise<StepResult> {
    const { view, writer } = this.deps;
    const desired = this.objectsToApply(ctx);
    const secret = this.missingSecret(ctx);
    const writes: Array<{ m: Manifest; run: () => Promise<ApplyReason> }> = [
      ...(secret ? [{ m: secret, run: () => this.createSecret(secret) }] : []),
      ...desired.map((m) => ({ m, run: () => this.applyIfNeeded(m, view.get(kindKey(m), m.metadata.namespace, m.metadata.name)) })),
    ];
    const outcomes = await Promise.allSettled(writes.map((w) => w.run()));
    const changes: string[] = [];
    const failures: { m: Manifest; error: unknown }[] = [];
    outcomes.forEach((o, i) => {
      const m = writes[i]!.m;
      if (o.status === 'rejected') failures.push({ m, error: o.reason });
      else if (o.value)
        changes.push(`${o.value === 'missing' ? 'created' : o.value === 'drifted' ? 'restored' : 'updated'} ${m.kind} ${m.metadata.name}`);
    });
    if (changes.length > 0) {
      const repaired = changes.some((c) => c.startsWith('restored'));
      await writer.event(
        this.tenant,
        'Normal',
        repaired
          ? EventReason.RepairingDrift
          : changes.every((c) => c.startsWith('created'))
            ? EventReason.CreatingObject
            : EventReason.UpdatingObject,
        changes.join(', '),
      );
    }
    if (failures.length === 1) throw failures[0]!.error;
    if (failures.length > 1) throw new WritesFailed(failures);
    return 'continue';
  }

  /**
   * Returns what the apply step writes: the desired objects but the Namespace, without routing while
   * the host is blocked, and with volumes, workloads and backup objects only on encrypted storage.
   * Remembers what pruning must keep.
   */
  private objectsToApply(ctx: BuildContext): Manifest[] {
    const { built: all, pvcs } = this.desiredOf(ctx);
    const built = all.filter((m) => m.kind !== 'Namespace');
    const workloads = built.filter(isWorkload);
    // A host the tenant may not have gets no route and no certificate; ones made earlier are pruned.
    let desired = this.hostTrouble?.blocking ? built.filter((m) => !isRouting(m)) : built;
    // Without an encrypted class no new volume and no workload is created. Workloads that already
    // run are left alone rather than deleted: a class deleted or misconfigured later must not take
    // a live tenant down (their volumes exist and were checked when they were made).
    // Backup objects come with the volumes: without a files volume there is nothing to back up.
    // No backup runs once erasure began: one started then could write behind the Backups step.
    const backups = this.stopDatabase || this.phase === 'Erasing' ? this.backupObjects.map(stopped) : this.backupObjects;
    if (this.obs.storage?.encrypted) desired = [...pvcs, ...desired, ...backups];
    else desired = desired.filter((m) => !isWorkload(m));
    this.wanted = new Set([...desired, ...pvcs, ...workloads].map((m) => objectKey(m)).concat(this.secretKey(ctx)));
    return desired;
  }

  /** The key of the tenant's database credentials Secret. */
  private secretKey(ctx: BuildContext): string {
    return objectKey({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: ctx.namespace, name: DATABASE_SECRET_NAME } });
  }

  /**
   * Returns the database credentials Secret to create, or undefined when it exists (or its creation
   * is expected). Credentials are created once and never rewritten: the database keeps the first
   * password. The passwords are generated only when the Secret is missing, not on every pass.
   */
  private missingSecret(ctx: BuildContext): Manifest | undefined {
    const exists =
      this.deps.view.get('v1/Secret', ctx.namespace, DATABASE_SECRET_NAME) ||
      this.deps.expectations?.satisfiedBy(this.secretKey(ctx), 'created');
    return exists ? undefined : buildDatabaseSecret(ctx, { databasePassword: this.newPassword(), rootPassword: this.newPassword() });
  }

  /** Creates the credentials Secret; 'missing' when this pass created it, undefined when it already existed. */
  private async createSecret(secret: Manifest): Promise<ApplyReason> {
    const { namespace, name } = secret.metadata;
    const rv = await this.deps.writer.create(secret);
    this.writes++;
    if (rv === false) return undefined;
    this.deps.expectations?.wrote(
      objectKey(secret),
      'created',
      rv,
      this.deps.view.get('v1/Secret', namespace, name)?.metadata?.resourceVersion,
    );
    return 'missing';
  }

  /**
   * Step prune: deletes what the tenant owns but no longer needs; never its namespace, volumes, Secrets
   * or Jobs, nor anything not truly its own.
   */
  async prune(): Promise<StepResult> {
    const { view, writer } = this.deps;
    for (const o of view.ownedBy(this.tenant.metadata.name ?? '')) {
      if (o.kind === 'Namespace' || NEVER_PRUNED.has(kindKey(o)) || this.wanted.has(objectKey(o)) || !isOwnedBy(o, this.tenant)) continue;
      await writer.delete(o);
      this.writes++;
      await writer.event(
        this.tenant,
        'Normal',
        EventReason.DeletingObject,
        `deleted ${o.kind} ${o.metadata?.name ?? ''}, which the tenant no longer needs`,
      );
    }
    return 'continue';
  }

  /** Step readiness: the database and app replicas, for DatabaseReady and AppReady (none without encrypted storage). */
  async readiness(ctx: BuildContext): Promise<StepResult> {
    if (!this.obs.storage?.encrypted) return 'continue';
    const { view } = this.deps;
    const workloads = this.desiredOf(ctx).built.filter(isWorkload);
    // Replicas come from the desired manifests: the cache may not hold a just-created workload yet.
    const replicasOf = (m: Manifest | undefined) => specReplicas(m) ?? 1;
    const stsWanted = workloads.find((m) => m.kind === 'StatefulSet');
    const depWanted = workloads.find((m) => m.kind === 'Deployment');
    const sts = readAs('apps/v1/StatefulSet', view.get('apps/v1/StatefulSet', ctx.namespace, stsWanted?.metadata.name ?? ''));
    const dep = readAs('apps/v1/Deployment', view.get('apps/v1/Deployment', ctx.namespace, depWanted?.metadata.name ?? ''));
    this.obs.database = { replicas: replicasOf(stsWanted), readyReplicas: sts?.status?.readyReplicas ?? 0 };
    if (this.stopDatabase) this.obs.databaseStopped = this.phase ?? 'Closed';
    this.obs.app = { replicas: replicasOf(depWanted), availableReplicas: dep?.status?.availableReplicas ?? 0 };
    // Only a tenant that follows a release channel reports its rollout (status.release).
    if (this.target)
      this.rollout = observeRollout(
        {
          app: { replicas: replicasOf(depWanted), image: podImage(readAs('apps/v1/Deployment', depWanted)) },
          ...(this.stopDatabase
            ? {}
            : { database: { replicas: replicasOf(stsWanted), image: podImage(readAs('apps/v1/StatefulSet', stsWanted)) } }),
        },
        dep,
        sts,
      );
    return 'continue';
  }

  /**
   * Returns whether the tenant may have its host (for the host step). It must be under a domain the operator serves
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

  /** Returns this pass's desired manifests and PVCs, built on first use. */
  desiredOf(ctx: BuildContext): { built: Manifest[]; pvcs: Manifest[] } {
    if (!this.manifests) {
      const state = this.desiredState(ctx);
      this.manifests = this.stopDatabase ? { ...state, built: state.built.map(stopped) } : state;
    }
    return this.manifests;
  }

  /** Returns the tenant's desired manifests and PVCs, each carrying its applied hash. */
  desiredState(ctx: BuildContext): { built: Manifest[]; pvcs: Manifest[] } {
    // During a restore or a lifecycle hold the app is held at zero replicas; those states are rare and not memoized.
    if (this.restoring || this.lifecycleHold)
      return {
        built: buildDesiredState(ctx, { suspended: true }).map(withAppliedHash),
        pvcs: buildPersistentVolumeClaims(ctx).map(withAppliedHash),
      };
    if (this.deps.desired) return this.deps.desired.get(ctx);
    return { built: buildDesiredState(ctx).map(withAppliedHash), pvcs: buildPersistentVolumeClaims(ctx).map(withAppliedHash) };
  }

  /** Applies a manifest (carrying its applied hash) when it differs from what is observed; returns why it was written. */
  async applyIfNeeded(desired: Manifest, observed: KubernetesObject | undefined): Promise<ApplyReason> {
    // Cached Secrets carry no data (the operator never keeps credentials in memory), so a Secret is
    // compared by its applied hash alone; its stored form (base64 `data`) never equals `stringData`.
    const secret = desired.kind === 'Secret';
    const reason =
      secret && observed
        ? applyReason({ metadata: desired.metadata }, { metadata: observed.metadata })
          ? 'changed'
          : undefined
        : applyReason(desired, observed);
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
      if (left)
        throw new Error(
          `${desired.kind} ${desired.metadata.namespace ?? ''}/${desired.metadata.name} still differs at ${left} after apply and merge patch; another controller may be changing it`,
        );
    }
    this.deps.expectations?.wrote(
      key,
      hash,
      stored.metadata?.resourceVersion,
      this.deps.view.get(kindKey(desired), desired.metadata.namespace, desired.metadata.name)?.metadata?.resourceVersion,
    );
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

  /**
   * Announces a failed pass with a Warning Event, once while the Reconciled condition already says
   * so. The Event is best effort: failing to send it must not hide the error that failed the pass.
   */
  async announceFailure(message: string): Promise<void> {
    try {
      await this.warnOnce(EventReason.ReconcileFailed, message, { type: Cond.Reconciled, reason: Reason.ReconcileFailed });
    } catch (e) {
      getLogger().warn('could not send the ReconcileFailed Event', {
        tenant: this.tenant.metadata.name,
        err: e instanceof Error ? e.message : String(e),
      });
    }
  }

  /** Returns a new random password (or the injected one). */
  newPassword(): string {
    return this.deps.newPassword ? this.deps.newPassword() : randomBytes(24).toString('base64url');
  }

  /** After the steps, whatever they did: conditions, phase and URL; the status is written only when it changed. */
  async finish(): Promise<ReconcileResult> {
    const t = this.tenant;
    const generation = t.metadata.generation ?? 0;
    const now = this.deps
      .now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    if (this.evaluation) this.obs.lifecycleValid = lifecycleValidity(this.evaluation);
    this.obs.breachNotices = this.deps.view.breachNotices?.(t.metadata.name ?? '') ?? [];
    const computed = computeConditions(this.obs, generation, now);
    // Erased: nothing is looked at any more; the conditions of the last provisioning pass stay as they were.
    const base = this.phase === 'Erased' ? mergeKept(t.status?.conditions, computed) : computed;
    // The erasure runner's condition is its own: a pass keeps it as stored instead of dropping it.
    const erasure = t.status?.conditions?.find((c) => c.type === ERASURE_CONDITION);
    const conditions = [
      ...mergeConditions(t.status?.conditions, base).filter((c) => c.type !== ERASURE_CONDITION),
      ...(erasure ? [erasure] : []),
    ];
    const status = this.statusOf(conditions, generation);
    await this.writeStatus(status, conditions);
    await this.announceTransition();
    if (this.evaluation)
      this.requeueExactly(requeueForTransition(this.phase === this.evaluation.phase ? this.evaluation.next : null, this.deps.now()));
    if (this.phase === 'Erasing' && this.evaluation && this.deps.erasure) {
      // The runner writes the whole status from the Tenant it gets: it must build on the status this
      // pass just wrote (phase Erasing with its reason), not on the one read before the pass.
      const r = await this.deps.erasure.run({ ...t, status }, this.evaluation);
      if (r.requeueAfterMs !== undefined) this.requeueExactly(r.requeueAfterMs);
      // Erased: the next pass reads the runner's receipt and reports the phase Erased.
      if (r.erased) this.requeueExactly(1000);
    }
    return { writes: this.writes, ...(this.requeueAfterMs !== undefined ? { requeueAfterMs: this.requeueAfterMs } : {}) };
  }

  /** Asks to look again after exactly `ms` (no floor: a lifecycle step is due at its instant); the earliest ask wins. */
  private requeueExactly(ms: number | undefined): void {
    if (ms === undefined) return;
    this.requeueAfterMs = this.requeueAfterMs === undefined ? ms : Math.min(this.requeueAfterMs, ms);
  }

  /** A lifecycle transition (phase or reason changed): one Event, one log line and one audit record, after the status says so. */
  private async announceTransition(): Promise<void> {
    const status = this.lifecycle();
    if (!status || !this.phase) return;
    const t = this.tenant;
    const transition = transitionOf(t, this.phase, status.reason ?? '');
    if (!transition) return;
    const message = transitionMessage(transition, status);
    await this.deps.writer.event(t, this.phase === 'Erasing' ? 'Warning' : 'Normal', this.phase, message);
    const actor = transition.action ? actorOf(t, transition.action) : 'unknown';
    getLogger().info('lifecycle transition', {
      tenant: t.metadata.name,
      uid: t.metadata.uid,
      from: transition.from.phase ?? null,
      fromReason: transition.from.reason ?? null,
      phase: this.phase,
      reason: status.reason,
      eraseAt: status.eraseAt ?? null,
      action: transition.action ?? null,
      actor,
    });
    if (!transition.action || !this.deps.audit) return;
    await this.deps.audit(auditRecordOf(t, { ...transition, action: transition.action }, status, actor, this.deps.now()));
  }

  /** Returns the Tenant status this pass reports: phase, conditions, namespace, URL, last backup and release. */
  private statusOf(conditions: TenantStatusConditionsItem[], generation: number): TenantStatus {
    const t = this.tenant;
    // The URL is dropped while a host problem keeps the tenant off the network.
    const { url: _previousUrl, release: previousRelease, ...kept } = t.status ?? {};
    const release =
      this.target === undefined
        ? previousRelease
        : this.target && releaseStatus(this.target, previousRelease, this.rollout, this.deps.now());
    const lifecycle = this.lifecycle();
    const lifecyclePhase = this.phase === 'Closed' || this.phase === 'Erasing' || this.phase === 'Erased' ? this.phase : undefined;
    return {
      ...kept,
      phase: lifecyclePhase ?? (this.restoring ? 'Restoring' : computePhase(conditions, this.obs.suspended === true)),
      ...(lifecycle ? { lifecycle } : {}),
      conditions,
      observedGeneration: generation,
      namespace: tenantNamespace(t.metadata.name ?? ''),
      ...(this.obs.ingress && !hostProblem(this.obs.ingress)?.blocking && !this.obs.suspended
        ? { url: `https://${this.obs.ingress.host}` }
        : {}),
      ...(this.lastBackup ? { lastBackup: this.lastBackup } : {}),
      ...(this.kmsKeyId ? { kmsKeyId: this.kmsKeyId } : {}),
      ...(release ? { release } : {}),
    };
  }

  /** Writes the status when it differs from the cached one, unless the same status was written already and the cache lags. */
  private async writeStatus(status: TenantStatus, conditions: TenantStatusConditionsItem[]): Promise<void> {
    const t = this.tenant;
    const key = statusKey(t.metadata.name ?? '');
    // Transition times are left out: a pass over a stale cache recomputes them from an older status.
    const hash = manifestHash({ ...status, conditions: conditions.map(({ lastTransitionTime: _t, ...c }) => c) });
    if (
      canonicalJson(status) !== canonicalJson(t.status ?? {}) &&
      !this.deps.expectations?.satisfiedBy(key, hash, t.metadata.resourceVersion)
    ) {
      const rv = await this.deps.writer.patchTenantStatus(t.metadata.name ?? '', status);
      this.deps.expectations?.wrote(key, hash, rv, this.deps.view.tenant(t.metadata.name ?? '')?.metadata.resourceVersion);
      this.writes++;
    }
  }
}

/**
 * Returns the manifest as the lifecycle wants it while the database is stopped: the database
 * StatefulSet at zero replicas, the backup CronJob suspended (re-hashed, so the change is applied).
 */
function stopped(m: Manifest): Manifest {
  if (m.kind !== 'StatefulSet' && m.kind !== 'CronJob') return m;
  const { [APPLIED_HASH_ANNOTATION]: _hash, ...annotations } = m.metadata.annotations ?? {};
  const spec = { ...(m['spec'] as Record<string, unknown>), ...(m.kind === 'StatefulSet' ? { replicas: 0 } : { suspend: true }) };
  const { annotations: _old, ...rest } = m.metadata;
  const metadata = Object.keys(annotations).length === 0 ? rest : { ...rest, annotations };
  return withAppliedHash({ ...m, metadata, spec });
}

/** Reports whether erasure still has to export billing tables from the database (so it keeps running until then). */
function billingTablesPending(t: Tenant): boolean {
  if (!t.spec.lifecycle?.billingExport?.tables?.length) return false;
  const erasure = t.status?.lifecycle?.erasure;
  return erasure?.dryRun === true || !(erasure?.steps ?? []).some((s) => s.name === 'BillingExport');
}

/** Keeps the previous conditions and puts the newly computed ones (LifecycleValid, BreachNotificationPending) over them. */
function mergeKept(
  previous: TenantStatusConditionsItem[] | undefined,
  computed: TenantStatusConditionsItem[],
): TenantStatusConditionsItem[] {
  const lifecycle = new Set<string>([Cond.LifecycleValid, Cond.BreachNotificationPending]);
  const fresh = computed.filter((c) => lifecycle.has(c.type));
  return [...(previous ?? []).filter((c) => !lifecycle.has(c.type)), ...fresh];
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
