// The Job that carries out a Restore (P7): the backup agent in the tenant namespace, run once with
// `tenantry restore --backup <id>`, writing the tenant's database and files volume. The backup id is
// resolved by the reconciler ("latest" is never passed on), so the Job says exactly what it restores.
import { createHash } from 'node:crypto';
import type { BackupPolicy, Restore } from '../api/generated/index.js';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { BuildContext, Owned } from './types.js';
import { agentPodSpec, assertBackupPolicy, restoreSourceServiceAccount } from './backup.js';
import { Component, ownedLabels, ownedMetadata } from './meta.js';

/** Label on a restore Job and its pod naming the Restore it carries out (shortened with a hash beyond 63 characters). */
export const RESTORE_LABEL = 'tenantry.io/restore';
/** Annotation on a restore Job with the Restore's full name, which the label may only abbreviate. */
export const RESTORE_ANNOTATION = 'tenantry.io/restore';
/**
 * How long a finished restore Job (and its pod's logs) is kept: a week to investigate, after the
 * Restore's status has recorded the outcome.
 */
export const RESTORE_JOB_TTL_SECONDS = 7 * 24 * 3600;
/** No retry: a failed restore may have half-replaced the data, and a person decides what happens next. */
export const RESTORE_BACKOFF_LIMIT = 0;

/** The longest name a Job may have: it becomes a label value on its pods. */
const MAX_NAME = 63;
/** A backup id as the agent writes it, and nothing that could be read as a flag. */
const BACKUP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** Returns the name of a Restore's Job: `restore-<name>`, shortened with a hash of the full name when it is too long or has dots. */
export function restoreJobName(restoreName: string): string {
  const plain = `restore-${restoreName}`;
  if (plain.length <= MAX_NAME && !restoreName.includes('.')) return plain;
  // Dots would end up in the pods' host names; the hash keeps two long names that share a prefix apart.
  const head = plain
    .replace(/\./g, '-')
    .slice(0, MAX_NAME - 9)
    .replace(/-+$/, '');
  return `${head}-${shortHash(restoreName)}`;
}

/** Returns the value of {@link RESTORE_LABEL} for a Restore: its name, or a prefix and a hash beyond 63 characters. */
export function restoreLabelValue(restoreName: string): string {
  if (restoreName.length <= MAX_NAME) return restoreName;
  return `${restoreName.slice(0, MAX_NAME - 9).replace(/[-.]+$/, '')}-${shortHash(restoreName)}`;
}

/**
 * Builds the Job that restores a backup into the context's tenant: the Restore's tenant itself
 * (in place) or its target.newTenant. Owned by the Tenant like every child, and labelled with the
 * Restore so the reconciler finds it. The reconciler must have scaled the app to zero first.
 */
export function buildRestoreJob(ctx: BuildContext, policy: BackupPolicy, restore: Restore, backupId: string): Owned<Job> {
  assertBackupPolicy(ctx, policy);
  const name = restore.metadata.name;
  if (!name) throw new Error('buildRestoreJob: the Restore has no name: build from the object as stored by the API server');
  if (backupId === 'latest' || !BACKUP_ID.test(backupId)) {
    throw new Error(
      `buildRestoreJob: ${JSON.stringify(backupId)} is not a backup id: resolve spec.backupId ("latest") to the id of a complete backup first`,
    );
  }
  const tenant = ctx.tenant.metadata.name!;
  const source = restore.spec.tenant;
  const into = restore.spec.target.newTenant ?? (restore.spec.target.inPlace ? source : undefined);
  // The Job writes this tenant's data: building it for any other tenant would overwrite the wrong one.
  if (into !== tenant) {
    throw new Error(`buildRestoreJob: Restore ${name} restores tenant ${source} into ${into ?? '(no target)'}, not into ${tenant}`);
  }
  const args = ['restore', '--backup', backupId];
  // Into a new tenant, the backup is read from the source tenant's prefix; the target's database and
  // files are the ones this pod is given, and --into names them (the agent refuses an environment
  // that is not the target's).
  if (source !== tenant) args.push('--tenant', source, '--into', tenant);
  const restoreLabel = { [RESTORE_LABEL]: restoreLabelValue(name) };
  const staticCredentials = policy.spec.destination.credentialsSecretRef !== undefined;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: ownedMetadata(ctx, restoreJobName(name), {
      component: Component.Backup,
      appName: 'restore',
      extraLabels: restoreLabel,
      annotations: { [RESTORE_ANNOTATION]: name },
    }),
    spec: {
      backoffLimit: RESTORE_BACKOFF_LIMIT,
      // The restore-time objective: a restore still running then has failed it, and says so.
      activeDeadlineSeconds: ctx.config.backup.restoreDeadlineSeconds,
      ttlSecondsAfterFinished: RESTORE_JOB_TTL_SECONDS,
      template: {
        metadata: { labels: { ...ownedLabels(ctx, Component.Backup, 'restore'), ...restoreLabel } },
        spec: agentPodSpec(ctx, policy, {
          containerName: 'restore',
          args,
          filesReadOnly: false,
          staticCredentials,
          // With workload identity, the target's own identity may not read the source's backups.
          ...(source !== tenant && !staticCredentials ? { serviceAccountName: restoreSourceServiceAccount(source) } : {}),
          // No pod affinity: the app is scaled to zero during a restore, so nothing else holds the
          // ReadWriteOnce files volume, and an affinity to a pod that does not exist would never schedule.
        }),
      },
    },
  };
}
