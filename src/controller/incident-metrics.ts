// The incident metrics of one Incident, from the status its evaluation computed (P13).
import type { IncidentStatus } from '../api/generated/index.js';
import { incidentNotificationDeadline, incidentPendingNotifications } from '../metrics.js';

/** Audiences a notice goes to; both series are kept (at 0 too), so an alert can join on them. */
const AUDIENCES = ['customer', 'authority'] as const;

/** Sets the deadline and the notices not sent yet (Pending or Overdue) per audience. */
export function recordIncidentMetrics(name: string, status: IncidentStatus): void {
  const deadline = status.deadline ? new Date(status.deadline).getTime() : NaN;
  if (Number.isFinite(deadline)) incidentNotificationDeadline.set({ incident: name }, deadline / 1000);
  else incidentNotificationDeadline.remove({ incident: name });
  for (const audience of AUDIENCES) {
    const open = (status.notices ?? []).filter((n) => n.audience === audience && (n.state === 'Pending' || n.state === 'Overdue'));
    incidentPendingNotifications.set({ incident: name, audience }, open.length);
  }
}

/** Removes a deleted incident's series. */
export function forgetIncidentMetrics(name: string): void {
  incidentNotificationDeadline.remove({ incident: name });
  for (const audience of AUDIENCES) incidentPendingNotifications.remove({ incident: name, audience });
}
