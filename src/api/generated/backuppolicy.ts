// Generated from crds/tenantry.io_backuppolicies.yaml by `npm run generate`. Do not edit.

import type { V1ObjectMeta } from '@kubernetes/client-node';

export const BACKUP_POLICY_GROUP = 'tenantry.io';
export const BACKUP_POLICY_VERSION = 'v1alpha1';
export const BACKUP_POLICY_API_VERSION = 'tenantry.io/v1alpha1';
export const BACKUP_POLICY_PLURAL = 'backuppolicies';
export const BACKUP_POLICY_KIND = 'BackupPolicy';

/**
 * BackupPolicy says when the tenants that refer to it are backed up, where the encrypted backups
 * are stored (an S3 bucket separate from the cluster, in the tenants' region) and how long they are
 * kept. Each backup holds the database dump and the files volume, encrypted client-side with
 * AES-256-GCM under a KMS data key, and stored with SSE-KMS as well. A backup counts only once
 * complete and verified.
 *
 * A cluster-scoped `tenantry.io/v1alpha1` resource (plural `backuppolicies`).
 */
export interface BackupPolicy {
  apiVersion: 'tenantry.io/v1alpha1';
  kind: 'BackupPolicy';
  metadata: V1ObjectMeta;
  /** Desired backup behaviour. */
  spec: BackupPolicySpec;
  /** Observed state of the policy, written by Tenantry only. */
  status?: BackupPolicyStatus;
}

/** Desired backup behaviour. */
export interface BackupPolicySpec {
  /**
   * Cron expression with exactly 5 fields: minute (0-59), hour (0-23), day-of-month (1-31 or ?),
   * month (1-12 or JAN-DEC) and day-of-week (0-6 with 0 for Sunday, or SUN-SAT, or ?), e.g. "0 2 *
   * * *" for 02:00 every day or "*\/15 2-4 * * MON-FRI". Each field is a value, a range a-b or *,
   * or a comma-separated list of them, each with an optional step /n. Read as the CronJob
   * controller reads it; seconds fields, @daily-style macros and TZ= prefixes are not accepted (the
   * time zone is spec.timeZone).
   */
  schedule: string;
  /**
   * IANA time zone the schedule is read in, e.g. UTC, Europe/Berlin or
   * America/Argentina/Buenos_Aires. Defaults to UTC. Only names of the IANA time zone database are
   * accepted, spelled exactly (names are case-sensitive); offsets such as +02:00 and abbreviations
   * such as PST are not.
   *
   * @defaultValue `"UTC"`
   */
  timeZone?: string;
  /** Where backups are stored: an S3 bucket of the tenants' region, separate from the cluster. */
  destination: BackupPolicySpecDestination;
  /**
   * AWS KMS keys for backup encryption (AES-256 envelope encryption and SSE-KMS), at most one per
   * region. A tenant's backups are only ever encrypted with a key of the tenant's own region.
   */
  kms?: BackupPolicySpecKms;
  /**
   * How long backups are kept. A backup is kept when any rule keeps it; at least one rule must be
   * greater than 0, since a policy that keeps nothing would delete all backups. No rule reaches
   * beyond 10 years. Backups of an erased tenant are deleted regardless.
   */
  retention: BackupPolicySpecRetention;
  /**
   * Run a restore drill on each new backup (restore into a scratch space and check it) and record
   * its duration; a backup counts only once verified. Defaults to true.
   *
   * @defaultValue `true`
   */
  verify?: boolean;
  /**
   * When true, no new backups are started; existing backups are kept.
   *
   * @defaultValue `false`
   */
  suspend?: boolean;
}

/** Where backups are stored: an S3 bucket of the tenants' region, separate from the cluster. */
export interface BackupPolicySpecDestination {
  /** Name of the S3 bucket (S3 bucket naming rules). */
  bucket: string;
  /**
   * AWS region of the bucket. Only tenants of this region are backed up under this policy: backups
   * never leave a tenant's region.
   */
  region: BackupPolicySpecDestinationRegion;
  /**
   * Key prefix inside the bucket, without a leading slash, e.g. "tenantry/prod". Each tenant's
   * backups go under <prefix>/<tenant>/. Segments between slashes must not be empty, "." or "..",
   * and hold no control characters; one trailing slash is allowed and dropped.
   */
  prefix?: string;
  /**
   * Optional S3 endpoint URL for an S3-compatible store, e.g. https://s3.eu-west-1.amazonaws.com
   * (no user or password in the URL: use credentialsSecretRef). Defaults to AWS S3 of the region.
   */
  endpoint?: string;
  /**
   * Secret with static S3 credentials (keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), in the
   * operator's own namespace: a BackupPolicy can never make the operator read a Secret of any other
   * namespace. When omitted, workload identity (e.g. IRSA) is used.
   */
  credentialsSecretRef?: BackupPolicySpecDestinationCredentialsSecretRef;
}

