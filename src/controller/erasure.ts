// The erasure runner: performs a tenant's erasure in its fixed order (lifecycle/erasure-plan.ts)
// through the effects (lifecycle/erasure-effects.ts), and records each finished step in
// status.lifecycle.erasure with one status write before it goes on. The status is the only memory
// that survives a restart: the runner reads it, asks the plan for the next step, and never runs a
// step the status shows as finished. The effects are idempotent for the one window that remains
// (the effect happened, the status write did not).
import type {
  Tenant,
  TenantStatus,
  TenantStatusConditionsItem,
  TenantStatusLifecycle,
  TenantStatusLifecycleErasureStepsItem,
} from '../api/generated/index.js';
import { MANAGER } from '../api/names.js';
import { getLogger } from '../log.js';
import type { ErasureAuditRecord, ErasureEffects, ErasureReceiptDocument } from '../lifecycle/erasure-effects.js';
import {
  clip,
  ERASURE_CONDITION,
  ErasureEventReason,
  erasedAtOf,
  furthest,
  planErasure,
  startRecord,
  withStep,
  type ErasureStepName,
  type ReceiptPart,
} from '../lifecycle/erasure-plan.js';
import { ERASE_NOW_ANNOTATION, LifecycleReason, type LifecycleEvaluation } from '../lifecycle/types.js';
import { backoffDelay, type BackoffOptions } from '../runtime/backoff.js';
import type { ClusterWriter } from './cluster.js';

/** How long to wait before looking again at a namespace that is still terminating. */
export const NAMESPACE_RECHECK_MS = 10_000;
/** How long to wait before looking again at a billing export Job that is still running. */
export const BILLING_RECHECK_MS = 15_000;
/** Backoff after a failed step. */
export const ERASURE_BACKOFF: BackoffOptions = { baseMs: 5_000, maxMs: 300_000 };

/** What {@link ErasureRunner.run} tells the reconciler. */
export interface ErasureRunResult {
  /** When to call again (a step is waiting or failed); absent when nothing is left to do. */
  requeueAfterMs?: number;
  /** True once the tenant is Erased (receipt written and recorded). */
  erased: boolean;
  /** status.lifecycle as this call last wrote it, so a status write after it keeps the erasure record. */
  lifecycle?: TenantStatusLifecycle;
}

/** What the runner needs. */
export interface ErasureRunnerDeps {
  writer: Pick<ClusterWriter, 'patchTenantStatus' | 'event'>;
  effects: ErasureEffects;
  now: () => Date;
  /** lifecycle.dryRun / --erasure-dry-run: every step only reports what it would delete. */
  dryRun: boolean;
  backoff?: BackoffOptions;
  random?: () => number;
}

/** What one step did: the entry to record, the receipt fields it adds, or that it must be asked again later. */
type StepOutcome = FinishedStep | { kind: 'waiting'; message: string; recheckMs: number };
/** A step that finished: the entry to record and the receipt fields it adds. */
interface FinishedStep {
  kind: 'finished';
  entry: TenantStatusLifecycleErasureStepsItem;
  receipt?: ReceiptPart & { location?: string; erasedAt?: string };
  /** A namespace, key or prefix with the tenant's name that is not the tenant's, left untouched. */
  foreign?: string;
}

/** Formats an instant as the API server does (seconds, Z). */
function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A failure to send an Event or log must not hide or change what the erasure did. */
function bestEffort(p: Promise<unknown>, what: string, tenant: string): Promise<void> {
  return p.then(
    () => undefined,
    (e: unknown) => {
      getLogger().warn(`could not ${what}`, { tenant, err: e instanceof Error ? e.message : String(e) });
    },
  );
}

