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
  const o = outcomes(i);
  if (restoreDone(r)) return { status: o.prev };
  const { source, policy } = i;
  if (!source)
    return o.failed(
      RestoreReason.TenantNotFound,
      `tenant ${r.spec.tenant} does not exist; a Restore reads the backups of an existing tenant`,
    );
  if (!policy)
    return o.failed(
      RestoreReason.BackupPolicyNotFound,
      `tenant ${r.spec.tenant} has no BackupPolicy, so there is no bucket to restore from`,
    );
  const refused = refuseCrossRegion(i, source, policy, o) ?? planNewTenant(i, source, o);
  if (refused) return refused;
  const backupId = chosenBackupId(i);
  // An unreadable bucket says nothing about whether a backup exists: wait, do not fail.
  if (!backupId && i.storeError) return o.pending(RestoreReason.BackupStoreUnreadable, i.storeError);
  if (!backupId) return o.failed(RestoreReason.NoBackup, `tenant ${r.spec.tenant} has no complete and verified backup to restore`);
  return i.job ? followJob(i, i.job, backupId, o) : startOrWait(i, backupId, o);
}

/** Builds the statuses one planning pass reports; a condition keeps its transition time while its status holds. */
function outcomes(i: RestoreInput) {
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
  return { gen, prev, cond, failed, pending };
}

type Outcomes = ReturnType<typeof outcomes>;

/** Refuses a source whose backups are kept outside its region. */
function refuseCrossRegion(i: RestoreInput, source: Tenant, policy: BackupPolicy, o: Outcomes): RestorePlan | undefined {
  const region = source.spec.region;
  // Data residency (P8): the bucket is the source region's; a target elsewhere would move data.
  if (policy.spec.destination.region === region) return undefined;
  return o.failed(
    RestoreReason.CrossRegionRefused,
    `the backups of ${i.restore.spec.tenant} are in ${policy.spec.destination.region}, not in its region ${region}`,
  );
}

/**
 * Plans the new tenant a Restore writes into: creates it when absent, refuses one this Restore did
 * not create or one in another region; undefined when there is nothing to do (or no new tenant).
 */
function planNewTenant(i: RestoreInput, source: Tenant, o: Outcomes): RestorePlan | undefined {
  const r = i.restore;
  if (!r.spec.target.newTenant) return undefined;
  const target = restoreTarget(r);
  const region = source.spec.region;
  if (!i.target)
    return o.pending(RestoreReason.CreatingTenant, `creating tenant ${target} in ${region} to restore into`, {
      createTenant: newTenantFor(i, source, target),
    });
  if (
    i.target.metadata.labels?.[RESTORED_FROM_LABEL] !== r.spec.tenant ||
    i.target.metadata.annotations?.[CREATED_BY_RESTORE_ANNOTATION] !== r.metadata.name
  ) {
    return o.failed(
      RestoreReason.TargetExists,
      `tenant ${target} already exists and was not created for this restore; name a new tenant in spec.target.newTenant`,
    );
  }
  if (i.target.spec.region !== region)
    return o.failed(
      RestoreReason.CrossRegionRefused,
      `tenant ${target} is in ${i.target.spec.region}; backups of ${r.spec.tenant} stay in ${region}`,
    );
  return undefined;
}

/** Builds the Tenant a Restore creates to restore into: the source's spec without its host, marked as this Restore's. */
function newTenantFor(i: RestoreInput, source: Tenant, target: string): Tenant {
  const r = i.restore;
  const { host: _host, ...spec } = source.spec;
  return {
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
}

/** Returns the backup id to restore: the one already chosen, the one named, or the newest verified for `latest`. */
function chosenBackupId(i: RestoreInput): string | undefined {
  const r = i.restore;
  return r.status?.backupId ?? (r.spec.backupId && r.spec.backupId !== 'latest' ? r.spec.backupId : i.latestBackupId);
}

/** Plans a Restore with no Job yet: waits for the target to be ready, then starts the Job. */
function startOrWait(i: RestoreInput, backupId: string, o: Outcomes): RestorePlan {
  const r = i.restore;
  const target = restoreTarget(r);
  const withId: RestoreStatus = { ...o.prev, backupId };
  if (!i.targetReady) {
    return {
      status: {
        ...withId,
        phase: 'Pending',
        observedGeneration: o.gen,
        conditions: [
          o.cond(
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
      observedGeneration: o.gen,
      startTime: o.prev.startTime ?? iso(i.now),
      conditions: [
        o.cond(
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

/** Plans a Restore whose Job exists: succeeded, failed or still running, by the Job's conditions. */
function followJob(i: RestoreInput, job: NonNullable<RestoreInput['job']>, backupId: string, o: Outcomes): RestorePlan {
  const target = restoreTarget(i.restore);
  const withId: RestoreStatus = { ...o.prev, backupId };
  const c = (type: string) => job.status?.conditions?.find((x) => x.type === type && x.status === 'True');
  const start = o.prev.startTime ?? job.status?.startTime ?? iso(i.now);
  if (c('Complete')) {
    const end = job.status?.completionTime ?? iso(i.now);
    return {
      status: {
        ...withId,
        phase: 'Succeeded',
        observedGeneration: o.gen,
        startTime: start,
        completionTime: end,
        durationSeconds: Math.max(0, (new Date(end).getTime() - new Date(start).getTime()) / 1000),
        ...(i.backupBytes !== undefined ? { bytesRestored: i.backupBytes } : {}),
        conditions: [o.cond('Succeeded', true, RestoreReason.Restored, `backup ${backupId} restored into ${target}`)],
      },
    };
  }
  const failure = c('Failed');
  if (failure) {
    return o.failed(
      RestoreReason.RestoreJobFailed,
      `Job ${job.metadata?.namespace}/${job.metadata?.name} failed${failure.message ? `: ${failure.message}` : ''}; the live data was only replaced if the load completed (see kubectl logs job/${job.metadata?.name} -n ${job.metadata?.namespace})`,
    );
  }
  return {
    status: {
      ...withId,
      phase: 'Running',
      observedGeneration: o.gen,
      startTime: start,
      conditions: [o.cond('Succeeded', false, RestoreReason.Restoring, `restoring backup ${backupId} into ${target}`)],
    },
    holds: target,
  };
}
