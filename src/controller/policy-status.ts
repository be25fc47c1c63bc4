// A BackupPolicy's status as a pure function of the policy, how many tenants use it and the time:
// whether its schedule and time zone are valid, and when it last ran and runs next.
import { PolicyCond, Reason } from '../api/conditions.js';
import type { BackupPolicy, BackupPolicyStatus } from '../api/generated/index.js';
import { nextRun, parseSchedule, previousRun } from '../backup/schedule.js';
import { canonicalJson } from './diff.js';

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Computes the policy's status; lastTransitionTime is kept from the previous status when unchanged. */
export function computePolicyStatus(p: BackupPolicy, tenants: number, now: Date): BackupPolicyStatus {
  const generation = p.metadata?.generation ?? 0;
  const tz = p.spec.timeZone ?? 'UTC';
  const check = parseSchedule(p.spec.schedule, tz);
  const prev = p.status?.conditions ?? [];
  const cond = (type: string, ok: boolean, reason: string, message: string) => {
    const status: 'True' | 'False' = ok ? 'True' : 'False';
    const before = prev.find((c) => c.type === type);
    return {
      type,
      status,
      reason,
      message,
      observedGeneration: generation,
      lastTransitionTime: before && before.status === status && before.lastTransitionTime ? before.lastTransitionTime : iso(now),
    };
  };
  if (!check.ok) {
    const c = cond(PolicyCond.ScheduleValid, false, check.reason, check.message);
    return {
      observedGeneration: generation,
      tenants,
      conditions: [c, cond(PolicyCond.Ready, false, check.reason, `no backups run under this policy: ${check.message}`)],
    };
  }
  const next = nextRun(p.spec.schedule, tz, now);
  const last = previousRun(p.spec.schedule, tz, now);
  const suspended = p.spec.suspend === true;
  return {
    observedGeneration: generation,
    tenants,
    // A suspended policy has no next run to announce; its last run stays informative.
    ...(next && !suspended ? { nextRunTime: iso(next) } : {}),
    ...(last && tenants > 0 ? { lastRunTime: iso(last) } : {}),
    conditions: [
      cond(PolicyCond.ScheduleValid, true, Reason.ScheduleAccepted, `"${p.spec.schedule}" in ${tz}`),
      suspended
        ? cond(PolicyCond.Ready, false, Reason.BackupsSuspended, 'spec.suspend is true: no new backups start; existing backups are kept')
        : cond(PolicyCond.Ready, true, Reason.ScheduleAccepted, `${tenants} tenant(s) backed up "${p.spec.schedule}" (${tz})`),
    ],
  };
}

/** Reports whether a newly computed status differs from the stored one. */
export function policyStatusChanged(p: BackupPolicy, next: BackupPolicyStatus): boolean {
  return canonicalJson(next) !== canonicalJson(p.status ?? {});
}
