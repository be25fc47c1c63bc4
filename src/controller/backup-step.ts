// The backup part of a tenant's reconcile, as a pure function: which policy applies, which
// objects (CronJob, ServiceAccount, NetworkPolicies, credentials copy) the tenant needs, and the
// BackupHealthy and RestoreWithinObjective conditions from what the bucket shows.
import { Reason } from '../api/conditions.js';
import type { BackupPolicy, TenantStatus } from '../api/generated/index.js';
import { backupHealth } from '../backup/health.js';
import { projectRestore } from '../backup/objective.js';
import { parseSchedule } from '../backup/schedule.js';
import { buildBackupCredentialsSecret, buildBackupResources, type BuildContext, type Manifest } from '../resources/index.js';
import type { BackupObservation } from './backup-observer.js';

/** A condition as the step reports it. */
export interface StepCondition {
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/** What the step needs, gathered by the reconciler. */
export interface BackupStepInput {
  ctx: BuildContext;
  /** Name of the policy that applies (the Tenant's, or the configured default); undefined when none. */
  policyName?: string;
  policy?: BackupPolicy;
  /** The policy's S3 credentials (copied into the tenant namespace), or why they could not be read. */
  credentials?: Record<string, string> | Error;
  observation?: BackupObservation;
  now: Date;
  /** A restore into this tenant is under way: the CronJob is suspended until it ends. */
  restoring?: boolean;
  /** That restore reads another tenant's backups: this one (see BackupOptions.restoreSource). */
  restoreSource?: string;
}

/** What the reconciler applies and reports. */
export interface BackupStepOutput {
  manifests: Manifest[];
  health: StepCondition;
  objective?: StepCondition;
  lastBackup?: TenantStatus['lastBackup'];
  /** When the health changes by time alone (a backup becomes due), so the tenant is looked at then. */
  recheckAt?: Date;
  /** The step is stuck on a problem a person must fix (no objects are applied). */
  blocked?: boolean;
}

/** Returns the name of the policy that backs up the tenant, if any. */
export function policyNameFor(ctx: BuildContext): string | undefined {
  return ctx.tenant.spec.backupPolicyRef?.name ?? ctx.config.backup.defaultPolicy;
}

/** Plans the tenant's backup objects and conditions (pure: every input is passed in). */
export function planBackupStep(i: BackupStepInput): BackupStepOutput {
  const { ctx } = i;
  const fail = (reason: string, message: string): BackupStepOutput => ({
    manifests: [],
    blocked: true,
    health: { status: 'False', reason, message },
  });
  if (!i.policyName) {
    return fail(
      Reason.NoBackupPolicy,
      'no BackupPolicy applies to this tenant: set spec.backupPolicyRef, or backup.defaultPolicy in the operator configuration (every instance must be backed up daily)',
    );
  }
  const p = i.policy;
  if (!p) return fail(Reason.BackupPolicyNotFound, `BackupPolicy ${i.policyName} does not exist: create it or change spec.backupPolicyRef`);
  // Data residency (P8): a policy's bucket is in one region; a tenant is only ever backed up into its own.
  if (p.spec.destination.region !== ctx.tenant.spec.region) {
    return fail(
      Reason.PolicyRegionMismatch,
      `BackupPolicy ${i.policyName} stores backups in ${p.spec.destination.region}, but the tenant lives in ${ctx.tenant.spec.region}: backups never leave a tenant's region; use a policy of region ${ctx.tenant.spec.region}`,
    );
  }
  const schedule = parseSchedule(p.spec.schedule, p.spec.timeZone ?? 'UTC');
  if (!schedule.ok) return fail(schedule.reason, `BackupPolicy ${i.policyName}: ${schedule.message}`);
  if (i.credentials instanceof Error)
    return fail(Reason.BackupCredentialsMissing, `BackupPolicy ${i.policyName}: ${i.credentials.message}`);

  const manifests = [
    // The builder copies Secret `data`, which is base64; the reconciler holds decoded values.
    ...(i.credentials
      ? [
          buildBackupCredentialsSecret(
            ctx,
            Object.fromEntries(Object.entries(i.credentials).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
          ),
        ]
      : []),
    ...buildBackupResources(ctx, p, {
      hasCredentialsSecret: !!i.credentials,
      restoreInProgress: i.restoring === true,
      ...(i.restoreSource ? { restoreSource: i.restoreSource } : {}),
    }),
  ];
  const obs = i.observation;
  const newest = obs?.newestVerified;
  const tenantCreatedAt = new Date(ctx.tenant.metadata.creationTimestamp ?? i.now.toISOString());
  const judged = backupHealth({
    schedule: p.spec.schedule,
    timeZone: p.spec.timeZone ?? 'UTC',
    grace: ctx.config.backup.staleGraceSeconds * 1000,
    now: i.now,
    tenantCreatedAt,
    policySuspended: p.spec.suspend === true,
    ...(newest ? { newestVerifiedAt: newest.startedAt, newestVerifiedId: newest.id } : {}),
  });
  // A bucket we cannot read proves nothing either way; say so rather than report stale or fresh.
  const health: StepCondition = obs?.error
    ? {
        status: judged.status === 'True' ? 'Unknown' : judged.status,
        reason: Reason.BackupStoreUnreadable,
        message: `${obs.error}; ${judged.message}`,
      }
    : judged;
  const out: BackupStepOutput = { manifests, health, ...(judged.staleAt ? { recheckAt: judged.staleAt } : {}) };
  if (newest) {
    out.lastBackup = {
      id: newest.id,
      time: newest.startedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      sizeBytes: newest.storedBytes,
      durationSeconds: Math.round(newest.durationSeconds * 10) / 10,
      verified: true,
    };
    const drill = obs?.newestDrill?.verification;
    const projection = projectRestore({
      bytes: newest.plaintextBytes,
      defaultBytesPerSecond: ctx.config.backup.restoreBytesPerSecond,
      overheadSeconds: 300,
      // A drill too small to time (0 B/s) says nothing about the rate: fall back to the fleet's.
      ...(drill && Number.isFinite(drill.bytesPerSecond) && drill.bytesPerSecond > 0
        ? { measuredRestoreBytesPerSecond: drill.bytesPerSecond, drillAt: new Date(drill.verifiedAt) }
        : {}),
    });
    out.objective = { status: projection.status, reason: projection.reason, message: projection.message };
  }
  return out;
}
