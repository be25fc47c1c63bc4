// The pure Incident engine: spec + previous status + tenants + an instant → the status to write.
// No clock and no I/O: the controller passes `now` and the tenants it read, so the same inputs
// always give the same status and tests can place `now` a millisecond either side of a deadline.
import type { IncidentSpec, IncidentStatus, IncidentStatusNoticesItem, IncidentStatusPhase } from '../api/generated/index.js';
import { formatRfc3339, parseRfc3339 } from '../lifecycle/timestamps.js';
import { incidentConditions } from './conditions.js';
import { freezeAffected } from './freeze.js';
import { noticeKey, recordedNotifications, type RecordedNotification } from './notices.js';
import {
  ALERT_BEFORE_DEADLINE_MS,
  DEFAULT_WINDOW_HOURS,
  type IncidentEvaluation,
  type IncidentProblem,
  type TenantFacts,
} from './types.js';

const HOUR_MS = 60 * 60 * 1000;

/** Options of {@link evaluateIncident}. */
export interface EvaluateOptions {
  /** metadata.generation of the Incident, written to status.observedGeneration and the conditions. */
  generation?: number;
}

function windowHours(spec: IncidentSpec, problems: IncidentProblem[]): number {
  const hours = spec.notificationWindowHours;
  if (hours === undefined) return DEFAULT_WINDOW_HOURS;
  if (Number.isInteger(hours) && hours >= 1) return hours;
  problems.push({
    field: 'spec.notificationWindowHours',
    message: `must be a whole number of hours >= 1 (got ${String(hours)}); using 72`,
  });
  return DEFAULT_WINDOW_HOURS;
}

/** The deadline, or null (with a problem) when spec.detectedAt is not a timestamp. */
function deadlineOf(spec: IncidentSpec, problems: IncidentProblem[]): { detected: Date | null; deadline: Date | null } {
  const detected = parseRfc3339(String(spec.detectedAt));
  const hours = windowHours(spec, problems);
  if (detected === null) {
    problems.push({ field: 'spec.detectedAt', message: `not an RFC 3339 timestamp (${JSON.stringify(spec.detectedAt)}); no deadline` });
    return { detected, deadline: null };
  }
  return { detected, deadline: new Date(detected.getTime() + hours * HOUR_MS) };
}

/** Notified by the deadline, Late after it; without a notification Overdue from the deadline on, else Pending. */
function noticeState(rec: RecordedNotification | undefined, deadline: Date | null, now: Date): IncidentStatusNoticesItem['state'] {
  if (rec !== undefined) return deadline !== null && rec.at.getTime() > deadline.getTime() ? 'Late' : 'Notified';
  return deadline !== null && now.getTime() >= deadline.getTime() ? 'Overdue' : 'Pending';
}

function notice(
  audience: IncidentStatusNoticesItem['audience'],
  name: string,
  recorded: ReadonlyMap<string, RecordedNotification>,
  deadline: Date | null,
  now: Date,
): IncidentStatusNoticesItem {
  const rec = recorded.get(noticeKey(audience, name));
  return {
    audience,
    name,
    state: noticeState(rec, deadline, now),
    ...(rec === undefined ? {} : { notifiedAt: rec.notifiedAt }),
    ...(rec?.reference === undefined ? {} : { reference: rec.reference }),
  };
}

function phaseOf(notices: readonly IncidentStatusNoticesItem[]): IncidentStatusPhase {
  if (notices.some((n) => n.state === 'Overdue')) return 'Overdue';
  if (notices.length > 0 && notices.every((n) => n.state === 'Notified' || n.state === 'Late')) return 'Notified';
  return 'Open';
}

/** The next instant a Pending notice's standing changes: the 48-hour alert point, then the deadline. */
function nextChange(notices: readonly IncidentStatusNoticesItem[], deadline: Date | null, now: Date): Date | undefined {
  if (deadline === null || !notices.some((n) => n.state === 'Pending')) return undefined;
  const points = [deadline.getTime() - ALERT_BEFORE_DEADLINE_MS, deadline.getTime()].filter((t) => t > now.getTime());
  return points.length === 0 ? undefined : new Date(Math.min(...points));
}

function unknownNames(
  spec: IncidentSpec,
  tenants: readonly TenantFacts[],
  affected: ReadonlySet<string>,
  problems: IncidentProblem[],
): void {
  const known = new Set(tenants.map((t) => t.name));
  (spec.affected?.tenants ?? []).forEach((name, i) => {
    if (!known.has(name) && !affected.has(name))
      problems.push({ field: `spec.affected.tenants[${i}]`, message: `no Tenant named ${name}; it is added when it exists` });
  });
}

/**
 * Evaluates an incident at `now`: freezes (or extends) the affected tenants, computes the deadline
 * (detectedAt + notificationWindowHours, default 72) and the state of every notice - one per
 * affected tenant (audience customer) and one per listed authority. Bad input never throws: it is
 * reported in `problems` and the status shows the safe reading (no deadline: nothing turns Overdue;
 * an unusable notification: the notice stays unrecorded).
 */
export function evaluateIncident(
  spec: IncidentSpec,
  previousStatus: IncidentStatus | undefined,
  tenants: readonly TenantFacts[],
  now: Date,
  options: EvaluateOptions = {},
): IncidentEvaluation {
  const problems: IncidentProblem[] = [];
  const { detected, deadline } = deadlineOf(spec, problems);
  const nowText = formatRfc3339(now);
  const previous = previousStatus?.affectedTenants;
  const affectedSpec = spec.affected ?? {};
  const affectedTenants = freezeAffected({ affected: affectedSpec }, previous, tenants, now, previousStatus?.affectedFrom);
  const affectedNames = new Set(affectedTenants.map((a) => a.name));
  unknownNames(spec, tenants, affectedNames, problems);
  const recorded = recordedNotifications(spec, affectedNames, detected, problems);
  const authorities = [...new Set(spec.authorities ?? [])];
  const notices = [
    ...affectedTenants.map((a) => notice('customer', a.name, recorded, deadline, now)),
    ...authorities.map((a) => notice('authority', a, recorded, deadline, now)),
  ];
  const count = (audience: string, state: string) => notices.filter((n) => n.audience === audience && n.state === state).length;
  const pendingCustomerNotices = count('customer', 'Pending');
  const pendingAuthorityNotices = count('authority', 'Pending');
  const status: IncidentStatus = {
    ...(options.generation === undefined ? {} : { observedGeneration: options.generation }),
    affectedTenants,
    affectedFrom: JSON.parse(JSON.stringify(affectedSpec)) as Record<string, unknown>,
    affectedCount: affectedTenants.length,
    frozenAt: previousStatus?.frozenAt ?? nowText,
    ...(deadline === null ? {} : { deadline: formatRfc3339(deadline) }),
    phase: phaseOf(notices),
    notices,
    pendingCustomerNotices,
    pendingAuthorityNotices,
    pendingNotices: pendingCustomerNotices + pendingAuthorityNotices,
    overdueNotices: notices.filter((n) => n.state === 'Overdue').length,
    timeLeftSeconds: deadline === null ? 0 : Math.max(0, Math.ceil((deadline.getTime() - now.getTime()) / 1000)),
    conditions: incidentConditions(notices, deadline !== null, previousStatus?.conditions, nowText, options.generation),
  };
  const nextAt = nextChange(notices, deadline, now);
  return { status, ...(nextAt === undefined ? {} : { nextAt }), problems };
}
