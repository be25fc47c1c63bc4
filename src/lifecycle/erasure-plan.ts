// The order of a tenant's erasure and the decision which step comes next, from what
// status.lifecycle.erasure records. Pure: no clock, no I/O. The runner (controller/erasure.ts)
// performs the step this plan names and records it before asking again, so that an operator
// restarted at any point resumes at the right step and never repeats one that finished.
import type {
  TenantStatusLifecycleErasure,
  TenantStatusLifecycleErasureStepsItem,
  TenantStatusLifecycleErasureStepsItemName,
  TenantStatusLifecycleReceipt,
} from '../api/generated/index.js';

/**
 * The steps, in the only order they may run: the billing records are safe in the archive before
 * anything is deleted; the backups go before the namespace so that no backup Job can write a new
 * one after the prefix was emptied; the key is scheduled for deletion only once nothing that needs
 * it is left; the receipt is written last, when it can name everything.
 */
export const ERASURE_STEPS = [
  'BillingExport',
  'Backups',
  'Namespace',
  'KmsKey',
  'Receipt',
] as const satisfies readonly TenantStatusLifecycleErasureStepsItemName[];
/** One erasure step. */
export type ErasureStepName = (typeof ERASURE_STEPS)[number];

/** Condition type that reports the erasure's progress or its failing step. */
export const ERASURE_CONDITION = 'Erasure';

/** Reasons of the erasure condition, Events and audit records. */
export const ErasureEventReason = {
  /** Erasure began (startedAt written). */
  ErasureStarted: 'ErasureStarted',
  /** One step finished (or, in a dry run, reported what it would do). */
  ErasureStep: 'ErasureStep',
  /** A step failed; it is retried with backoff and nothing after it runs. */
  ErasureStepFailed: 'ErasureStepFailed',
  /** Something with the tenant's name that is not the tenant's was found and left untouched. */
  ErasureForeignObject: 'ErasureForeignObject',
  /** Erasure finished; the receipt is written. */
  Erased: 'Erased',
  /** A dry run reported every step; nothing was deleted. */
  ErasureDryRunDone: 'ErasureDryRunDone',
  /** A real erasure is in progress while the operator runs in dry-run mode: nothing is done. */
  ErasureHeld: 'ErasureHeld',
} as const;

/** What the runner must do next. */
export type ErasurePlan =
  /** No startedAt: erasure has not begun. The runner writes startedAt and the trigger first, then asks again. */
  | { kind: 'notStarted' }
  /** The record is a dry run's and this run is real: the record is replaced and the erasure begins at the first step. */
  | { kind: 'restart'; message: string }
  /** A real erasure is in progress but this run is a dry run: nothing is done or recorded until dry-run mode is off. */
  | { kind: 'held'; message: string }
  /** Run this step (only reporting in a dry run); every earlier step has finished. */
  | { kind: 'step'; step: ErasureStepName; dryRun: boolean }
  /** Every step finished (in a dry run: every step was reported). */
  | { kind: 'done'; dryRun: boolean };

/** Reports whether a recorded step finished: it names a step and has a completedAt that parses. */
function finished(s: TenantStatusLifecycleErasureStepsItem): boolean {
  return (
    (ERASURE_STEPS as readonly string[]).includes(s.name) && typeof s.completedAt === 'string' && !Number.isNaN(Date.parse(s.completedAt))
  );
}

/** Returns the steps the record shows as finished. */
export function finishedSteps(erasure: TenantStatusLifecycleErasure | undefined): Set<ErasureStepName> {
  return new Set((erasure?.steps ?? []).filter(finished).map((s) => s.name));
}

/**
 * Decides the next move from the recorded progress and the mode of this run. A step is next when
 * every earlier step has finished and it has not; a finished step is never named again.
 */
export function planErasure(erasure: TenantStatusLifecycleErasure | undefined, mode: { dryRun: boolean }): ErasurePlan {
  if (!erasure?.startedAt || Number.isNaN(Date.parse(erasure.startedAt))) return { kind: 'notStarted' };
  const recordedDry = erasure.dryRun === true;
  if (recordedDry && !mode.dryRun) {
    // A dry run deleted nothing: none of its steps may count as done for the real erasure.
    return { kind: 'restart', message: 'the recorded erasure was a dry run; the real erasure begins at the first step' };
  }
  const done = finishedSteps(erasure);
  const next = ERASURE_STEPS.find((s) => !done.has(s));
  if (!recordedDry && mode.dryRun) {
    // Once erasure began for real nothing stops it, but a dry-run operator deletes nothing either.
    const where = next ? `resumes at step ${next}` : 'has finished';
    return { kind: 'held', message: `a real erasure is in progress and ${where}; the operator runs in dry-run mode and does nothing` };
  }
  return next ? { kind: 'step', step: next, dryRun: mode.dryRun } : { kind: 'done', dryRun: mode.dryRun };
}

/** Returns the record of an erasure that begins now. */
export function startRecord(startedAt: string, trigger: string, dryRun: boolean): TenantStatusLifecycleErasure {
  return { startedAt, trigger, ...(dryRun ? { dryRun: true } : {}), steps: [] };
}

/** Returns the record with one more finished step (a step recorded before is replaced, never duplicated). */
export function withStep(
  erasure: TenantStatusLifecycleErasure,
  entry: TenantStatusLifecycleErasureStepsItem,
): TenantStatusLifecycleErasure {
  return { ...erasure, steps: [...(erasure.steps ?? []).filter((s) => s.name !== entry.name), entry] };
}

/**
 * Returns whichever of two records of the same erasure shows more progress. The informer cache may
 * lag behind the runner's own last write; the runner's memory of it then wins, so a step just
 * recorded is not run again on a stale view. Records of different erasures (another startedAt or
 * mode) are not compared: the stored one wins.
 */
export function furthest(
  stored: TenantStatusLifecycleErasure | undefined,
  remembered: TenantStatusLifecycleErasure | undefined,
): TenantStatusLifecycleErasure | undefined {
  if (!remembered || !stored) return stored ?? remembered;
  if (stored.startedAt !== remembered.startedAt || (stored.dryRun === true) !== (remembered.dryRun === true)) return stored;
  const a = finishedSteps(stored);
  const b = finishedSteps(remembered);
  return [...a].every((s) => b.has(s)) && b.size > a.size ? remembered : stored;
}

/** A string of at most `max` characters (the CRD limits step messages to 4096). */
export function clip(message: string, max = 4096): string {
  return message.length <= max ? message : `${message.slice(0, max - 1)}…`;
}

/**
 * Returns the instant erasure finished, for the receipt: when the last deleting step (KmsKey)
 * finished. It is taken from the record, not the clock, so a Receipt step retried after a crash
 * writes the same receipt.
 */
export function erasedAtOf(erasure: TenantStatusLifecycleErasure): string | undefined {
  return erasure.steps?.find((s) => s.name === 'KmsKey')?.completedAt;
}

/** The receipt fields each step contributes, kept in status.lifecycle.receipt as the steps finish (the step list has no room for them). */
export type ReceiptPart = Omit<TenantStatusLifecycleReceipt, 'location' | 'erasedAt'>;
