// The engine's inputs and outputs beyond the wire types of the Incident API.
import type {
  IncidentStatus,
  IncidentStatusAffectedTenantsItem,
  IncidentStatusNoticesItemAudience,
  IncidentStatusNoticesItemState,
} from '../api/generated/index.js';

/** The facts of one Tenant the engine decides on; the controller reads them from the Tenant. */
export interface TenantFacts {
  name: string;
  uid: string;
  region: string;
  plan: string;
  labels: Readonly<Record<string, string>>;
}

/** One tenant frozen into an incident as affected (status.affectedTenants[]). */
export type AffectedTenant = IncidentStatusAffectedTenantsItem;

/** Bad input found while evaluating: the engine still returns a status, and reports these. */
export interface IncidentProblem {
  /** JSON path of the field, e.g. spec.notifications[2].tenant. */
  field: string;
  message: string;
}

/** The result of {@link evaluateIncident}. */
export interface IncidentEvaluation {
  /** The whole status to write (status.observedGeneration is set when a generation was passed). */
  status: IncidentStatus;
  /**
   * The next instant the result changes other than by the passing of time in timeLeftSeconds: the
   * 48-hours-before-deadline alert point or the deadline; absent when no notice is pending.
   */
  nextAt?: Date;
  /** Bad input, in spec order; empty when the spec is consistent. */
  problems: IncidentProblem[];
}

/** One line of the Tenant condition BreachNotificationPending: a customer notice still owed. */
export interface TenantBreachNotice {
  incident: string;
  /** The incident's deadline (RFC 3339), or undefined when it has none (invalid detectedAt). */
  deadline: string | undefined;
  state: Extract<IncidentStatusNoticesItemState, 'Pending' | 'Overdue'>;
}

export type NoticeAudience = IncidentStatusNoticesItemAudience;
export type NoticeState = IncidentStatusNoticesItemState;

/** Hours from detection to the deadline when spec.notificationWindowHours is absent (the promise P13). */
export const DEFAULT_WINDOW_HOURS = 72;
/** How long before the deadline the first alert fires. */
export const ALERT_BEFORE_DEADLINE_MS = 48 * 60 * 60 * 1000;
