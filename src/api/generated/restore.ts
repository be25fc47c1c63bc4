// Generated from crds/tenantry.io_restores.yaml by `npm run generate`. Do not edit.

import type { V1ObjectMeta } from '@kubernetes/client-node';

export const RESTORE_GROUP = 'tenantry.io';
export const RESTORE_VERSION = 'v1alpha1';
export const RESTORE_API_VERSION = 'tenantry.io/v1alpha1';
export const RESTORE_PLURAL = 'restores';
export const RESTORE_KIND = 'Restore';

/**
 * Restore rebuilds a tenant from one of its backups, either in place or into a new tenant of the
 * same region (backups are never restored across regions). A Restore is a one-shot request: its
 * spec cannot change after creation. Its status records how long the restore took, which the
 * restore-time objective (8 hours) is measured against.
 *
 * A cluster-scoped `tenantry.io/v1alpha1` resource (plural `restores`).
 */
export interface Restore {
  apiVersion: 'tenantry.io/v1alpha1';
  kind: 'Restore';
  metadata: V1ObjectMeta;
  /** What to restore and where. Immutable after creation: create a new Restore to restore again. */
  spec: RestoreSpec;
  /** Observed state of the restore, written by Tenantry only. */
  status?: RestoreStatus;
}

/** What to restore and where. Immutable after creation: create a new Restore to restore again. */
export interface RestoreSpec {
  /** Name of the Tenant whose backup is restored. */
  tenant: string;
  /**
   * Id of the backup to restore (as in the tenant's status.lastBackup.id), or "latest" for the
   * newest complete and verified backup. Defaults to latest.
   *
   * @defaultValue `"latest"`
   */
  backupId?: string;
  /** Where to restore: exactly one of inPlace (true) or newTenant. */
  target: RestoreSpecTarget;
}

/** Where to restore: exactly one of inPlace (true) or newTenant. */
export interface RestoreSpecTarget {
  /** Restore into the tenant itself, replacing its current database and files. */
  inPlace?: boolean;
  /**
   * Name of a new Tenant to restore into. The new tenant is created in the same region as
   * spec.tenant.
   */
  newTenant?: string;
}

/** Observed state of the restore, written by Tenantry only. */
export interface RestoreStatus {
  /**
   * Pending: accepted, not started. Running: downloading, decrypting and restoring. Succeeded: the
   * tenant serves the restored data. Failed: see conditions.
   */
  phase?: RestoreStatusPhase;
  /**
   * The metadata.generation this status was computed from.
   *
   * Format: `int64`.
   */
  observedGeneration?: number;
  /** The backup id spec.backupId resolved to. */
  backupId?: string;
  /**
   * When the restore started.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  startTime?: string;
  /**
   * When the restore finished, successfully or not.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  completionTime?: string;
  /** How long the restore took, in seconds. */
  durationSeconds?: number;
  /**
   * Bytes of backup data restored.
   *
   * Format: `int64`.
   */
  bytesRestored?: number;
  /**
   * Current conditions of the restore (e.g. Complete, Failed), in the shape of metav1.Condition.
   */
  conditions?: RestoreStatusConditionsItem[];
}

/**
 * Pending: accepted, not started. Running: downloading, decrypting and restoring. Succeeded: the
 * tenant serves the restored data. Failed: see conditions.
 */
export type RestoreStatusPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

export interface RestoreStatusConditionsItem {
  /** Type of the condition, in CamelCase, e.g. Complete. */
  type: string;
  /** Status of the condition, True, False or Unknown. */
  status: RestoreStatusConditionsItemStatus;
  /**
   * The metadata.generation the condition was set for.
   *
   * Format: `int64`.
   */
  observedGeneration?: number;
  /**
   * When the condition last changed from one status to another.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  lastTransitionTime?: string;
  /** Machine-readable CamelCase reason for the last transition. */
  reason?: string;
  /** Human-readable details of the last transition. */
  message?: string;
}

/** Status of the condition, True, False or Unknown. */
export type RestoreStatusConditionsItemStatus = 'True' | 'False' | 'Unknown';