/** Returns the Tenant's conditions with the erasure condition set. */
function withCondition(
  conditions: TenantStatusConditionsItem[] | undefined,
  c: Omit<TenantStatusConditionsItem, 'type' | 'lastTransitionTime'>,
  now: string,
): TenantStatusConditionsItem[] {
  const previous = conditions?.find((x) => x.type === ERASURE_CONDITION);
  const lastTransitionTime = previous && previous.status === c.status && previous.lastTransitionTime ? previous.lastTransitionTime : now;
  return [...(conditions ?? []).filter((x) => x.type !== ERASURE_CONDITION), { type: ERASURE_CONDITION, ...c, lastTransitionTime }];
}

/** Describes what the billing export would cover. */
function exportScope(t: Tenant): string | undefined {
  const e = t.spec.lifecycle?.billingExport;
  const parts = [
    ...(e?.tables?.length ? [`tables ${e.tables.join(', ')}`] : []),
    ...(e?.paths?.length ? [`paths ${e.paths.join(', ')}`] : []),
  ];
  return parts.length > 0 ? parts.join(' and ') : undefined;
}

/** Performs tenants' erasures; one instance serves every tenant of the operator. */
export class ErasureRunner {
  /** status.lifecycle as last written, per Tenant uid: the informer cache may not show it yet. */
  private readonly written = new Map<string, TenantStatusLifecycle>();
  /** Consecutive failures per Tenant uid, for the backoff. */
  private readonly failures = new Map<string, number>();

  constructor(private readonly deps: ErasureRunnerDeps) {}

  /** Runs the erasure of a tenant whose lifecycle phase is Erasing as far as it can go now. */
  async run(tenant: Tenant, evaluation: LifecycleEvaluation): Promise<ErasureRunResult> {
    const uid = tenant.metadata.uid ?? '';
    if (!uid) throw new Error(`Tenant ${tenant.metadata.name ?? ''} has no uid; erasure needs one to check ownership`);
    const stored = tenant.status?.lifecycle ?? {};
    if (stored.phase === 'Erased') return { erased: true, lifecycle: stored };
    const remembered = this.written.get(uid);
    const erasure = furthest(stored.erasure, remembered?.erasure);
    const run = new ErasureRun(
      this.deps,
      tenant,
      { ...stored, ...(erasure === remembered?.erasure ? remembered : {}), erasure },
      evaluation,
    );
    try {
      const result = await run.proceed();
      this.failures.delete(uid);
      return result;
    } catch (e) {
      const n = (this.failures.get(uid) ?? 0) + 1;
      this.failures.set(uid, n);
      await run.reportFailure(e);
      const random = this.deps.random ?? Math.random;
      return {
        erased: false,
        requeueAfterMs: Math.max(1000, backoffDelay(n, this.deps.backoff ?? ERASURE_BACKOFF, random)),
        lifecycle: run.lifecycle,
      };
    } finally {
      if (run.lifecycle.erasure) this.written.set(uid, run.lifecycle);
    }
  }

  /** status.lifecycle as last written for a Tenant uid (the reconciler merges it over a lagging cache). */
  progress(uid: string): TenantStatusLifecycle | undefined {
    return this.written.get(uid);
  }

  /** Forgets a tenant (its object was removed). */
  forget(uid: string): void {
    this.written.delete(uid);
    this.failures.delete(uid);
  }
}

/** One call's work on one tenant: the current lifecycle status and the steps it runs. */
class ErasureRun {
  /** The status the runner last wrote (or read), updated with each write. */
  private status: TenantStatus;
  /** The step being run, for the failure report. */
  private current: ErasureStepName | 'start' | undefined;

  constructor(
    private readonly deps: ErasureRunnerDeps,
    private readonly tenant: Tenant,
    lifecycle: TenantStatusLifecycle,
    private readonly evaluation: LifecycleEvaluation,
  ) {
    this.status = { ...(tenant.status ?? {}), lifecycle };
  }

  get lifecycle(): TenantStatusLifecycle {
    return this.status.lifecycle ?? {};
  }

  private get name(): string {
    return this.tenant.metadata.name ?? '';
  }

