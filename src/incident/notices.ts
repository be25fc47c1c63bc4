// spec.notifications → the earliest valid notification per notice, and the problems of the rest.
import type { IncidentSpec } from '../api/generated/index.js';
import { parseRfc3339 } from '../lifecycle/timestamps.js';
import type { IncidentProblem, NoticeAudience } from './types.js';

/** The notification a notice is decided by: the earliest recorded for its audience and name. */
export interface RecordedNotification {
  at: Date;
  notifiedAt: string;
  reference?: string;
}

/** The key of a notice: its audience and the tenant or authority name. */
export const noticeKey = (audience: NoticeAudience, name: string): string => `${audience}/${name}`;

/**
 * Reads spec.notifications: a notification counts when its notifiedAt parses and it names an
 * affected tenant (audience customer) or a listed authority (audience authority); every other one
 * is reported as a problem and ignored. Several for one notice: the earliest decides.
 */
export function recordedNotifications(
  spec: Pick<IncidentSpec, 'notifications' | 'authorities'>,
  affected: ReadonlySet<string>,
  detected: Date | null,
  problems: IncidentProblem[],
): Map<string, RecordedNotification> {
  const authorities = new Set(spec.authorities ?? []);
  const recorded = new Map<string, RecordedNotification>();
  (spec.notifications ?? []).forEach((n, i) => {
    const field = `spec.notifications[${i}]`;
    const at = parseRfc3339(String(n.notifiedAt));
    if (at === null) {
      problems.push({ field: `${field}.notifiedAt`, message: `not an RFC 3339 timestamp (${JSON.stringify(n.notifiedAt)}); ignored` });
      return;
    }
    const key = keyOf(n, field, affected, authorities, problems);
    if (key === null) return;
    if (detected !== null && at.getTime() < detected.getTime())
      problems.push({ field: `${field}.notifiedAt`, message: `${n.notifiedAt} is before spec.detectedAt; counted as sent` });
    const seen = recorded.get(key);
    if (seen === undefined || at.getTime() < seen.at.getTime())
      recorded.set(key, { at, notifiedAt: n.notifiedAt, ...(n.reference === undefined ? {} : { reference: n.reference }) });
  });
  return recorded;
}

function keyOf(
  n: NonNullable<IncidentSpec['notifications']>[number],
  field: string,
  affected: ReadonlySet<string>,
  authorities: ReadonlySet<string>,
  problems: IncidentProblem[],
): string | null {
  if (n.audience === 'customer') {
    if (n.tenant === undefined || n.tenant === '')
      problems.push({ field: `${field}.tenant`, message: 'audience customer needs a tenant; ignored' });
    else if (!affected.has(n.tenant))
      problems.push({ field: `${field}.tenant`, message: `tenant ${n.tenant} is not among the affected tenants; ignored` });
    else return noticeKey('customer', n.tenant);
    return null;
  }
  if (n.audience === 'authority') {
    if (n.authority === undefined || n.authority === '')
      problems.push({ field: `${field}.authority`, message: 'audience authority needs an authority; ignored' });
    else if (!authorities.has(n.authority))
      problems.push({ field: `${field}.authority`, message: `authority ${n.authority} is not listed in spec.authorities; ignored` });
    else return noticeKey('authority', n.authority);
    return null;
  }
  problems.push({ field: `${field}.audience`, message: `must be customer or authority (got ${JSON.stringify(n.audience)}); ignored` });
  return null;
}
