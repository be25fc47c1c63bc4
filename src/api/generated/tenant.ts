// Generated from crds/tenantry.io_tenants.yaml by `npm run generate`. Do not edit.

import type { V1ObjectMeta } from '@kubernetes/client-node';

export const TENANT_GROUP = 'tenantry.io';
export const TENANT_VERSION = 'v1alpha1';
export const TENANT_API_VERSION = 'tenantry.io/v1alpha1';
export const TENANT_PLURAL = 'tenants';
export const TENANT_KIND = 'Tenant';

/**
 * Tenant is one customer's isolated instance of the product: its own namespace (tenant-<name>),
 * network policies, service account, database, files volume, KMS key and backups, all in the region
 * the customer signed up in. The billing system sets the plan and the lifecycle timestamps;
 * Tenantry computes the lifecycle phase and suspends, closes and erases the tenant on time.
 *
 * A cluster-scoped `tenantry.io/v1alpha1` resource (plural `tenants`).
 */
export interface Tenant {
  apiVersion: 'tenantry.io/v1alpha1';
  kind: 'Tenant';
  metadata: V1ObjectMeta;
  /** Desired state of the tenant, written by people, GitOps and the billing system. */
  spec: TenantSpec;
  /** Observed state of the tenant, written by Tenantry only. */
  status?: TenantStatus;
}

/** Desired state of the tenant, written by people, GitOps and the billing system. */
export interface TenantSpec {
  /** Human-readable name of the customer, shown in dashboards and alerts. */
  displayName?: string;
  /**
   * Billing plan, written by the billing system. It selects the retention and deletion rules: a
   * trial is erased 12 days after lifecycle.trialEndsAt unless it became paid; a cancelled paid
   * account is erased 90 days after lifecycle.cancelledAt; a paid account in payment default is
   * suspended after 15 days, closed after 90 and erased after 97; a free account is erased after 60
   * days without activity (lifecycle.lastActiveAt).
   */
  plan: TenantSpecPlan;
  /**
   * AWS region the tenant's data stays in, chosen when the customer signed up: us-east-1 (US),
   * eu-west-2 (UK), eu-west-1 (EU, Ireland), eu-central-1 (EU, Frankfurt), ap-southeast-2
   * (Australia), ap-southeast-1 (Singapore), ap-northeast-1 (Japan), ap-south-1 (India). Workloads
   * are pinned to nodes of this region and the storage class, backup bucket and KMS key are the
   * region's own. Required and immutable: data residency forbids moving a tenant, and no backup is
   * ever restored across regions.
   */
  region: TenantSpecRegion;
  /**
   * DNS name (RFC 1123 subdomain, lowercase) the instance is served on, over TLS only, with a
   * cert-manager certificate and HSTS. When omitted, the operator derives it from its configuration
   * (<name>.<baseDomain>). It must be the operator's baseDomain or one of its allowedDomains, or a
   * name under one, and not a host another route already serves; otherwise the tenant gets no route
   * and no certificate, and the HostConflict condition says why.
   */
  host?: string;
  /**
   * The application workload of the instance.
   *
   * @defaultValue `{}`
   */
  app?: TenantSpecApp;
  /**
   * The instance's own database server. When omitted, a PostgreSQL server with the operator's
   * defaults.
   */
  database?: TenantSpecDatabase;
  /** The instance's files volume. */
  storage?: TenantSpecStorage;
  /**
   * The BackupPolicy that backs this tenant up. When omitted, the operator's default policy for the
   * region.
   */
  backupPolicyRef?: TenantSpecBackupPolicyRef;
  /**
   * Lifecycle timestamps, written by the billing system in any order (RFC 3339, e.g.
   * 2025-01-31T00:00:00Z). Days are calendar days in UTC. Tenantry derives the lifecycle phase and
   * the next transition from them (see status.lifecycle).
   *
   * @defaultValue `{}`
   */
  lifecycle?: TenantSpecLifecycle;
  /**
   * When true, the instance is scaled to zero and its ingress disabled; data and backups are kept.
   * Set by people; lifecycle suspensions need no flag.
   *
   * @defaultValue `false`
   */
  suspend?: boolean;
}