  /** Runs steps until all are done, one waits, or the plan holds. */
  async proceed(): Promise<ErasureRunResult> {
    for (;;) {
      const plan = planErasure(this.lifecycle.erasure, { dryRun: this.deps.dryRun });
      switch (plan.kind) {
        case 'notStarted':
        case 'restart':
          await this.start(plan.kind === 'restart' ? plan.message : undefined);
          break;
        case 'held':
          getLogger().warn('erasure held', { tenant: this.name, reason: ErasureEventReason.ErasureHeld, detail: plan.message });
          return { erased: false, lifecycle: this.lifecycle };
        case 'done':
          return this.finishDone(plan.dryRun);
        case 'step': {
          const waiting = await this.step(plan.step, plan.dryRun);
          if (waiting !== undefined) return { erased: false, requeueAfterMs: waiting, lifecycle: this.lifecycle };
          if (plan.step === 'Receipt' && !plan.dryRun) return { erased: true, lifecycle: this.lifecycle };
          break;
        }
      }
    }
  }

  /** What made erasure due, as the record and the audit trail name it. */
  private trigger(): string {
    if (this.evaluation.reason === LifecycleReason.EraseNow) {
      return `${LifecycleReason.EraseNow}: ${this.tenant.metadata.annotations?.[ERASE_NOW_ANNOTATION] ?? ''}`.trim();
    }
    return this.evaluation.reason;
  }

  /** Writes startedAt and the trigger (a new record; a dry run's record is replaced), before any step runs. */
  private async start(replacing?: string): Promise<void> {
    this.current = 'start';
    const now = rfc3339(this.deps.now());
    const erasure = startRecord(now, this.trigger(), this.deps.dryRun);
    const message = `${this.deps.dryRun ? 'dry run of the erasure' : 'erasure'} started (trigger ${erasure.trigger ?? ''})${replacing ? `; ${replacing}` : ''}`;
    await this.audit({ action: 'erasure.start', result: 'Succeeded', message });
    // A real erasure starts without the receipt fields a dry run could not have written anyway.
    const { receipt: _r, ...rest } = this.lifecycle;
    await this.write({ ...rest, phase: 'Erasing', erasure }, { status: 'False', reason: ErasureEventReason.ErasureStarted, message }, now);
    await this.announce('Normal', ErasureEventReason.ErasureStarted, message);
  }

  /** Runs one step: its effect, its audit record, then its status write, Event and log line. Returns a recheck delay when it must wait. */
  private async step(step: ErasureStepName, dryRun: boolean): Promise<number | undefined> {
    this.current = step;
    const outcome = await this.perform(step, dryRun);
    if (outcome.kind === 'waiting') {
      getLogger().info('erasure step waiting', { tenant: this.name, step, detail: outcome.message });
      return outcome.recheckMs;
    }
    const { entry } = outcome;
    // The audit record is appended before the step is recorded: every recorded step has one. A
    // crash in between appends it again on the retry, a duplicate but never a gap.
    await this.audit({
      action: `erasure.${step}`,
      result: 'Succeeded',
      message: entry.message ?? '',
      ...(entry.objects !== undefined ? { objects: entry.objects } : {}),
      ...(entry.bytes !== undefined ? { bytes: entry.bytes } : {}),
    });
    const erasure = withStep(this.lifecycle.erasure ?? {}, entry);
    const receipt = outcome.receipt && !dryRun ? { ...this.lifecycle.receipt, ...outcome.receipt } : this.lifecycle.receipt;
    const final = step === 'Receipt' && !dryRun;
    const lifecycle: TenantStatusLifecycle = {
      ...this.lifecycle,
      erasure,
      ...(receipt ? { receipt } : {}),
      ...(final ? { phase: 'Erased' } : {}),
    };
    const reason = final ? ErasureEventReason.Erased : ErasureEventReason.ErasureStep;
    const condition = {
      status: final ? ('True' as const) : ('False' as const),
      reason,
      message: clip(`${step}: ${entry.message ?? ''}`, 1024),
    };
    await this.write(lifecycle, condition, entry.completedAt);
    if (outcome.foreign) await this.announce('Warning', ErasureEventReason.ErasureForeignObject, outcome.foreign);
    await this.announce('Normal', reason, `${dryRun ? '[dry run] ' : ''}${step}: ${entry.message ?? ''}`);
    getLogger().info('erasure step finished', {
      tenant: this.name,
      step,
      dryRun,
      detail: entry.message,
      objects: entry.objects,
      bytes: entry.bytes,
    });
    return undefined;
  }

