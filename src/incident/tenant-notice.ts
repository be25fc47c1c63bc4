// What a Tenant's BreachNotificationPending condition shows: the customer notices still owed for it.
import type { IncidentStatus } from '../api/generated/index.js';
import type { TenantBreachNotice } from './types.js';

/**
 * The Pending and Overdue customer notices of `tenant` across `incidents`, sorted by deadline
 * (earliest first; an incident without a deadline last), then incident name. Empty when every
 * incident that affected the tenant has recorded its notice (Notified or Late).
 */
export function tenantBreachNotice(incidents: readonly { name: string; status?: IncidentStatus }[], tenant: string): TenantBreachNotice[] {
  const out: TenantBreachNotice[] = [];
  for (const { name, status } of incidents) {
    for (const n of status?.notices ?? []) {
      if (n.audience !== 'customer' || n.name !== tenant) continue;
      if (n.state === 'Pending' || n.state === 'Overdue') out.push({ incident: name, deadline: status?.deadline, state: n.state });
    }
  }
  const order = (d: string | undefined) => (d === undefined ? Number.POSITIVE_INFINITY : Date.parse(d));
  return out.sort((a, b) => order(a.deadline) - order(b.deadline) || (a.incident < b.incident ? -1 : a.incident > b.incident ? 1 : 0));
}
