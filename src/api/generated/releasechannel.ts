// Generated from crds/tenantry.io_releasechannels.yaml by `npm run generate`. Do not edit.

import type { V1ObjectMeta } from '@kubernetes/client-node';

export const RELEASE_CHANNEL_GROUP = 'tenantry.io';
export const RELEASE_CHANNEL_VERSION = 'v1alpha1';
export const RELEASE_CHANNEL_API_VERSION = 'tenantry.io/v1alpha1';
export const RELEASE_CHANNEL_PLURAL = 'releasechannels';
export const RELEASE_CHANNEL_KIND = 'ReleaseChannel';

/**
 * ReleaseChannel names the images a group of tenants runs (their app, and the database images) and
 * how a change of them is rolled out. Each change of spec.images or spec.security is a new
 * revision; the operator releases it wave by wave: it updates the tenants of a wave, waits until
 * they are Ready and stay Ready for the soak time, then releases the next wave. When more tenants
 * of a wave fail than the failure budget allows, the rollout halts and those tenants go back to the
 * last revision that completed. Tenants follow a channel through spec.app.channel (or the
 * operator's default channel); a tenant with its own spec.app.image is pinned and never updated by
 * a channel.
 *
 * A cluster-scoped `tenantry.io/v1alpha1` resource (plural `releasechannels`).
 */
export interface ReleaseChannel {
  apiVersion: 'tenantry.io/v1alpha1';
  kind: 'ReleaseChannel';
  metadata: V1ObjectMeta;
  /** The images of the channel and how a new revision of them is rolled out. */
  spec: ReleaseChannelSpec;
  /** The rollout of the channel's current revision, as the operator observed and decided it. */
  status?: ReleaseChannelStatus;
}

/** The images of the channel and how a new revision of them is rolled out. */
export interface ReleaseChannelSpec {
  /**
   * The images the channel's tenants run, by tag or digest. A database image left out stays the
   * operator's configured one. A Tenant's spec.database.version still replaces the tag of its
   * database image.
   */
  images: ReleaseChannelSpecImages;
  /**
   * The revision fixes a vulnerability: it is rolled out at once, ignoring the maintenance windows,
   * and the age of its oldest unpatched tenant is exported as
   * tenantry_release_security_patch_age_seconds (alerted on after 24 hours by default).
   *
   * @defaultValue `false`
   */
  security?: boolean;
  /**
   * How a new revision is rolled out.
   *
   * @defaultValue `{}`
   */
  rollout?: ReleaseChannelSpecRollout;
}

/**
 * The images the channel's tenants run, by tag or digest. A database image left out stays the
 * operator's configured one. A Tenant's spec.database.version still replaces the tag of its
 * database image.
 */
export interface ReleaseChannelSpecImages {
  /** Container image of the application. */
  app: string;
  /** Container image of PostgreSQL databases. */
  postgres?: string;
  /** Container image of MariaDB databases. */
  mariadb?: string;
}

/**
 * How a new revision is rolled out.
 *
 * @defaultValue `{}`
 */
export interface ReleaseChannelSpecRollout {
  /**
   * The waves, in order. A tenant belongs to the first wave that claims it: a wave with a selector
   * claims the tenants it matches (canaries, say); a wave with a percent claims the tenants whose
   * fixed bucket, a hash of the channel and tenant names, falls under it (so percents are
   * cumulative: 10, 50, 100). Tenants no wave claims belong to the last wave. Defaults to one wave
   * of all tenants.
   *
   * @defaultValue `[{"name":"all","percent":100}]`
   */
  waves?: ReleaseChannelSpecRolloutWavesItem[];
  /**
   * How long every tenant of a wave must stay Ready on the revision before the next wave is
   * released (0 to 7 days). Defaults to 600 (10 minutes).
   *
   * Format: `int32`.
   * @defaultValue `600`
   */
  soakSeconds?: number;
  /**
   * How long a tenant may take to become Ready on the revision after it was updated before it
   * counts as failed (10 s to 1 day). Defaults to 900.
   *
   * Format: `int32`.
   * @defaultValue `900`
   */
  readinessTimeoutSeconds?: number;
  /**
   * How many tenants of one wave may fail before the rollout halts. Failed tenants within the
   * budget stay on the revision and are reported; beyond it, the rollout halts and every failed
   * tenant of the wave goes back to the last revision that completed. Defaults to 0.
   *
   * Format: `int32`.
   * @defaultValue `0`
   */
  failureBudget?: number;
  /**
   * When a wave may start. Empty: at any time. A security release ignores them. A wave that started
   * inside a window runs to its end.
   */
  maintenanceWindows?: ReleaseChannelSpecRolloutMaintenanceWindowsItem[];
}