  /** Calls the step's effect (or, where even asking would change something, describes it in a dry run). */
  private async perform(step: ErasureStepName, dryRun: boolean): Promise<StepOutcome> {
    switch (step) {
      case 'BillingExport':
        return this.billingExport(dryRun);
      case 'Backups': {
        const r = await this.deps.effects.deleteBackups(this.tenant, { dryRun });
        const verb = dryRun ? 'would delete' : 'deleted';
        const message = `${verb} ${r.objects} objects (${r.bytes} bytes) under the tenant's backup prefix`;
        return this.finished(
          step,
          message,
          { objects: r.objects, bytes: r.bytes },
          { backupObjectsDeleted: r.objects, backupBytesDeleted: r.bytes },
        );
      }
      case 'Namespace': {
        const r = await this.deps.effects.deleteNamespace(this.tenant, { dryRun });
        if (!r.gone) return { kind: 'waiting', message: r.message, recheckMs: NAMESPACE_RECHECK_MS };
        const done = this.finished(step, r.message, {});
        return r.foreign ? { ...done, foreign: r.message } : done;
      }
      case 'KmsKey': {
        const r = await this.deps.effects.scheduleKeyDeletion(this.tenant, { dryRun });
        // A key that is not the tenant's is named in the message and Event, never in the receipt.
        if (r.foreign) return { ...this.finished(step, r.message, {}), foreign: r.message };
        return this.finished(
          step,
          r.message,
          {},
          { ...(r.keyId ? { kmsKeyId: r.keyId } : {}), ...(r.deletionDate ? { kmsKeyDeletionDate: r.deletionDate } : {}) },
        );
      }
      case 'Receipt':
        return this.receipt(dryRun);
    }
  }

  /** The BillingExport step: nothing to export is a finished step whose message says so. */
  private async billingExport(dryRun: boolean): Promise<StepOutcome> {
    const scope = exportScope(this.tenant);
    if (!scope)
      return this.finished('BillingExport', 'the tenant names no billing records (spec.lifecycle.billingExport); nothing exported', {});
    if (dryRun) {
      return this.finished('BillingExport', `would export ${scope} to the region's billing archive (Object Lock COMPLIANCE, 7 years)`, {});
    }
    const r = await this.deps.effects.exportBilling(this.tenant);
    if (r.pending) return { kind: 'waiting', message: r.message, recheckMs: BILLING_RECHECK_MS };
    if (!r.location) throw new Error(`the billing export of ${scope} reported no location: ${r.message}`);
    return this.finished(
      'BillingExport',
      r.message,
      { objects: r.objects, bytes: r.bytes },
      { billingArchive: r.location, ...(r.retainUntil ? { billingRetainUntil: r.retainUntil } : {}) },
    );
  }