/**
 * Billing plan, written by the billing system. It selects the retention and deletion rules: a trial
 * is erased 12 days after lifecycle.trialEndsAt unless it became paid; a cancelled paid account is
 * erased 90 days after lifecycle.cancelledAt; a paid account in payment default is suspended after
 * 15 days, closed after 90 and erased after 97; a free account is erased after 60 days without
 * activity (lifecycle.lastActiveAt).
 */
export type TenantSpecPlan = 'trial' | 'free' | 'paid';

/**
 * AWS region the tenant's data stays in, chosen when the customer signed up: us-east-1 (US),
 * eu-west-2 (UK), eu-west-1 (EU, Ireland), eu-central-1 (EU, Frankfurt), ap-southeast-2
 * (Australia), ap-southeast-1 (Singapore), ap-northeast-1 (Japan), ap-south-1 (India). Workloads
 * are pinned to nodes of this region and the storage class, backup bucket and KMS key are the
 * region's own. Required and immutable: data residency forbids moving a tenant, and no backup is
 * ever restored across regions.
 */
export type TenantSpecRegion =
  | 'us-east-1'
  | 'eu-west-2'
  | 'eu-west-1'
  | 'eu-central-1'
  | 'ap-southeast-2'
  | 'ap-southeast-1'
  | 'ap-northeast-1'
  | 'ap-south-1';

/**
 * The application workload of the instance.
 *
 * @defaultValue `{}`
 */
export interface TenantSpecApp {
  /**
   * Container image of the application. Setting it pins the tenant: no release channel updates it
   * (the PatchPinned condition says so). When omitted, the tenant follows its release channel.
   */
  image?: string;
  /**
   * Name of the ReleaseChannel whose images the tenant runs and whose rollouts update it. When
   * omitted, the operator's default channel (release.defaultChannel in its configuration); without
   * one, the operator's configured images.
   */
  channel?: string;
  /**
   * Number of application pods (0 to 50). Defaults to 1.
   *
   * Format: `int32`.
   * @defaultValue `1`
   */
  replicas?: number;
  /** Compute resources of each application container. */
  resources?: TenantSpecAppResources;
  /**
   * Extra environment variables of the application container. Never put secrets here: the operator
   * provides the database credentials itself.
   */
  env?: TenantSpecAppEnvItem[];
}

/** Compute resources of each application container. */
export interface TenantSpecAppResources {
  /** Minimum resources reserved for each container. */
  requests?: TenantSpecAppResourcesRequests;
  /** Maximum resources each container may use. */
  limits?: TenantSpecAppResourcesLimits;
}

/** Minimum resources reserved for each container. */
export interface TenantSpecAppResourcesRequests {
  /**
   * CPU quantity, e.g. 250m or 1.
   *
   * An integer or a string.
   */
  cpu?: string | number;
  /**
   * Memory quantity, e.g. 512Mi or 2Gi.
   *
   * An integer or a string.
   */
  memory?: string | number;
}

/** Maximum resources each container may use. */
export interface TenantSpecAppResourcesLimits {
  /**
   * CPU quantity, e.g. 500m or 2.
   *
   * An integer or a string.
   */
  cpu?: string | number;
  /**
   * Memory quantity, e.g. 1Gi.
   *
   * An integer or a string.
   */
  memory?: string | number;
}

export interface TenantSpecAppEnvItem {
  /** Variable name, a C identifier ([A-Za-z_][A-Za-z0-9_]*). */
  name: string;
  /** Variable value. */
  value?: string;
}

/**
 * The instance's own database server. When omitted, a PostgreSQL server with the operator's
 * defaults.
 */
export interface TenantSpecDatabase {
  /**
   * Database engine, postgres or mariadb. Immutable: the database's Secret keys, ports, volume and
   * backups belong to one engine, and a backup is only ever restored into the engine it was taken
   * from. To move a customer to the other engine, create a new Tenant with it and migrate the data
   * with the application's own export and import.
   */
  engine: TenantSpecDatabaseEngine;
  /**
   * Major (or major.minor) version of the engine, e.g. "16" for PostgreSQL or "11.4" for MariaDB.
   * When omitted, the operator's default for the engine.
   */
  version?: string;
  /** Size of the database volume as a Kubernetes quantity, e.g. 10Gi. */
  storageSize?: string;
}