export interface ReleaseChannelSpecRolloutWavesItem {
  /** Name of the wave, shown in status.waveName and Events. */
  name: string;
  /**
   * Claims the tenants whose bucket is below this share of the fleet (1 to 100), those of earlier
   * waves excepted.
   */
  percent?: number;
  /** Claims the Tenants matching this label selector, those of earlier waves excepted. */
  selector?: ReleaseChannelSpecRolloutWavesItemSelector;
}

/** Claims the Tenants matching this label selector, those of earlier waves excepted. */
export interface ReleaseChannelSpecRolloutWavesItemSelector {
  /** Labels a tenant must carry with exactly these values. */
  matchLabels?: Record<string, string>;
  /** Requirements on labels; all must hold. */
  matchExpressions?: ReleaseChannelSpecRolloutWavesItemSelectorMatchExpressionsItem[];
}

export interface ReleaseChannelSpecRolloutWavesItemSelectorMatchExpressionsItem {
  /** The label key the requirement applies to. */
  key: string;
  /** In, NotIn, Exists or DoesNotExist. */
  operator: ReleaseChannelSpecRolloutWavesItemSelectorMatchExpressionsItemOperator;
  /** The label values for In and NotIn. */
  values?: string[];
}

/** In, NotIn, Exists or DoesNotExist. */
export type ReleaseChannelSpecRolloutWavesItemSelectorMatchExpressionsItemOperator =
  | 'In'
  | 'NotIn'
  | 'Exists'
  | 'DoesNotExist';

export interface ReleaseChannelSpecRolloutMaintenanceWindowsItem {
  /**
   * When a window opens: a five-field cron expression (minute hour day-of-month month day-of-week),
   * e.g. "0 2 * * 1-5".
   */
  schedule: string;
  /**
   * How long a window stays open (1 minute to 7 days).
   *
   * Format: `int32`.
   */
  durationMinutes: number;
  /**
   * IANA time zone of the schedule, e.g. Europe/Berlin. Defaults to UTC.
   *
   * @defaultValue `"UTC"`
   */
  timeZone?: string;
}