/**
 * AWS region of the bucket. Only tenants of this region are backed up under this policy: backups
 * never leave a tenant's region.
 */
export type BackupPolicySpecDestinationRegion =
  | 'us-east-1'
  | 'eu-west-2'
  | 'eu-west-1'
  | 'eu-central-1'
  | 'ap-southeast-2'
  | 'ap-southeast-1'
  | 'ap-northeast-1'
  | 'ap-south-1';

/**
 * Secret with static S3 credentials (keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), in the
 * operator's own namespace: a BackupPolicy can never make the operator read a Secret of any other
 * namespace. When omitted, workload identity (e.g. IRSA) is used.
 */
export interface BackupPolicySpecDestinationCredentialsSecretRef {
  /** Name of the Secret. */
  name: string;
  /**
   * No longer allowed (policies stored before this rule may still carry it; the operator then reads
   * the Secret only if this is its own namespace).
   */
  namespace?: string;
}

/**
 * AWS KMS keys for backup encryption (AES-256 envelope encryption and SSE-KMS), at most one per
 * region. A tenant's backups are only ever encrypted with a key of the tenant's own region.
 */
export interface BackupPolicySpecKms {
  /** One KMS key per region. */
  keys?: BackupPolicySpecKmsKeysItem[];
}

export interface BackupPolicySpecKmsKeysItem {
  /** Region of the key. */
  region: BackupPolicySpecKmsKeysItemRegion;
  /** KMS key id, key ARN, alias name or alias ARN. */
  keyId: string;
}

/** Region of the key. */
export type BackupPolicySpecKmsKeysItemRegion =
  | 'us-east-1'
  | 'eu-west-2'
  | 'eu-west-1'
  | 'eu-central-1'
  | 'ap-southeast-2'
  | 'ap-southeast-1'
  | 'ap-northeast-1'
  | 'ap-south-1';

/**
 * How long backups are kept. A backup is kept when any rule keeps it; at least one rule must be
 * greater than 0, since a policy that keeps nothing would delete all backups. No rule reaches
 * beyond 10 years. Backups of an erased tenant are deleted regardless.
 */
export interface BackupPolicySpecRetention {
  /**
   * Keep the newest N backups (0 to 3650).
   *
   * Format: `int32`.
   */
  keepLast?: number;
  /**
   * Keep the newest backup of each of the last N days (0 to 3650).
   *
   * Format: `int32`.
   */
  keepDaily?: number;
  /**
   * Keep the newest backup of each of the last N weeks (0 to 520).
   *
   * Format: `int32`.
   */
  keepWeekly?: number;
  /**
   * Keep the newest backup of each of the last N months (0 to 120).
   *
   * Format: `int32`.
   */
  keepMonthly?: number;
  /**
   * Keep every backup taken in the last N days (0 to 3650).
   *
   * Format: `int32`.
   */
  keepWithinDays?: number;
}

/** Observed state of the policy, written by Tenantry only. */
export interface BackupPolicyStatus {
  /**
   * The metadata.generation this status was computed from.
   *
   * Format: `int64`.
   */
  observedGeneration?: number;
  /**
   * Number of tenants this policy covers.
   *
   * Format: `int32`.
   */
  tenants?: number;
  /**
   * When the schedule last fired while the policy covered tenants (not proof that a backup was
   * taken; see each Tenant's status.lastBackup).
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  lastRunTime?: string;
  /**
   * When backups under this policy start next.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  nextRunTime?: string;
  /**
   * Current conditions of the policy (e.g. Ready, ScheduleValid), in the shape of metav1.Condition.
   */
  conditions?: BackupPolicyStatusConditionsItem[];
}

export interface BackupPolicyStatusConditionsItem {
  /** Type of the condition, in CamelCase, e.g. Ready. */
  type: string;
  /** Status of the condition, True, False or Unknown. */
  status: BackupPolicyStatusConditionsItemStatus;
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
export type BackupPolicyStatusConditionsItemStatus = 'True' | 'False' | 'Unknown';
