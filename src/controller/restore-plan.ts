// A Restore's next step as a pure function of what the caches and the bucket show: which tenant
// to create or suspend, which Job to start, and the status to report. The Job is the only thing
// that touches data; this function only decides when it may run (never across regions, only
// from a complete backup, only once the target's app is scaled to zero).
import type { KubernetesObject } from '@kubernetes/client-node';
import { RestoreReason } from '../api/conditions.js';
import type { BackupPolicy, Restore, RestoreStatus, Tenant } from '../api/generated/index.js';
import { restoreJobName } from '../resources/restore-job.js';

/** Label on a Tenant created to receive a restore. */
export const RESTORED_FROM_LABEL = 'tenantry.io/restored-from';
/** Annotation naming the Restore that created a Tenant: only that Restore may write into it. */
export const CREATED_BY_RESTORE_ANNOTATION = 'tenantry.io/created-by-restore';

/** What the planner sees. */
export interface RestoreInput {
  restore: Restore;
  source?: Tenant;
  target?: Tenant;
  policy?: BackupPolicy;
  /** Newest verified backup id of the source tenant, when spec.backupId is `latest`. */
  latestBackupId?: string;
  /** Why the source's bucket could not be listed (then `latest` is unknown, not absent). */
  storeError?: string;
  /**
   * Labels a Tenant created for this restore must carry so the operator that creates it also
   * serves it (its shard's selector labels, copied from the source); never GitOps labels.
   */
  shardLabels?: Record<string, string>;
  /** Plaintext bytes of the backup being restored, once known. */
  backupBytes?: number;
  /** The target can run the Job: its namespace, credentials and volumes exist and its app is scaled to zero. */
  targetReady: boolean;
  job?: KubernetesObject & {
    status?: { startTime?: string; completionTime?: string; conditions?: { type: string; status: string; message?: string }[] };
  };
  now: Date;
}