/** The rollout of the channel's current revision, as the operator observed and decided it. */
export interface ReleaseChannelStatus {
  /**
   * The metadata.generation this status was computed from.
   *
   * Format: `int64`.
   */
  observedGeneration?: number;
  /**
   * The current revision; it goes up by one each time spec.images or spec.security change.
   *
   * Format: `int64`.
   */
  revision?: number;
  /**
   * When the operator first saw the current revision (the age of a security release counts from
   * here).
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  revisionSince?: string;
  /** Hash of spec.images and spec.security of the current revision. */
  imagesHash?: string;
  /** The images of the current revision. */
  images?: ReleaseChannelStatusImages;
  /** Whether the current revision is a security release. */
  security?: boolean;
  /**
   * The last revision that completed: what tenants are rolled back to. Absent until a first rollout
   * completes (tenants are then rolled back to the operator's configured images).
   */
  stable?: ReleaseChannelStatusStable;
  /**
   * Progressing (a wave is being updated or soaked), Waiting (the next wave waits for a maintenance
   * window), Halted (the failure budget was exceeded; resume with a new revision or the
   * tenantry.io/resume-rollout annotation) or Complete.
   */
  phase?: ReleaseChannelStatusPhase;
  /**
   * How many waves, from the first, are released to the current revision.
   *
   * Format: `int32`.
   */
  releasedWaves?: number;
  /** Name of the last released wave. */
  waveName?: string;
  /**
   * When the last released wave started.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  waveStartedAt?: string;
  /**
   * Since when every tenant of the last released wave has been Ready (or failed within the budget).
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  soakingSince?: string;
  /**
   * While Waiting, when the next maintenance window opens.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  nextWindow?: string;
  /** The channel's tenants by state for the current revision. */
  counts?: ReleaseChannelStatusCounts;
  /** The tenants that failed on the current revision (at most 100 listed), and why. */
  failed?: ReleaseChannelStatusFailedItem[];
  /** Tenants sent back to the stable revision when the rollout halted. */
  rolledBack?: string[];
  /** The value of the tenantry.io/resume-rollout annotation last acted on. */
  resumeToken?: string;
  /** What the rollout is doing or waiting for, for a person. */
  message?: string;
  /** Conditions of the channel (Ready, Halted). */
  conditions?: ReleaseChannelStatusConditionsItem[];
}

/** The images of the current revision. */
export interface ReleaseChannelStatusImages {
  app?: string;
  postgres?: string;
  mariadb?: string;
}

/**
 * The last revision that completed: what tenants are rolled back to. Absent until a first rollout
 * completes (tenants are then rolled back to the operator's configured images).
 */
export interface ReleaseChannelStatusStable {
  /** Format: `int64`. */
  revision?: number;
  images?: ReleaseChannelStatusStableImages;
}

export interface ReleaseChannelStatusStableImages {
  app?: string;
  postgres?: string;
  mariadb?: string;
}

/**
 * Progressing (a wave is being updated or soaked), Waiting (the next wave waits for a maintenance
 * window), Halted (the failure budget was exceeded; resume with a new revision or the
 * tenantry.io/resume-rollout annotation) or Complete.
 */
export type ReleaseChannelStatusPhase = 'Progressing' | 'Waiting' | 'Halted' | 'Complete';

/** The channel's tenants by state for the current revision. */
export interface ReleaseChannelStatusCounts {
  /**
   * Tenants following the channel, pinned and skipped ones included.
   *
   * Format: `int32`.
   */
  total?: number;
  /**
   * Tenants running the current revision's images.
   *
   * Format: `int32`.
   */
  updated?: number;
  /**
   * Tenants running the current revision's images and Ready.
   *
   * Format: `int32`.
   */
  healthy?: number;
  /**
   * Tenants that did not become Ready on the revision in time.
   *
   * Format: `int32`.
   */
  failed?: number;
  /**
   * Tenants due to be updated that do not run the revision yet.
   *
   * Format: `int32`.
   */
  pending?: number;
  /**
   * Tenants with their own spec.app.image, which no rollout touches.
   *
   * Format: `int32`.
   */
  pinned?: number;
  /**
   * Suspended, closed or erasing tenants; they are updated when they come back.
   *
   * Format: `int32`.
   */
  skipped?: number;
}

export interface ReleaseChannelStatusFailedItem {
  tenant?: string;
  wave?: string;
  reason?: string;
  message?: string;
}

export interface ReleaseChannelStatusConditionsItem {
  /** Type of the condition, in CamelCase. */
  type: string;
  /** Status of the condition. */
  status: ReleaseChannelStatusConditionsItemStatus;
  /**
   * The metadata.generation the condition was computed from.
   *
   * Format: `int64`.
   */
  observedGeneration?: number;
  /**
   * Last time the status of the condition changed.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  lastTransitionTime?: string;
  /** Machine-readable CamelCase reason for the last transition. */
  reason?: string;
  /** Human-readable details of the last transition. */
  message?: string;
}

/** Status of the condition. */
export type ReleaseChannelStatusConditionsItemStatus = 'True' | 'False' | 'Unknown';
