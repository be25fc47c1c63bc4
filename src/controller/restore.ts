// reconcileRestore(name): one step of a Restore on the same cache-backed view and writer as the
// Tenant reconciler. What to do is decided by planRestore (pure, restore-plan.ts); this module only
// gathers what the planner needs (the caches, the bucket) and carries out its plan.
import type { BackupPolicy, Restore, RestoreStatus, Tenant } from '../api/generated/index.js';
import { EventReason } from '../api/conditions.js';
import { tenantNamespace } from '../api/names.js';
import type { OperatorConfig } from '../config.js';
import { getLogger } from '../log.js';
import {
  APP_NAME,
  buildContext,
  buildRestoreJob,
  buildRestoreSourceServiceAccount,
  DATABASE_SECRET_NAME,
  isBuildContextError,
  restoreJobName,
} from '../resources/index.js';
import type { BackupObserver } from './backup-observer.js';
import { policyNameFor } from './backup-step.js';
import { canonicalJson } from './diff.js';
import type { ClusterView, ClusterWriter } from './cluster.js';
import { planRestore, restoreDone, restoreTarget, type RestoreInput } from './restore-plan.js';
import { shardLabels } from './selector.js';
import { readAs, type ReadBackKinds } from './read-back.js';
import type { AuditHook } from './lifecycle-step.js';

/** How soon a pending Restore is looked at again while its target is provisioned. */
export const RESTORE_PENDING_RECHECK_MS = 5000;
/** How soon a pending Restore is looked at again when its source's bucket could not be listed. */
export const RESTORE_STORE_RECHECK_MS = 60_000;

/** The Tenant reconciler's view, with the Restores and BackupPolicies the operator caches. */
export interface RestoreView extends ClusterView {
  restore(name: string): Restore | undefined;
  backupPolicy(name: string): BackupPolicy | undefined;
}

/** The Tenant reconciler's writer, with the two writes only a Restore makes. */
export interface RestoreWriter extends ClusterWriter {
  /** Creates a Tenant; resolves false when it already exists. */
  createTenant(t: Tenant): Promise<boolean>;
  patchRestoreStatus(name: string, status: RestoreStatus): Promise<void>;
}

/** Everything a Restore step needs; `now` is injected so tests control time. */
export interface RestoreDeps {
  config: OperatorConfig;
  view: RestoreView;
  writer: RestoreWriter;
  now: () => Date;
  /** The source tenant's backups as its bucket shows them. */
  backups: Pick<BackupObserver, 'observe' | 'invalidate' | 'backupBytes'>;
  /** The operator's --tenant-selector: a tenant created for a restore carries the source's values for its keys. */
  tenantSelector?: string;
  /** The audit trail (P11): a restore replaces a tenant's data, so its start is recorded. */
  audit?: AuditHook;
}

/**
 * Result of a step: when to look again, and the tenant whose reconcile must follow (it holds or
 * releases its app by the Restore's phase).
 */
export interface RestoreResult {
  requeueAfterMs?: number;
  target?: string;
}

/** Reconciles one Restore by name: creates the target tenant, starts the Job once the app is held at zero, reports. */
export async function reconcileRestore(name: string, deps: RestoreDeps): Promise<RestoreResult> {
  const restore = deps.view.restore(name);
  if (!restore || restoreDone(restore)) return {};
  const input = await observeRestore(restore, deps);
  const plan = planRestore(input);
  const targetName = restoreTarget(restore);
  if (plan.createTenant && (await deps.writer.createTenant(plan.createTenant))) {
    getLogger().info('created the target tenant of a restore', { restore: name, tenant: targetName });
  }
  if (plan.startJob && input.target && input.policy) await startJob(restore, input, plan.startJob.backupId, deps);
  await reportRestore(restore, plan.status, input.source, deps);
  return {
    target: targetName,
    // Waiting on the target's provisioning: look again soon even if no event arrives.
    ...(plan.status.phase === 'Pending'
      ? { requeueAfterMs: input.storeError ? RESTORE_STORE_RECHECK_MS : RESTORE_PENDING_RECHECK_MS }
      : {}),
  };
}

/** Gathers what the planner sees: source, target, policy, the newest backup, the target's readiness and the Job. */
async function observeRestore(restore: Restore, deps: RestoreDeps): Promise<RestoreInput> {
  const { view, backups } = deps;
  const source = view.tenant(restore.spec.tenant);
  const targetName = restoreTarget(restore);
  const target = view.tenant(targetName);
  const policy = sourcePolicy(source, deps);
  const now = deps.now();
  const latest = await observeLatest(restore, source, policy, now, backups);
  const ns = tenantNamespace(targetName);
  const targetReady = isTargetReady(view, ns, target);
  const job = readAs('batch/v1/Job', view.get('batch/v1/Job', ns, restoreJobName(restore.metadata.name ?? '')));
  const backupBytes = await restoredBytes(restore, job, policy, backups);
  return {
    restore,
    now,
    targetReady,
    shardLabels: shardLabels(deps.tenantSelector, source?.metadata.labels),
    ...(source ? { source } : {}),
    ...(target ? { target } : {}),
    ...(policy ? { policy } : {}),
    ...latest,
    ...(backupBytes !== undefined ? { backupBytes } : {}),
    ...(job ? { job } : {}),
  };
}

