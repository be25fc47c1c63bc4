// Tallies a client's API requests from the audit log: total, writes and reads, by resource.
import { isWrite, type AuditEvent } from '../test/support/audit.js';

/** Requests of one client in a window; watches are long-lived streams, not requests, and are left out. */
export interface RequestTally {
  total: number;
  writes: number;
  reads: number;
  /** `resource` or `resource/subresource` → writes and reads. */
  byResource: Record<string, { writes: number; reads: number }>;
}

/** Counts the events (already filtered to one client) by resource. */
export function tallyRequests(events: readonly AuditEvent[]): RequestTally {
  const out: RequestTally = { total: 0, writes: 0, reads: 0, byResource: {} };
  for (const e of events) {
    if (e.verb === 'watch') continue;
    const r = e.objectRef?.resource ?? 'none';
    const k = e.objectRef?.subresource ? `${r}/${e.objectRef.subresource}` : r;
    const slot = (out.byResource[k] ??= { writes: 0, reads: 0 });
    out.total++;
    if (isWrite(e)) {
      out.writes++;
      slot.writes++;
    } else {
      out.reads++;
      slot.reads++;
    }
  }
  return out;
}
