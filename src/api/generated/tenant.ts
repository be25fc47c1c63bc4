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
   * Container image of the application. When omitted, the operator uses the image of the release
   * channel in its configuration.
   */
  image?: string;
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
  /** What the lifecycle engine computed from spec.plan and spec.lifecycle. */
  lifecycle?: TenantStatusLifecycle;
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

/** What the lifecycle engine computed from spec.plan and spec.lifecycle. */
export interface TenantStatusLifecycle {
  /**
   * Lifecycle phase, e.g. Trial, Active, TrialExpired, Cancelled, PaymentDefault, Suspended,
   * Closed, Inactive, Erasing, Erased.
   */
  phase?: string;
  /** The next step the engine will take, e.g. Suspend, Close or Erase. */
  nextTransition?: string;
  /**
   * When the next step is due; it is never taken earlier.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  nextTransitionAt?: string;
}

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