/** Returns the BackupPolicy the source tenant's backups go to, when the tenant and its policy exist. */
function sourcePolicy(source: Tenant | undefined, deps: RestoreDeps): BackupPolicy | undefined {
  const sourceCtx = source ? buildContext(source, deps.config) : undefined;
  const policyName = sourceCtx && !isBuildContextError(sourceCtx) ? policyNameFor(sourceCtx) : undefined;
  return policyName ? deps.view.backupPolicy(policyName) : undefined;
}

/**
 * Lists the source's bucket afresh for its newest verified backup, only while the Restore asks for
 * `latest` and has not chosen a backup yet; returns that id or why the bucket could not be listed.
 */
async function observeLatest(
  restore: Restore,
  source: Tenant | undefined,
  policy: BackupPolicy | undefined,
  now: Date,
  backups: RestoreDeps['backups'],
): Promise<Pick<RestoreInput, 'latestBackupId' | 'storeError'>> {
  if (!source || !policy || restore.status?.backupId || (restore.spec.backupId ?? 'latest') !== 'latest') return {};
  backups.invalidate(restore.spec.tenant);
  const seen = await backups.observe(restore.spec.tenant, policy, now);
  const latestBackupId = seen.newestVerified?.id;
  const storeError = seen.error;
  return { ...(latestBackupId ? { latestBackupId } : {}), ...(storeError ? { storeError } : {}) };
}

/** Reports whether the target can run the Job: it exists, has its database credentials, and its app is at zero replicas. */
function isTargetReady(view: RestoreView, ns: string, target: Tenant | undefined): boolean {
  const app = readAs('apps/v1/Deployment', view.get('apps/v1/Deployment', ns, APP_NAME));
  // The Job may only start once the target's app is at zero replicas: no writes during the swap.
  return !!target && !!view.get('v1/Secret', ns, DATABASE_SECRET_NAME) && app?.spec?.replicas === 0;
}

/** Returns the plaintext size of the restored backup once the Job completed; undefined when it cannot be read. */
async function restoredBytes(
  restore: Restore,
  job: ReadBackKinds['batch/v1/Job'] | undefined,
  policy: BackupPolicy | undefined,
  backups: RestoreDeps['backups'],
): Promise<number | undefined> {
  const complete = job?.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True');
  const backupId = restore.status?.backupId;
  return complete && policy && backupId
    ? await backups.backupBytes(restore.spec.tenant, policy, backupId).catch(() => undefined)
    : undefined;
}

/** Applies the restore Job (and, across tenants, the identity that reads the source's backups) and tells the source's owners. */
async function startJob(restore: Restore, input: RestoreInput, backupId: string, deps: RestoreDeps): Promise<void> {
  const { writer } = deps;
  const { target, policy, source } = input;
  if (!target || !policy) return;
  const name = restore.metadata.name ?? '';
  const ctx = buildContext(target, deps.config);
  if (!isBuildContextError(ctx)) {
    // The identity that reads another tenant's backups exists before the Job's pod needs it
    // (the target's reconcile keeps it while the restore runs, then removes it).
    if (restore.spec.tenant !== restoreTarget(restore) && !policy.spec.destination.credentialsSecretRef)
      await writer.apply(buildRestoreSourceServiceAccount(ctx, restore.spec.tenant));
    await writer.apply(buildRestoreJob(ctx, policy, restore, backupId));
    await auditRestore(restore, target, backupId, deps);
  }
  if (source)
    await writer.event(
      source,
      'Normal',
      EventReason.RestoreStarted,
      `Restore ${name}: restoring backup ${backupId} into ${restoreTarget(restore)}`,
    );
}

/** Appends the audit record of a restore's start; a failure to append is logged, never fatal to the restore. */
async function auditRestore(restore: Restore, target: Tenant, backupId: string, deps: RestoreDeps): Promise<void> {
  if (!deps.audit) return;
  const record = {
    action: 'Restore' as const,
    tenant: target.metadata.name ?? '',
    uid: target.metadata.uid ?? '',
    actor: 'unknown',
    at: deps.now().toISOString(),
    details: { restore: restore.metadata.name ?? '', source: restore.spec.tenant, backupId },
  };
  try {
    await deps.audit(record);
  } catch (e) {
    getLogger().warn('could not append the audit record of a restore', { restore: record.details.restore, err: (e as Error).message });
  }
}

/** Writes the Restore's status when it changed, and announces a finished Restore on its source tenant. */
async function reportRestore(restore: Restore, status: RestoreStatus, source: Tenant | undefined, deps: RestoreDeps): Promise<void> {
  if (canonicalJson(status) === canonicalJson(restore.status ?? {})) return;
  const name = restore.metadata.name ?? '';
  await deps.writer.patchRestoreStatus(name, status);
  if (status.phase === restore.status?.phase) return;
  getLogger().info('restore phase changed', {
    restore: name,
    tenant: restoreTarget(restore),
    phase: status.phase,
    backupId: status.backupId,
  });
  if ((status.phase === 'Succeeded' || status.phase === 'Failed') && source) {
    const succeeded = status.phase === 'Succeeded';
    await deps.writer.event(
      source,
      succeeded ? 'Normal' : 'Warning',
      succeeded ? EventReason.RestoreSucceeded : EventReason.RestoreFailed,
      `Restore ${name}: ${status.conditions?.[0]?.message ?? ''}`,
    );
  }
}
