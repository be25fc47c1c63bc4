// What changed in an Incident's status between two evaluations, in words: the text of the Event
// and of the audit log line each change gets. Pure, so the wording is tested without a cluster.
import type { IncidentStatus } from '../api/generated/index.js';

/** One change of an incident's status. */
export interface IncidentChange {
  /** Machine-readable kind of change, for the audit log line. */
  kind: 'TenantAffected' | 'NoticeState' | 'Phase' | 'Deadline';
  message: string;
  /** A notice became Overdue: the Event is a Warning. */
  overdue: boolean;
}

type Notice = NonNullable<IncidentStatus['notices']>[number];

/** Identifies a notice: audience and the tenant or authority it is for. */
function noticeKey(n: Pick<Notice, 'audience' | 'name'>): string {
  return `${n.audience}/${n.name}`;
}

/** Tenants frozen in (first evaluation) or added since. */
function tenantChanges(before: IncidentStatus | undefined, after: IncidentStatus): IncidentChange[] {
  const known = new Set((before?.affectedTenants ?? []).map((t) => t.name));
  const added = (after.affectedTenants ?? []).filter((t) => !known.has(t.name)).map((t) => t.name);
  if (added.length === 0) return [];
  const what = before?.affectedTenants ? 'added to the affected tenants' : 'frozen as the affected tenants';
  return [{ kind: 'TenantAffected', message: `${added.join(', ')} ${what}`, overdue: false }];
}

/** Notices that are new or changed state. */
function noticeChanges(before: IncidentStatus | undefined, after: IncidentStatus): IncidentChange[] {
  const previous = new Map((before?.notices ?? []).map((n) => [noticeKey(n), n.state]));
  const out: IncidentChange[] = [];
  for (const n of after.notices ?? []) {
    const was = previous.get(noticeKey(n));
    if (was === n.state) continue;
    const at = n.notifiedAt ? ` at ${n.notifiedAt}` : '';
    const message = `${n.audience} notice for ${n.name}: ${was ? `${was} -> ` : ''}${n.state}${at}`;
    out.push({ kind: 'NoticeState', message, overdue: n.state === 'Overdue' });
  }
  return out;
}

/** Lists every change from `before` (undefined: first evaluation) to `after`, ignoring the countdown (timeLeftSeconds). */
export function incidentChanges(before: IncidentStatus | undefined, after: IncidentStatus): IncidentChange[] {
  const out = tenantChanges(before, after);
  if (after.deadline !== before?.deadline && after.deadline)
    out.push({ kind: 'Deadline', message: `notices due by ${after.deadline}`, overdue: false });
  out.push(...noticeChanges(before, after));
  if (after.phase !== before?.phase && after.phase)
    out.push({ kind: 'Phase', message: `phase ${before?.phase ?? '(none)'} -> ${after.phase}`, overdue: after.phase === 'Overdue' });
  return out;
}

/** Joins changes into one Event message, within the 1024 characters an Event carries. */
export function changesMessage(changes: IncidentChange[], limit = 1024): string {
  const text = changes.map((c) => c.message).join('; ');
  return text.length <= limit ? text : `${text.slice(0, limit - 30)}... (${changes.length} changes)`;
}