  /** The Receipt step: writes the receipt built from the recorded steps (a dry run only says it would). */
  private async receipt(dryRun: boolean): Promise<StepOutcome> {
    if (dryRun) return this.finished('Receipt', "would write the erasure receipt to the region's archive bucket (Object Lock)", {});
    const erasure = this.lifecycle.erasure ?? {};
    const erasedAt = erasedAtOf(erasure);
    if (!erasedAt || !erasure.startedAt)
      throw new Error('the erasure record lacks startedAt or the KmsKey step; refusing to write a receipt');
    const parts = this.lifecycle.receipt ?? {};
    const doc: ErasureReceiptDocument = {
      ...parts,
      tenant: this.name,
      uid: this.tenant.metadata.uid ?? '',
      region: this.tenant.spec.region,
      trigger: erasure.trigger ?? '',
      startedAt: erasure.startedAt,
      erasedAt,
      steps: erasure.steps ?? [],
    };
    const location = await this.deps.effects.writeReceipt(this.tenant, doc);
    return this.finished('Receipt', `wrote the erasure receipt to ${location}`, {}, { location, erasedAt });
  }

  /** Builds a finished step's outcome, stamped now. */
  private finished(
    step: ErasureStepName,
    message: string,
    counts: { objects?: number; bytes?: number },
    receipt?: ReceiptPart & { location?: string; erasedAt?: string },
  ): FinishedStep {
    const entry: TenantStatusLifecycleErasureStepsItem = {
      name: step,
      completedAt: rfc3339(this.deps.now()),
      ...counts,
      message: clip(message),
    };
    return { kind: 'finished', entry, ...(receipt ? { receipt } : {}) };
  }

  /** Every step was recorded: a real erasure is Erased (the phase is set again if a hand edit removed it); a dry run is over. */
  private async finishDone(dryRun: boolean): Promise<ErasureRunResult> {
    if (dryRun) return { erased: false, lifecycle: this.lifecycle };
    if (this.lifecycle.phase !== 'Erased') {
      await this.write(
        { ...this.lifecycle, phase: 'Erased' },
        { status: 'True', reason: ErasureEventReason.Erased, message: 'erasure finished' },
      );
    }
    return { erased: true, lifecycle: this.lifecycle };
  }

  /** Writes the status with this lifecycle and the erasure condition. */
  private async write(
    lifecycle: TenantStatusLifecycle,
    condition: Omit<TenantStatusConditionsItem, 'type' | 'lastTransitionTime'>,
    at = rfc3339(this.deps.now()),
  ): Promise<void> {
    const next: TenantStatus = { ...this.status, lifecycle, conditions: withCondition(this.status.conditions, condition, at) };
    await this.deps.writer.patchTenantStatus(this.name, next);
    this.status = next;
  }

  /** Appends an audit record of this tenant's erasure. */
  private async audit(r: Pick<ErasureAuditRecord, 'action' | 'result' | 'message' | 'objects' | 'bytes'>): Promise<void> {
    await this.deps.effects.audit({
      at: rfc3339(this.deps.now()),
      who: MANAGER,
      tenant: this.name,
      uid: this.tenant.metadata.uid ?? '',
      region: this.tenant.spec.region,
      trigger: this.lifecycle.erasure?.trigger ?? this.trigger(),
      dryRun: this.deps.dryRun,
      ...r,
    });
  }

  /** Sends an Event, best effort. */
  private announce(type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    return bestEffort(this.deps.writer.event(this.tenant, type, reason, message), `send the ${reason} Event`, this.name);
  }

  /** Reports a failed step: log line, Warning Event, audit record and condition, each best effort (the error itself is what counts). */
  async reportFailure(e: unknown): Promise<void> {
    const err = e instanceof Error ? e.message : String(e);
    const step = this.current ?? 'start';
    const message = clip(`${step}: ${err}`, 1024);
    getLogger().error('erasure step failed', { tenant: this.name, step, err });
    await this.announce('Warning', ErasureEventReason.ErasureStepFailed, message);
    await bestEffort(this.audit({ action: `erasure.${step}`, result: 'Failed', message }), 'append the audit record', this.name);
    if (this.lifecycle.erasure?.startedAt) {
      await bestEffort(
        this.write(this.lifecycle, { status: 'False', reason: ErasureEventReason.ErasureStepFailed, message }),
        'write the erasure condition',
        this.name,
      );
    }
  }
}