/**
 * Database engine, postgres or mariadb. Immutable: the database's Secret keys, ports, volume and
 * backups belong to one engine, and a backup is only ever restored into the engine it was taken
 * from. To move a customer to the other engine, create a new Tenant with it and migrate the data
 * with the application's own export and import.
 */
export type TenantSpecDatabaseEngine = 'postgres' | 'mariadb';

/** The instance's files volume. */
export interface TenantSpecStorage {
  /** Size of the files volume as a Kubernetes quantity, e.g. 20Gi. */
  filesSize?: string;
  /**
   * StorageClass of the tenant's volumes. It must be a class known to be encrypted in the tenant's
   * region; Tenantry refuses to provision on an unencrypted class and says so in status. When
   * omitted, the operator's encrypted class for the region.
   */
  storageClassName?: string;
}

/**
 * The BackupPolicy that backs this tenant up. When omitted, the operator's default policy for the
 * region.
 */
export interface TenantSpecBackupPolicyRef {
  /** Name of the (cluster-scoped) BackupPolicy. */
  name: string;
}

/**
 * Lifecycle timestamps, written by the billing system in any order (RFC 3339, e.g.
 * 2025-01-31T00:00:00Z). Days are calendar days in UTC. Tenantry derives the lifecycle phase and
 * the next transition from them (see status.lifecycle).
 *
 * @defaultValue `{}`
 */
export interface TenantSpecLifecycle {
  /**
   * When the trial ends (plan trial). Access ends then; all data is erased 12 days later unless the
   * tenant becomes paid first.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  trialEndsAt?: string;
  /**
   * When the paid subscription was cancelled. Access ends then; all data is erased 90 days later.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  cancelledAt?: string;
  /**
   * When a payment failed (payment default). The tenant is suspended 15 days later, closed 90 days
   * later and erased 97 days later, unless paidAt is later than this timestamp.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  paymentFailedAt?: string;
  /**
   * When the last payment was recorded. A payment after paymentFailedAt ends the payment default;
   * converting a trial to paid stops the trial clock.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  paidAt?: string;
  /**
   * When the instance was last used. A free tenant is erased after 60 days without activity.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  lastActiveAt?: string;
  /**
   * When true, nothing of this tenant is erased at all, whatever the timestamps say (it may still
   * be suspended or closed).
   *
   * @defaultValue `false`
   */
  deletionProtection?: boolean;
  /**
   * The billing records to keep for 7 years when the tenant is erased: they are exported to the
   * region's archive bucket (S3 Object Lock, COMPLIANCE mode) under the region's billing key before
   * anything is deleted. Without it, the tenant is erased without an export and the receipt says
   * so.
   */
  billingExport?: TenantSpecLifecycleBillingExport;
}

/**
 * The billing records to keep for 7 years when the tenant is erased: they are exported to the
 * region's archive bucket (S3 Object Lock, COMPLIANCE mode) under the region's billing key before
 * anything is deleted. Without it, the tenant is erased without an export and the receipt says so.
 */
export interface TenantSpecLifecycleBillingExport {
  /** Tables of the tenant's database to export (name or schema.name). */
  tables?: string[];
  /** Paths in the tenant's files volume to export, relative to its root (a file or a directory). */
  paths?: string[];
}

/** Observed state of the tenant, written by Tenantry only. */
export interface TenantStatus {
  /**
   * Summary of the tenant's state. Pending: accepted, nothing created yet. Provisioning: namespace,
   * database and workload are being created. Ready: serving traffic. Degraded: created but
   * something is failing (see conditions). Restoring: a Restore is rebuilding the tenant.
   * Suspended: access ended (trial over, cancelled, payment default, or spec.suspend), data kept.
   * Closed: account closed, data kept until its erasure date. Erasing: the namespace, volumes,
   * database, backups and KMS key are being removed. Erased: everything is gone except the billing
   * archive and the audit record.
   */
  phase?: TenantStatusPhase;
  /**
   * The metadata.generation this status was computed from.
   *
   * Format: `int64`.
   */
  observedGeneration?: number;
  /** The tenant's namespace, tenant-<name>. */
  namespace?: string;
  /** HTTPS URL the instance is served on. */
  url?: string;
  /**
   * Current conditions of the tenant (e.g. Ready, Provisioned, BackedUp, Encrypted, Isolated), in
   * the shape of metav1.Condition.
   */
  conditions?: TenantStatusConditionsItem[];
  /**
   * The tenant's own KMS key (ARN or id) its backups are encrypted under. Empty when the operator
   * uses the region's shared key; erasure then cannot crypto-shred backup copies (see the
   * CryptoShredding condition).
   */
  kmsKeyId?: string;
  /**
   * What the lifecycle engine computed from spec.plan, spec.lifecycle and the Tenant's deletion.
   */
  lifecycle?: TenantStatusLifecycle;
  /**
   * Which revision of its release channel the tenant runs, and how its rollout went (P12). Written
   * by the operator.
   */
  release?: TenantStatusRelease;
  /** The newest complete and verified backup of the tenant. */
  lastBackup?: TenantStatusLastBackup;
}

