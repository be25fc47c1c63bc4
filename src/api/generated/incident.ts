// Generated from crds/tenantry.io_incidents.yaml by `npm run generate`. Do not edit.

import type { V1ObjectMeta } from '@kubernetes/client-node';

export const INCIDENT_GROUP = 'tenantry.io';
export const INCIDENT_VERSION = 'v1alpha1';
export const INCIDENT_API_VERSION = 'tenantry.io/v1alpha1';
export const INCIDENT_PLURAL = 'incidents';
export const INCIDENT_KIND = 'Incident';

/**
 * Incident records a detected breach: when it was detected, which tenants it affected, which data
 * categories were exposed, and the notices owed to the affected customers and to the supervisory
 * authorities. Tenantry freezes the set of affected tenants at the first evaluation (later label
 * changes never change who was affected; the spec can only add tenants), computes the deadline
 * (detectedAt plus the notification window, 72 hours by default) and tracks each notice against it
 * as notifications are recorded in spec.notifications.
 *
 * A cluster-scoped `tenantry.io/v1alpha1` resource (plural `incidents`).
 */
export interface Incident {
  apiVersion: 'tenantry.io/v1alpha1';
  kind: 'Incident';
  metadata: V1ObjectMeta;
  /** The breach, who it affected, and the notifications sent so far. */
  spec: IncidentSpec;
  /** Observed state of the incident, written by Tenantry only. */
  status?: IncidentStatus;
}

/** The breach, who it affected, and the notifications sent so far. */
export interface IncidentSpec {
  /**
   * When the breach was detected (RFC 3339). The notification window starts here.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  detectedAt: string;
  /** What happened, in a few sentences, as the notices will describe it. */
  summary: string;
  /**
   * How severe the breach is. Defaults to high.
   *
   * @defaultValue `"high"`
   */
  severity?: IncidentSpecSeverity;
  /**
   * Which tenants were affected: those matching the selector, the named tenants and the tenants of
   * the listed regions (the union). At least one of the three is required.
   */
  affected: IncidentSpecAffected;
  /**
   * Categories of personal data concerned (for example contact data, credentials, payment data), as
   * the notices name them.
   */
  dataCategories?: string[];
  /**
   * The supervisory authorities to notify, by the name notifications use (for example "BfDI" or
   * "CNIL"). Each is owed one notice.
   */
  authorities?: string[];
  /**
   * Hours after detectedAt by which every notice is due. Defaults to the promised 72 hours; set it
   * lower where a contract or law requires less.
   *
   * Format: `int32`.
   * @defaultValue `72`
   */
  notificationWindowHours?: number;
  /**
   * Notifications sent, appended by the incident manager or a tool: one entry per notice sent (to a
   * customer, about its tenant, or to an authority).
   */
  notifications?: IncidentSpecNotificationsItem[];
  /** The root cause, for the post-incident report. */
  rootCause?: string;
  /** Precautions taken so it does not happen again, for the post-incident report. */
  actions?: string[];
}

/**
 * How severe the breach is. Defaults to high.
 *
 * @defaultValue `"high"`
 */
export type IncidentSpecSeverity = 'low' | 'medium' | 'high' | 'critical';

/**
 * Which tenants were affected: those matching the selector, the named tenants and the tenants of
 * the listed regions (the union). At least one of the three is required.
 */
export interface IncidentSpecAffected {
  /** A label selector over Tenants; the matching tenants are affected. */
  selector?: IncidentSpecAffectedSelector;
  /** Names of affected Tenants. */
  tenants?: string[];
  /** Regions whose tenants are all affected (as in a Tenant's spec.region). */
  regions?: string[];
}

/** A label selector over Tenants; the matching tenants are affected. */
export interface IncidentSpecAffectedSelector {
  /** Labels a tenant must carry with exactly these values. */
  matchLabels?: Record<string, string>;
  /** Requirements on labels; all must hold. */
  matchExpressions?: IncidentSpecAffectedSelectorMatchExpressionsItem[];
}

export interface IncidentSpecAffectedSelectorMatchExpressionsItem {
  /** The label key the requirement applies to. */
  key: string;
  /** In, NotIn, Exists or DoesNotExist. */
  operator: IncidentSpecAffectedSelectorMatchExpressionsItemOperator;
  /** The label values for In and NotIn. */
  values?: string[];
}

/** In, NotIn, Exists or DoesNotExist. */
export type IncidentSpecAffectedSelectorMatchExpressionsItemOperator =
  | 'In'
  | 'NotIn'
  | 'Exists'
  | 'DoesNotExist';

