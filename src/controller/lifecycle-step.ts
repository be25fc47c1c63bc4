// The lifecycle part of a tenant's reconcile (P9), as pure functions: the status.lifecycle the pass
// reports, the LifecycleValid condition, what a transition is (Event, log line, audit record), who
// made it (from managedFields), when to look again, and the final backup Job a closing tenant takes.
import { createHash } from 'node:crypto';
import type { Job } from 'kubernetes-types/batch/v1.js';
import { Reason } from '../api/conditions.js';
import type { Tenant, TenantStatusLifecycle } from '../api/generated/index.js';
import { ERASE_NOW_ANNOTATION, type LifecycleEvaluation, type LifecyclePhase } from '../lifecycle/types.js';
import type { Manifest } from '../resources/index.js';
import type { StepCondition } from './backup-step.js';

/** Evaluates a tenant's lifecycle at an instant (the pure engine, bound to the configured durations). */
export type EvaluateLifecycle = (tenant: Tenant, now: Date) => LifecycleEvaluation;

/** Runs the ordered erasure of a tenant in phase Erasing; idempotent, resumes where it stopped. */
export interface ErasureRunner {
  run(tenant: Tenant, evaluation: LifecycleEvaluation): Promise<{ requeueAfterMs?: number; erased: boolean }>;
  /**
   * status.lifecycle as the runner last wrote it for a Tenant uid: the informer cache may lag one
   * write behind, and a pass that wrote the older erasure record back would undo a finished step.
   */
  progress?(uid: string): TenantStatusLifecycle | undefined;
}

/** Creates (or finds) a tenant's own KMS key; resolves with its ARN, the key its backups are encrypted under. */
export interface TenantKeys {
  ensure(tenant: Tenant): Promise<string>;
}

/** Administrative and destructive actions the audit trail records (P11). */
export type AuditAction = 'Suspend' | 'Resume' | 'Close' | 'Erase' | 'DeletionRequested' | 'EraseNow' | 'Restore';

/** One audit record: who did what to which tenant, and when. */
export interface AuditRecord {
  action: AuditAction;
  tenant: string;
  uid: string;
  /** The field manager that last changed the field behind the action, or "unknown". */
  actor: string;
  /** RFC 3339. */
  at: string;
  details: Record<string, string | null>;
}

/** Receives every audit record; it may store it anywhere (the archive bucket under Object Lock). */
export type AuditHook = (record: AuditRecord) => void | Promise<void>;

/** The longest delay a Node.js timer takes (2^31 − 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Returns an instant of the lifecycle as RFC 3339, to the millisecond when it has one: a deadline
 * shown to the second would read up to 999 ms earlier than the instant the step is due at.
 */
export function instant(d: Date): string {
  return d.getUTCMilliseconds() === 0 ? rfc3339(d) : d.toISOString();
}

/** Returns an RFC 3339 time to the second, as the status shows times. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Returns the phase to enforce. Once erasure has begun (or ended) nothing stops it: a status that
 * already says Erased stays Erased, and an erasure in progress stays Erasing, whatever the engine
 * says of the input now (a spec edited after the erasure started cannot bring the data back).
 */
export function enforcedPhase(tenant: Tenant, evaluation: LifecycleEvaluation): LifecyclePhase {
  const previous = tenant.status?.lifecycle;
  if (previous?.phase === 'Erased') return 'Erased';
  if (previous?.phase === 'Erasing' && previous.erasure && evaluation.phase !== 'Erased') return 'Erasing';
  return evaluation.phase;
}

/**
 * Returns status.lifecycle for this pass: the evaluation's phase, reason and times, and the erasure
 * progress and receipt the erasure runner wrote, carried over untouched.
 */
export function lifecycleStatus(tenant: Tenant, evaluation: LifecycleEvaluation, phase: LifecyclePhase, now: Date): TenantStatusLifecycle {
  const previous = tenant.status?.lifecycle;
  // A phase held against the evaluation (erasure begun or done) keeps what it was entered with.
  if (phase !== evaluation.phase) return heldStatus(previous, phase, evaluation, now);
  const held = previous?.phase === phase && previous.reason === evaluation.reason;
  const since = evaluation.since ? instant(evaluation.since) : held ? previous.since : rfc3339(now);
  return {
    phase,
    reason: evaluation.reason,
    ...(since ? { since } : {}),
    ...(evaluation.next ? { next: evaluation.next.phase, nextAt: instant(evaluation.next.at) } : {}),
    ...(evaluation.eraseAt ? { eraseAt: instant(evaluation.eraseAt) } : {}),
    ...(evaluation.erasureBlocked ? { erasureBlocked: evaluation.erasureBlocked } : {}),
    ...runnerFields(previous),
  };
}