/**
 * Summary of the tenant's state. Pending: accepted, nothing created yet. Provisioning: namespace,
 * database and workload are being created. Ready: serving traffic. Degraded: created but something
 * is failing (see conditions). Restoring: a Restore is rebuilding the tenant. Suspended: access
 * ended (trial over, cancelled, payment default, or spec.suspend), data kept. Closed: account
 * closed, data kept until its erasure date. Erasing: the namespace, volumes, database, backups and
 * KMS key are being removed. Erased: everything is gone except the billing archive and the audit
 * record.
 */
export type TenantStatusPhase =
  | 'Pending'
  | 'Provisioning'
  | 'Ready'
  | 'Degraded'
  | 'Restoring'
  | 'Suspended'
  | 'Closed'
  | 'Erasing'
  | 'Erased';

export interface TenantStatusConditionsItem {
  /** Type of the condition, in CamelCase, e.g. Ready. */
  type: string;
  /** Status of the condition, True, False or Unknown. */
  status: TenantStatusConditionsItemStatus;
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
export type TenantStatusConditionsItemStatus = 'True' | 'False' | 'Unknown';

/** What the lifecycle engine computed from spec.plan, spec.lifecycle and the Tenant's deletion. */
export interface TenantStatusLifecycle {
  /**
   * Active: served. Suspended: access ended, everything kept, backups go on. Closed: access ended,
   * database stopped after a final backup, data and backups kept until eraseAt. Erasing: the
   * ordered erasure is running. Erased: everything is gone except the billing archive, the receipt
   * and the audit records; nothing is provisioned for this Tenant again.
   */
  phase?: TenantStatusLifecyclePhase;
  /**
   * The situation behind the phase, e.g. Paid, Trial, TrialEnded, Cancelled, PaymentDefault,
   * FreeActive, Inactive, SuspendedBySpec, Deleted, EraseNow, InvalidInput.
   */
  reason?: string;
  /**
   * Since when the phase holds.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  since?: string;
  /** The phase the tenant moves to next with time alone. */
  next?: string;
  /**
   * When the next phase is due; it is never entered earlier.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  nextAt?: string;
  /**
   * When erasure is due (or would be, under deletion protection); empty when no rule makes it due.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  eraseAt?: string;
  /**
   * Why erasure does not happen although a rule makes it due: DeletionProtection, or InvalidInput
   * (see the LifecycleValid condition).
   */
  erasureBlocked?: string;
  /**
   * Progress of the ordered erasure, so that a restarted operator resumes at the right step and
   * never repeats a finished one.
   */
  erasure?: TenantStatusLifecycleErasure;
  /** The erasure receipt, also stored in the region's archive bucket under Object Lock. */
  receipt?: TenantStatusLifecycleReceipt;
}

/**
 * Active: served. Suspended: access ended, everything kept, backups go on. Closed: access ended,
 * database stopped after a final backup, data and backups kept until eraseAt. Erasing: the ordered
 * erasure is running. Erased: everything is gone except the billing archive, the receipt and the
 * audit records; nothing is provisioned for this Tenant again.
 */
export type TenantStatusLifecyclePhase = 'Active' | 'Suspended' | 'Closed' | 'Erasing' | 'Erased';

/**
 * Progress of the ordered erasure, so that a restarted operator resumes at the right step and never
 * repeats a finished one.
 */
export interface TenantStatusLifecycleErasure {
  /**
   * When erasure began; from then on nothing stops it.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  startedAt?: string;
  /** What made erasure due (the lifecycle reason, or EraseNow with its ticket). */
  trigger?: string;
  /** True when the operator only reported what it would delete. */
  dryRun?: boolean;
  /** The finished steps, in the order they finished. */
  steps?: TenantStatusLifecycleErasureStepsItem[];
}

export interface TenantStatusLifecycleErasureStepsItem {
  /** The step. */
  name: TenantStatusLifecycleErasureStepsItemName;
  /**
   * When the step finished.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  completedAt: string;
  /**
   * How many objects the step deleted or wrote.
   *
   * Format: `int64`.
   */
  objects?: number;
  /**
   * How many bytes the step deleted or wrote.
   *
   * Format: `int64`.
   */
  bytes?: number;
  /** What the step did (or, in a dry run, would do). */
  message?: string;
}

/** The step. */
export type TenantStatusLifecycleErasureStepsItemName =
  | 'BillingExport'
  | 'Backups'
  | 'Namespace'
  | 'KmsKey'
  | 'Receipt';

/** The erasure receipt, also stored in the region's archive bucket under Object Lock. */
export interface TenantStatusLifecycleReceipt {
  /** s3://bucket/key of the stored receipt. */
  location?: string;
  /**
   * When erasure finished.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  erasedAt?: string;
  /** s3://bucket/key of the billing export; empty when the tenant had none. */
  billingArchive?: string;
  /**
   * Until when the billing export is locked (COMPLIANCE mode).
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  billingRetainUntil?: string;
  /**
   * Backup objects deleted.
   *
   * Format: `int64`.
   */
  backupObjectsDeleted?: number;
  /**
   * Bytes of backup objects deleted.
   *
   * Format: `int64`.
   */
  backupBytesDeleted?: number;
  /** The tenant's KMS key scheduled for deletion; empty when it had none. */
  kmsKeyId?: string;
  /**
   * When KMS deletes the key for good.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  kmsKeyDeletionDate?: string;
}

/**
 * Which revision of its release channel the tenant runs, and how its rollout went (P12). Written by
 * the operator.
 */
export interface TenantStatusRelease {
  /** The ReleaseChannel the tenant follows. */
  channel?: string;
  /**
   * The channel revision whose images the tenant runs (0 for the operator's configured images).
   *
   * Format: `int64`.
   */
  revision?: number;
  /** The images the tenant runs. */
  images?: TenantStatusReleaseImages;
  /** The wave of the channel's rollout the tenant belongs to. */
  wave?: string;
  /**
   * Pending (its wave is not released yet), Updating (the new images are rolling out), Ready,
   * Failed (not Ready within the readiness timeout), RolledBack (back on the stable revision after
   * a halt), Held (suspended, closed or erasing: updated when it comes back) or Pinned (its own
   * spec.app.image).
   */
  state?: TenantStatusReleaseState;
  /**
   * When the tenant was first given these images.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  updatedAt?: string;
  /**
   * Since when its app and database have been Ready on these images.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  readySince?: string;
  /** Why the tenant is in this state, for a person. */
  message?: string;
}

/** The images the tenant runs. */
export interface TenantStatusReleaseImages {
  app?: string;
  postgres?: string;
  mariadb?: string;
}

/**
 * Pending (its wave is not released yet), Updating (the new images are rolling out), Ready, Failed
 * (not Ready within the readiness timeout), RolledBack (back on the stable revision after a halt),
 * Held (suspended, closed or erasing: updated when it comes back) or Pinned (its own
 * spec.app.image).
 */
export type TenantStatusReleaseState =
  | 'Pending'
  | 'Updating'
  | 'Ready'
  | 'Failed'
  | 'RolledBack'
  | 'Held'
  | 'Pinned';

/** The newest complete and verified backup of the tenant. */
export interface TenantStatusLastBackup {
  /** Backup id, usable as spec.backupId of a Restore. */
  id?: string;
  /**
   * When the backup was taken.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  time?: string;
  /**
   * Size of the encrypted backup in bytes.
   *
   * Format: `int64`.
   */
  sizeBytes?: number;
  /** How long the backup took, in seconds. */
  durationSeconds?: number;
  /** Whether a restore drill verified this backup. */
  verified?: boolean;
}