export interface IncidentSpecNotificationsItem {
  /** customer (the tenant's customer) or authority (a supervisory authority). */
  audience: IncidentSpecNotificationsItemAudience;
  /** The affected Tenant whose customer was notified (audience customer). */
  tenant?: string;
  /** The authority notified, as listed in spec.authorities (audience authority). */
  authority?: string;
  /**
   * When the notice was sent (RFC 3339).
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  notifiedAt: string;
  /** A reference to the notice (ticket, letter or case number). */
  reference?: string;
}

/** customer (the tenant's customer) or authority (a supervisory authority). */
export type IncidentSpecNotificationsItemAudience = 'customer' | 'authority';

/** Observed state of the incident, written by Tenantry only. */
export interface IncidentStatus {
  /**
   * The metadata.generation this status was computed from.
   *
   * Format: `int64`.
   */
  observedGeneration?: number;
  /**
   * The tenants frozen in as affected, sorted by name. Entries are only ever added (through the
   * spec), never removed.
   */
  affectedTenants?: IncidentStatusAffectedTenantsItem[];
  /**
   * The spec.affected the set was last frozen from. Selector and regions are only evaluated again
   * when spec.affected differs from it, so relabelling a tenant neither removes nor adds it.
   */
  affectedFrom?: Record<string, unknown>;
  /**
   * Number of entries in affectedTenants.
   *
   * Format: `int32`.
   */
  affectedCount?: number;
  /**
   * When the set of affected tenants was first frozen.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  frozenAt?: string;
  /**
   * detectedAt plus notificationWindowHours; every notice is due by then.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  deadline?: string;
  /**
   * Open: notices are pending and the deadline has not passed. Notified: every notice was recorded
   * (possibly late). Overdue: at least one notice was not recorded by the deadline.
   */
  phase?: IncidentStatusPhase;
  /**
   * One notice per affected tenant (audience customer) and per authority, with its state against
   * the deadline.
   */
  notices?: IncidentStatusNoticesItem[];
  /**
   * Customer notices in state Pending.
   *
   * Format: `int32`.
   */
  pendingCustomerNotices?: number;
  /**
   * Authority notices in state Pending.
   *
   * Format: `int32`.
   */
  pendingAuthorityNotices?: number;
  /**
   * pendingCustomerNotices plus pendingAuthorityNotices.
   *
   * Format: `int32`.
   */
  pendingNotices?: number;
  /**
   * Notices (customer and authority) in state Overdue.
   *
   * Format: `int32`.
   */
  overdueNotices?: number;
  /**
   * Seconds from the last evaluation to the deadline; 0 when it has passed.
   *
   * Format: `int64`.
   */
  timeLeftSeconds?: number;
  /**
   * Current conditions of the incident (AllNotified, Overdue), in the shape of metav1.Condition.
   */
  conditions?: IncidentStatusConditionsItem[];
}

export interface IncidentStatusAffectedTenantsItem {
  /** The Tenant's name. */
  name: string;
  /** The Tenant's metadata.uid when it was frozen in. */
  uid?: string;
  /** The Tenant's spec.region when it was frozen in. */
  region?: string;
  /** The Tenant's spec.plan when it was frozen in. */
  plan?: string;
  /**
   * When the tenant was frozen in as affected.
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  since: string;
}

/**
 * Open: notices are pending and the deadline has not passed. Notified: every notice was recorded
 * (possibly late). Overdue: at least one notice was not recorded by the deadline.
 */
export type IncidentStatusPhase = 'Open' | 'Notified' | 'Overdue';

export interface IncidentStatusNoticesItem {
  /** customer or authority. */
  audience: IncidentStatusNoticesItemAudience;
  /** The tenant (audience customer) or authority (audience authority). */
  name: string;
  /**
   * Pending: not recorded, deadline ahead. Notified: recorded by the deadline. Overdue: not
   * recorded, deadline passed. Late: recorded after the deadline.
   */
  state: IncidentStatusNoticesItemState;
  /**
   * When the notice was sent (the earliest recorded notification).
   *
   * Format: `date-time` (RFC 3339 timestamp string).
   */
  notifiedAt?: string;
  /** The reference of that notification. */
  reference?: string;
}

/** customer or authority. */
export type IncidentStatusNoticesItemAudience = 'customer' | 'authority';

/**
 * Pending: not recorded, deadline ahead. Notified: recorded by the deadline. Overdue: not recorded,
 * deadline passed. Late: recorded after the deadline.
 */
export type IncidentStatusNoticesItemState = 'Pending' | 'Notified' | 'Overdue' | 'Late';

export interface IncidentStatusConditionsItem {
  /** Type of the condition, in CamelCase, e.g. AllNotified. */
  type: string;
  /** Status of the condition, True, False or Unknown. */
  status: IncidentStatusConditionsItemStatus;
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
export type IncidentStatusConditionsItemStatus = 'True' | 'False' | 'Unknown';
