// The backup part of a tenant's reconcile, as a pure function: which policy applies, which
// objects (CronJob, ServiceAccount, NetworkPolicies, credentials copy) the tenant needs, and the
// BackupHealthy and RestoreWithinObjective conditions from what the bucket shows.
import { Reason } from '../api/conditions.js';
import type { BackupPolicy, TenantStatus } from '../api/generated/index.js';
import { backupHealth, type BackupHealth } from '../backup/health.js';
import { projectRestore } from '../backup/objective.js';
import { parseSchedule } from '../backup/schedule.js';
import { buildBackupCredentialsSecret, buildBackupResources, type BuildContext, type Manifest } from '../resources/index.js';
import type { BackupObservation, BackupSummary } from './backup-observer.js';

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

/** The policy that backs the tenant up and its decoded credentials, or the first problem that blocks backups. */
type PolicyCheck =
  { ok: true; policy: BackupPolicy; credentials?: Record<string, string> } | { ok: false; reason: string; message: string };

/**
 * Checks that a usable policy applies, most fundamental problem first: none applies, it does not
 * exist, it stores backups in another region, its schedule is invalid, its credentials are unreadable.
 */
function checkPolicy(i: BackupStepInput, ctx: BuildContext): PolicyCheck {
  const no = (reason: string, message: string): PolicyCheck => ({ ok: false, reason, message });
  if (!i.policyName) {
    return no(
      Reason.NoBackupPolicy,
      'no BackupPolicy applies to this tenant: set spec.backupPolicyRef, or backup.defaultPolicy in the operator configuration (every instance must be backed up daily)',
    );
  }
  const p = i.policy;
  if (!p) return no(Reason.BackupPolicyNotFound, `BackupPolicy ${i.policyName} does not exist: create it or change spec.backupPolicyRef`);
  // Data residency (P8): a policy's bucket is in one region; a tenant is only ever backed up into its own.
  if (p.spec.destination.region !== ctx.tenant.spec.region) {
    return no(
      Reason.PolicyRegionMismatch,
      `BackupPolicy ${i.policyName} stores backups in ${p.spec.destination.region}, but the tenant lives in ${ctx.tenant.spec.region}: backups never leave a tenant's region; use a policy of region ${ctx.tenant.spec.region}`,
    );
  }
  const schedule = parseSchedule(p.spec.schedule, p.spec.timeZone ?? 'UTC');
  if (!schedule.ok) return no(schedule.reason, `BackupPolicy ${i.policyName}: ${schedule.message}`);
  if (i.credentials instanceof Error) return no(Reason.BackupCredentialsMissing, `BackupPolicy ${i.policyName}: ${i.credentials.message}`);
  return { ok: true, policy: p, ...(i.credentials ? { credentials: i.credentials } : {}) };
}

/** Builds the backup objects: the credentials copy (when the policy names credentials), then the CronJob and its companions. */
function backupManifests(i: BackupStepInput, p: BackupPolicy, credentials: Record<string, string> | undefined): Manifest[] {
  const { ctx } = i;
  return [
    // The builder copies Secret `data`, which is base64; the reconciler holds decoded values.
    ...(credentials
      ? [
          buildBackupCredentialsSecret(
            ctx,
            Object.fromEntries(Object.entries(credentials).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
          ),
        ]
      : []),
    ...buildBackupResources(ctx, p, {
      hasCredentialsSecret: !!credentials,
      restoreInProgress: i.restoring === true,
      ...(i.restoreSource ? { restoreSource: i.restoreSource } : {}),
    }),
  ];
}

/** Judges BackupHealthy from the newest verified backup against the policy's schedule. */
function judgeBackups(i: BackupStepInput, p: BackupPolicy, newest: BackupSummary | undefined): BackupHealth {
  const { ctx } = i;
  const tenantCreatedAt = new Date(ctx.tenant.metadata.creationTimestamp ?? i.now.toISOString());
  return backupHealth({
    schedule: p.spec.schedule,
    timeZone: p.spec.timeZone ?? 'UTC',
    grace: ctx.config.backup.staleGraceSeconds * 1000,
    now: i.now,
    tenantCreatedAt,
    policySuspended: p.spec.suspend === true,
    ...(newest ? { newestVerifiedAt: newest.startedAt, newestVerifiedId: newest.id } : {}),
  });
}

/** Returns the health to report: the judgement, or Unknown at best when the bucket could not be read. */
function reportedHealth(judged: StepCondition, error: string | undefined): StepCondition {
  // A bucket we cannot read proves nothing either way; say so rather than report stale or fresh.
  if (!error) return judged;
  return {
    status: judged.status === 'True' ? 'Unknown' : judged.status,
    reason: Reason.BackupStoreUnreadable,
    message: `${error}; ${judged.message}`,
  };
}

/** Returns the lastBackup the Tenant status shows for a backup (time to the second, duration to a tenth). */
function lastBackupOf(newest: BackupSummary): TenantStatus['lastBackup'] {
  return {
    id: newest.id,
    time: newest.startedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    sizeBytes: newest.storedBytes,
    durationSeconds: Math.round(newest.durationSeconds * 10) / 10,
    verified: true,
  };
}

/** Returns RestoreWithinObjective: how long restoring the newest backup would take, at the drill's rate when one was measured. */
function restoreObjective(ctx: BuildContext, newest: BackupSummary, obs: BackupObservation | undefined): StepCondition {
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
  return { status: projection.status, reason: projection.reason, message: projection.message };
}

/** Plans the tenant's backup objects and conditions (pure: every input is passed in). */
export function planBackupStep(i: BackupStepInput): BackupStepOutput {
  const { ctx } = i;
  const check = checkPolicy(i, ctx);
  if (!check.ok) return { manifests: [], blocked: true, health: { status: 'False', reason: check.reason, message: check.message } };
  const p = check.policy;
  const manifests = backupManifests(i, p, check.credentials);
  const obs = i.observation;
  const newest = obs?.newestVerified;
  const judged = judgeBackups(i, p, newest);
  const health = reportedHealth(judged, obs?.error);
  const out: BackupStepOutput = { manifests, health, ...(judged.staleAt ? { recheckAt: judged.staleAt } : {}) };
  if (newest) {
    out.lastBackup = lastBackupOf(newest);
    out.objective = restoreObjective(ctx, newest, obs);
  }
  return out;
}