/** Returns status.lifecycle for a phase the evaluation no longer gives (Erasing begun, Erased): the previous reason and times. */
function heldStatus(
  previous: TenantStatusLifecycle | undefined,
  phase: LifecyclePhase,
  evaluation: LifecycleEvaluation,
  now: Date,
): TenantStatusLifecycle {
  const same = previous?.phase === phase;
  return {
    phase,
    reason: previous?.reason ?? evaluation.reason,
    since: (same ? previous.since : undefined) ?? rfc3339(now),
    ...(previous?.eraseAt ? { eraseAt: previous.eraseAt } : {}),
    ...runnerFields(previous),
  };
}

/** The fields the erasure runner writes, carried over untouched. */
function runnerFields(previous: TenantStatusLifecycle | undefined): Pick<TenantStatusLifecycle, 'erasure' | 'receipt'> {
  return { ...(previous?.erasure ? { erasure: previous.erasure } : {}), ...(previous?.receipt ? { receipt: previous.receipt } : {}) };
}

/** Returns LifecycleValid: True, or False naming every field the engine found wrong. */
export function lifecycleValidity(evaluation: LifecycleEvaluation): StepCondition {
  if (evaluation.problems.length === 0)
    return { status: 'True', reason: Reason.LifecycleInputValid, message: 'spec.plan and spec.lifecycle are valid' };
  const what = evaluation.problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  return {
    status: 'False',
    reason: Reason.LifecycleInputInvalid,
    message: `${what}; the tenant is never erased while its lifecycle input is invalid`,
  };
}

/**
 * Returns the requeue delay for the next transition: exactly its instant (never earlier, so a step
 * is never taken before it is due), capped at what a timer can hold; a capped timer just evaluates
 * again and waits the rest.
 */
export function requeueForTransition(next: { at: Date } | null, now: Date): number | undefined {
  if (!next) return undefined;
  return Math.min(MAX_TIMER_MS, Math.max(0, next.at.getTime() - now.getTime()));
}

/** A transition of the lifecycle: the phase or the reason changed. */
export interface Transition {
  from: { phase?: string; reason?: string };
  to: { phase: LifecyclePhase; reason: string };
  /** What the audit trail records, if the transition is an administrative or destructive action. */
  action: AuditAction | undefined;
}

/** Returns the transition this pass makes, or undefined when phase and reason stay (or a new tenant starts Active). */
export function transitionOf(tenant: Tenant, phase: LifecyclePhase, reason: string): Transition | undefined {
  const previous = tenant.status?.lifecycle;
  if (previous?.phase === phase && previous.reason === reason) return undefined;
  if (!previous?.phase && phase === 'Active') return undefined;
  return { from: { ...previous }, to: { phase, reason }, action: actionOf(previous?.phase, phase, reason) };
}

/** Returns the audit action of a transition, or undefined for one that is none (the first record of a new tenant). */
function actionOf(from: string | undefined, to: LifecyclePhase, reason: string): AuditAction | undefined {
  if (reason === 'EraseNow' && (to === 'Erasing' || to === 'Erased')) return 'EraseNow';
  if (reason === 'Deleted' && to !== 'Erasing' && to !== 'Erased') return 'DeletionRequested';
  if (to === 'Suspended') return 'Suspend';
  if (to === 'Closed') return 'Close';
  if (to === 'Erasing') return 'Erase';
  if (to === 'Active' && from !== undefined && from !== 'Active') return 'Resume';
  return undefined;
}

/** The fields whose last writer is the actor of an action. */
const ACTION_FIELDS: Record<AuditAction, string[][]> = {
  Suspend: [
    ['f:spec', 'f:suspend'],
    ['f:spec', 'f:lifecycle'],
    ['f:spec', 'f:plan'],
  ],
  Resume: [
    ['f:spec', 'f:suspend'],
    ['f:spec', 'f:lifecycle'],
    ['f:spec', 'f:plan'],
  ],
  Close: [
    ['f:spec', 'f:lifecycle'],
    ['f:spec', 'f:plan'],
  ],
  Erase: [
    ['f:spec', 'f:lifecycle'],
    ['f:spec', 'f:plan'],
  ],
  EraseNow: [['f:metadata', 'f:annotations', `f:${ERASE_NOW_ANNOTATION}`]],
  // The API server records no field manager for a deletion; its finalizer list is the closest trace.
  DeletionRequested: [],
  // A restore is asked for by a Restore object, not by a field of the Tenant.
  Restore: [],
};

/** The parts of a managedFields entry read here (the wire form has `time` as a string, the client's type as a Date). */
interface ManagedFieldsEntry {
  manager?: string;
  time?: string | Date;
  fieldsV1?: object;
}

