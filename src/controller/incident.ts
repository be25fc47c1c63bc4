// reconcileIncident(name): one evaluation of an Incident (P13) on the operator's caches. What the
// status says is decided by the pure engine (src/incident/); this module feeds it the cached
// tenants, writes the status when it changed, announces every change (an Event on the Incident and
// an audit log line), sets the incident metrics and says when to look again.
import type { KubernetesObject } from '@kubernetes/client-node';
import { EventReason } from '../api/conditions.js';
import type { Incident, IncidentStatus, Tenant } from '../api/generated/index.js';
import { evaluateIncident, type IncidentProblem, type TenantFacts } from '../incident/index.js';
import { getLogger } from '../log.js';
import { canonicalJson } from './diff.js';
import { changesMessage, incidentChanges } from './incident-changes.js';
import { forgetIncidentMetrics, recordIncidentMetrics } from './incident-metrics.js';
import { MAX_TIMER_MS } from './lifecycle-step.js';

/** The countdown (status.timeLeftSeconds) is rewritten at most this often far from the deadline... */
export const COUNTDOWN_MAX_REFRESH_MS = 60_000;
/** ...and at least this far apart close to it, so an incident costs a bounded number of writes. */
export const COUNTDOWN_MIN_REFRESH_MS = 5_000;

/** The caches an incident evaluation reads. */
export interface IncidentView {
  incident(name: string): Incident | undefined;
  tenants(): Tenant[];
}

/** The writes an incident evaluation makes. */
export interface IncidentWriter {
  patchIncidentStatus(name: string, status: IncidentStatus): Promise<void>;
  objectEvent(o: KubernetesObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
}

/** Everything an incident evaluation needs; `now` is injected so tests control time. */
export interface IncidentDeps {
  view: IncidentView;
  writer: IncidentWriter;
  now: () => Date;
}

/** When to look at the incident again: the engine's next change, or the next countdown refresh. */
export interface IncidentResult {
  requeueAfterMs?: number;
  writes: number;
}

/** Returns what the engine needs to know of a tenant. */
export function tenantFacts(t: Tenant): TenantFacts {
  return {
    name: t.metadata.name ?? '',
    uid: t.metadata.uid ?? '',
    region: t.spec.region,
    plan: t.spec.plan,
    labels: t.metadata.labels ?? {},
  };
}

/**
 * How often the countdown is refreshed with `secondsLeft` to go: a sixtieth of it, between 5 s and
 * a minute. Days away a minute is plenty; seconds away the countdown still moves visibly.
 */
export function countdownRefreshMs(secondsLeft: number): number {
  return Math.min(COUNTDOWN_MAX_REFRESH_MS, Math.max(COUNTDOWN_MIN_REFRESH_MS, (secondsLeft * 1000) / 60));
}

/** The status without its countdown: what a change is judged on. */
function withoutCountdown(s: IncidentStatus | undefined): Omit<IncidentStatus, 'timeLeftSeconds'> {
  const { timeLeftSeconds: _left, ...rest } = s ?? {};
  return rest;
}

/** Reports whether the stored countdown lags the computed one by a refresh interval or more. */
function countdownStale(stored: IncidentStatus | undefined, next: IncidentStatus): boolean {
  const left = next.timeLeftSeconds ?? 0;
  if (stored?.timeLeftSeconds === undefined) return true;
  return Math.abs(stored.timeLeftSeconds - left) * 1000 >= countdownRefreshMs(left) || (left === 0) !== (stored.timeLeftSeconds === 0);
}

/** Evaluates one Incident by name and writes its status when it changed. */
export async function reconcileIncident(name: string, deps: IncidentDeps): Promise<IncidentResult> {
  const incident = deps.view.incident(name);
  if (!incident) {
    forgetIncidentMetrics(name);
    return { writes: 0 };
  }
  const now = deps.now();
  const evaluation = evaluateIncident(incident.spec, incident.status, deps.view.tenants().map(tenantFacts), now, {
    generation: incident.metadata.generation ?? 0,
  });
  const status = evaluation.status;
  // The status read before this pass: what the changes are announced against.
  const before = incident.status;
  const changed = canonicalJson(withoutCountdown(status)) !== canonicalJson(withoutCountdown(before));
  let writes = 0;
  if (changed || countdownStale(before, status)) {
    await deps.writer.patchIncidentStatus(name, status);
    writes++;
  }
  if (changed) await announce(incident, before, status, evaluation.problems, deps);
  recordIncidentMetrics(name, status);
  return { writes, ...requeueOf(status, evaluation.nextAt, now) };
}

/**
 * Announces the changes of one evaluation: an Event on the Incident and one audit log line per
 * change, and a Warning Event naming bad input (announced with a change, not on every evaluation).
 */
async function announce(
  incident: Incident,
  before: IncidentStatus | undefined,
  status: IncidentStatus,
  problems: IncidentProblem[],
  deps: IncidentDeps,
): Promise<void> {
  const name = incident.metadata.name ?? '';
  const log = getLogger();
  if (problems.length > 0) {
    const text = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
    log.warn('incident input problems', { incident: name, problems: text });
    await eventBestEffort(incident, 'Warning', EventReason.IncidentInputProblem, text, deps);
  }
  const changes = incidentChanges(before, status);
  if (changes.length === 0) return;
  // The audit record of an incident is this log line (and the Event): the audit trail's archive is
  // per region and per tenant, and an incident spans both.
  for (const c of changes)
    log.info('incident audit', { audit: true, incident: name, uid: incident.metadata.uid, change: c.kind, detail: c.message });
  const overdue = changes.some((c) => c.overdue);
  const reason = overdue ? EventReason.IncidentNoticeOverdue : EventReason.IncidentUpdated;
  await eventBestEffort(incident, overdue ? 'Warning' : 'Normal', reason, changesMessage(changes), deps);
}

/**
 * Records an Event on the Incident. A failure is only logged: the status is written and the audit
 * line kept, so the pass must not be retried for it.
 */
async function eventBestEffort(
  incident: Incident,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
  deps: IncidentDeps,
): Promise<void> {
  try {
    await deps.writer.objectEvent(incident, type, reason, message.slice(0, 1024));
  } catch (e) {
    getLogger().warn('could not record an Event on an incident', {
      incident: incident.metadata.name,
      reason,
      err: e instanceof Error ? e.message : String(e),
    });
  }
}

/** The earliest of the engine's next change and, while the deadline is ahead, the countdown's next refresh. */
function requeueOf(status: IncidentStatus, nextAt: Date | undefined, now: Date): { requeueAfterMs?: number } {
  const candidates: number[] = [];
  if (nextAt) candidates.push(Math.max(0, nextAt.getTime() - now.getTime()));
  const left = status.timeLeftSeconds ?? 0;
  if (left > 0) candidates.push(countdownRefreshMs(left));
  if (candidates.length === 0) return {};
  return { requeueAfterMs: Math.min(MAX_TIMER_MS, ...candidates) };
}