/** What the controller does next. */
export interface RestorePlan {
  status: RestoreStatus;
  /** A Tenant to create (restore into a new tenant). */
  createTenant?: Tenant;
  /** Start the restore Job for this backup id. */
  startJob?: { backupId: string };
  /** The target tenant whose app must stay scaled to zero while this plan is not terminal. */
  holds?: string;
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Returns the name of the tenant a Restore writes into. */
export function restoreTarget(r: Restore): string {
  return r.spec.target.newTenant ?? r.spec.tenant;
}

/** Reports whether a Restore has finished (successfully or not). */
export function restoreDone(r: Restore): boolean {
  return r.status?.phase === 'Succeeded' || r.status?.phase === 'Failed';
}

/** Plans the next step of a Restore. */
export function planRestore(i: RestoreInput): RestorePlan {
  const r = i.restore;
  const gen = r.metadata.generation ?? 0;
  const prev = r.status ?? {};
  const cond = (type: string, ok: boolean, reason: string, message: string) => {
    const status: 'True' | 'False' = ok ? 'True' : 'False';
    const before = prev.conditions?.find((c) => c.type === type);
    return {
      type,
      status,
      reason,
      message,
      observedGeneration: gen,
      lastTransitionTime: before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : iso(i.now),
    };
  };
  const failed = (reason: string, message: string): RestorePlan => ({
    status: {
      ...prev,
      phase: 'Failed',
      observedGeneration: gen,
      completionTime: prev.completionTime ?? iso(i.now),
      conditions: [cond('Succeeded', false, reason, message)],
    },
  });
  const pending = (reason: string, message: string, extra: Partial<RestorePlan> = {}): RestorePlan => ({
    status: { ...prev, phase: 'Pending', observedGeneration: gen, conditions: [cond('Succeeded', false, reason, message)] },
    holds: restoreTarget(r),
    ...extra,
  });
  if (restoreDone(r)) return { status: prev };
  const target = restoreTarget(r);
  if (!i.source)
    return failed(
      RestoreReason.TenantNotFound,
      `tenant ${r.spec.tenant} does not exist; a Restore reads the backups of an existing tenant`,
    );
  if (!i.policy)
    return failed(RestoreReason.BackupPolicyNotFound, `tenant ${r.spec.tenant} has no BackupPolicy, so there is no bucket to restore from`);
  const region = i.source.spec.region;
  // Data residency (P8): the bucket is the source region's; a target elsewhere would move data.
  if (i.policy.spec.destination.region !== region)
    return failed(
      RestoreReason.CrossRegionRefused,
      `the backups of ${r.spec.tenant} are in ${i.policy.spec.destination.region}, not in its region ${region}`,
    );
  if (r.spec.target.newTenant) {
    if (!i.target) {
      const { host: _host, ...spec } = i.source.spec;
      const tenant: Tenant = {
        apiVersion: 'tenantry.io/v1alpha1',
        kind: 'Tenant',
        metadata: {
          name: target,
          labels: { ...i.shardLabels, [RESTORED_FROM_LABEL]: r.spec.tenant },
          annotations: { [CREATED_BY_RESTORE_ANNOTATION]: r.metadata.name ?? '' },
        },
        // Same region, plan, engine and policy; no host, so the copy never claims the original's.
        spec,
      };
      return pending(RestoreReason.CreatingTenant, `creating tenant ${target} in ${region} to restore into`, { createTenant: tenant });
    }
    if (
      i.target.metadata.labels?.[RESTORED_FROM_LABEL] !== r.spec.tenant ||
      i.target.metadata.annotations?.[CREATED_BY_RESTORE_ANNOTATION] !== r.metadata.name
    ) {
      return failed(
        RestoreReason.TargetExists,
        `tenant ${target} already exists and was not created for this restore; name a new tenant in spec.target.newTenant`,
      );
    }
    if (i.target.spec.region !== region)
      return failed(
        RestoreReason.CrossRegionRefused,
        `tenant ${target} is in ${i.target.spec.region}; backups of ${r.spec.tenant} stay in ${region}`,
      );
  }
  const backupId = prev.backupId ?? (r.spec.backupId && r.spec.backupId !== 'latest' ? r.spec.backupId : i.latestBackupId);
  // An unreadable bucket says nothing about whether a backup exists: wait, do not fail.
  if (!backupId && i.storeError) return pending(RestoreReason.BackupStoreUnreadable, i.storeError);
  if (!backupId) return failed(RestoreReason.NoBackup, `tenant ${r.spec.tenant} has no complete and verified backup to restore`);
  const withId: RestoreStatus = { ...prev, backupId };
  const job = i.job;
  if (!job) {
    if (!i.targetReady) {
      return {
        status: {
          ...withId,
          phase: 'Pending',
          observedGeneration: gen,
          conditions: [
            cond(
              'Succeeded',
              false,
              RestoreReason.WaitingForTarget,
              `waiting for tenant ${target} to be provisioned and its app scaled to zero`,
            ),
          ],
        },
        holds: target,
      };
    }
    return {
      status: {
        ...withId,
        phase: 'Running',
        observedGeneration: gen,
        startTime: prev.startTime ?? iso(i.now),
        conditions: [
          cond(
            'Succeeded',
            false,
            RestoreReason.Restoring,
            `restoring backup ${backupId} into ${target} (Job ${restoreJobName(r.metadata.name ?? '')})`,
          ),
        ],
      },
      startJob: { backupId },
      holds: target,
    };
  }
  const c = (type: string) => job.status?.conditions?.find((x) => x.type === type && x.status === 'True');
  const start = prev.startTime ?? job.status?.startTime ?? iso(i.now);
  if (c('Complete')) {
    const end = job.status?.completionTime ?? iso(i.now);
    return {
      status: {
        ...withId,
        phase: 'Succeeded',
        observedGeneration: gen,
        startTime: start,
        completionTime: end,
        durationSeconds: Math.max(0, (new Date(end).getTime() - new Date(start).getTime()) / 1000),
        ...(i.backupBytes !== undefined ? { bytesRestored: i.backupBytes } : {}),
        conditions: [cond('Succeeded', true, RestoreReason.Restored, `backup ${backupId} restored into ${target}`)],
      },
    };
  }
  const failure = c('Failed');
  if (failure) {
    return failed(
      RestoreReason.RestoreJobFailed,
      `Job ${job.metadata?.namespace}/${job.metadata?.name} failed${failure.message ? `: ${failure.message}` : ''}; the live data was only replaced if the load completed (see kubectl logs job/${job.metadata?.name} -n ${job.metadata?.namespace})`,
    );
  }
  return {
    status: {
      ...withId,
      phase: 'Running',
      observedGeneration: gen,
      startTime: start,
      conditions: [cond('Succeeded', false, RestoreReason.Restoring, `restoring backup ${backupId} into ${target}`)],
    },
    holds: target,
  };
}