/** Returns whether a managedFields entry's fieldsV1 holds the path. */
function touches(entry: ManagedFieldsEntry, path: string[]): boolean {
  let node: unknown = entry.fieldsV1;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !(key in node)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}

/**
 * Returns who made an action: the field manager that last wrote one of the fields behind it (by
 * managedFields time), else "unknown". The operator's own manager never counts.
 */
export function actorOf(tenant: Tenant, action: AuditAction): string {
  const paths = ACTION_FIELDS[action];
  const entries = (tenant.metadata.managedFields ?? []).filter((e) => e.manager && paths.some((p) => touches(e, p)));
  const newest = entries.sort((a, b) => timeOf(b) - timeOf(a))[0];
  return newest?.manager ?? 'unknown';
}

function timeOf(e: ManagedFieldsEntry): number {
  const t = e.time ? new Date(e.time).getTime() : NaN;
  return Number.isFinite(t) ? t : 0;
}

/** Returns the message of a transition's Event and log line: the new reason, the old phase and when erasure is due. */
export function transitionMessage(t: Transition, status: TenantStatusLifecycle): string {
  const from = t.from.phase ? ` (was ${t.from.phase}${t.from.reason ? `/${t.from.reason}` : ''})` : '';
  const erase = status.eraseAt
    ? `; erasure due at ${status.eraseAt}${status.erasureBlocked ? ` but blocked: ${status.erasureBlocked}` : ''}`
    : '; no erasure date';
  return `lifecycle ${t.to.phase} for ${t.to.reason}${from}${erase}`;
}

/**
 * Returns the name of the final backup Job of one closure: the same on every pass and after a
 * restart (so a second one is never made), and a new one for a later closure of the same tenant.
 */
export function finalBackupJobName(tenant: Tenant, closedSince: string | undefined): string {
  const key = `${tenant.metadata.uid ?? ''}/${closedSince ?? ''}`;
  return `backup-final-${createHash('sha256').update(key).digest('hex').slice(0, 10)}`;
}

/** Returns the final backup Job built from the tenant's backup CronJob's template, with the CronJob's labels. */
export function finalBackupJob(cronJob: Manifest, name: string): Manifest {
  const spec = (cronJob as unknown as { spec?: { jobTemplate?: { spec?: Job['spec'] } } }).spec?.jobTemplate?.spec;
  if (!spec) throw new Error(`CronJob ${cronJob.metadata.name} has no job template to take the final backup from`);
  const labels = { ...(cronJob.metadata.labels ?? {}) };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, ...(cronJob.metadata.namespace ? { namespace: cronJob.metadata.namespace } : {}), labels },
    spec,
  } as Manifest;
}

/** Returns the audit record of a transition that is an action. */
export function auditRecordOf(
  tenant: Tenant,
  t: Transition & { action: AuditAction },
  status: TenantStatusLifecycle,
  actor: string,
  now: Date,
): AuditRecord {
  return {
    action: t.action,
    tenant: tenant.metadata.name ?? '',
    uid: tenant.metadata.uid ?? '',
    actor,
    at: rfc3339(now),
    details: {
      from: t.from.phase ?? null,
      phase: t.to.phase,
      reason: status.reason ?? null,
      eraseAt: status.eraseAt ?? null,
      erasureBlocked: status.erasureBlocked ?? null,
      ...(t.action === 'EraseNow' ? { ticket: tenant.metadata.annotations?.[ERASE_NOW_ANNOTATION] ?? null } : {}),
    },
  };
}

/** The managedFields paths the audit trail reads; every other entry (and field) is dropped from the cache. */
const AUDITED_PATHS = Object.values(ACTION_FIELDS).flat();

/**
 * Returns the managedFields entries of a Tenant that touch a lifecycle field, each reduced to its
 * manager, time and those fields only: the cache keeps who changed the lifecycle, not the rest.
 */
export function lifecycleManagedFields<E extends ManagedFieldsEntry>(entries: readonly E[] | undefined): E[] {
  return (entries ?? [])
    .filter((e) => AUDITED_PATHS.some((p) => touches(e, p)))
    .map((e) => ({
      ...e,
      fieldsV1: pick(
        e.fieldsV1,
        AUDITED_PATHS.filter((p) => touches(e, p)),
      ),
    }));
}

/** Returns a fieldsV1 tree with only the given paths. */
function pick(tree: object | undefined, paths: string[][]): object {
  const out: Record<string, unknown> = {};
  for (const path of paths) {
    let from: unknown = tree;
    let to = out;
    path.forEach((key, i) => {
      from = (from as Record<string, unknown>)[key];
      if (i === path.length - 1) to[key] = from ?? {};
      else to = (to[key] ??= {}) as Record<string, unknown>;
    });
  }
  return out;
}
