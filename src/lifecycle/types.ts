// The vocabulary of the lifecycle engine (P9): phases, reasons, durations and the evaluation the
// engine returns. Shared by the pure engine, the reconciler that enforces it, the erasure steps
// and the admin commands, so that all of them speak of the same things by the same names.

/** Lifecycle phases, in the order a tenant moves through them; a later phase never goes back to an earlier one once erasure began. */
export const LIFECYCLE_PHASES = ['Active', 'Suspended', 'Closed', 'Erasing', 'Erased'] as const;
/** One lifecycle phase (status.lifecycle.phase). */
export type LifecyclePhase = (typeof LIFECYCLE_PHASES)[number];

/** Why a tenant is in its phase (status.lifecycle.reason). */
export const LifecycleReason = {
  /** A paid account in good standing. */
  Paid: 'Paid',
  /** A trial that has not ended yet. */
  Trial: 'Trial',
  /** The trial ended and the tenant did not convert. */
  TrialEnded: 'TrialEnded',
  /** A paid subscription was cancelled. */
  Cancelled: 'Cancelled',
  /** A payment failed and no payment was recorded after it. */
  PaymentDefault: 'PaymentDefault',
  /** A free tenant in use. */
  FreeActive: 'FreeActive',
  /** A free tenant without activity for the configured time. */
  Inactive: 'Inactive',
  /** spec.suspend is true. */
  SuspendedBySpec: 'SuspendedBySpec',
  /** The Tenant object was deleted (kubectl delete, a GitOps prune). */
  Deleted: 'Deleted',
  /** The annotation tenantry.io/erase-now asked for erasure at once. */
  EraseNow: 'EraseNow',
  /** The lifecycle input is invalid; the engine took the safe answer (never erase). */
  InvalidInput: 'InvalidInput',
} as const;
/** One lifecycle reason. */
export type LifecycleReasonName = (typeof LifecycleReason)[keyof typeof LifecycleReason];

/** Why erasure is not happening although a rule made it due (status.lifecycle.erasureBlocked). */
export const ErasureBlock = {
  DeletionProtection: 'DeletionProtection',
  InvalidInput: 'InvalidInput',
} as const;
/** One erasure block. */
export type ErasureBlockName = (typeof ErasureBlock)[keyof typeof ErasureBlock];

/** Annotation the application sets with the time of its last activity (RFC 3339), so activity needs no change of the Git-managed spec. */
export const LAST_ACTIVE_ANNOTATION = 'tenantry.io/last-active-at';
/** Annotation that asks for erasure at once; its value is the ticket or reason, and it is audited. */
export const ERASE_NOW_ANNOTATION = 'tenantry.io/erase-now';
/** Finalizer on every Tenant: deleting the object never takes the data before its erasure date. */
export const LIFECYCLE_FINALIZER = 'tenantry.io/lifecycle';

/**
 * The retention durations, in 24-hour UTC days added to the billing system's timestamps. The
 * defaults are the promise of MISSION.md (P9); the operator config may change them (`lifecycle:`).
 */
export interface LifecycleDurations {
  /** Trial: erased this many days after trialEndsAt (default 12). */
  trialEraseDays: number;
  /** Paid, cancelled: erased this many days after cancelledAt (default 90). */
  cancelledEraseDays: number;
  /** Payment default: suspended this many days after paymentFailedAt (default 15). */
  paymentSuspendDays: number;
  /** Payment default: closed this many days after paymentFailedAt (default 90). */
  paymentCloseDays: number;
  /** Payment default: erased this many days after paymentFailedAt (default 97). */
  paymentEraseDays: number;
  /** Free: erased this many days after the last activity (default 60). */
  inactiveEraseDays: number;
  /** A deleted Tenant no rule erases earlier: erased this many days after its deletion (default 90). */
  deletionGraceDays: number;
}

/** The durations MISSION.md promises. */
export const DEFAULT_DURATIONS: Readonly<LifecycleDurations> = Object.freeze({
  trialEraseDays: 12,
  cancelledEraseDays: 90,
  paymentSuspendDays: 15,
  paymentCloseDays: 90,
  paymentEraseDays: 97,
  inactiveEraseDays: 60,
  deletionGraceDays: 90,
});

/** One milestone of a tenant's timeline: from `at` on, `phase` holds for `reason`. */
export interface TimelineEntry {
  phase: LifecyclePhase;
  reason: LifecycleReasonName;
  /** The instant the phase begins (a step is due at its instant); null for the start of the record. */
  at: Date | null;
}

/** A field of the lifecycle input that is wrong, and why. */
export interface LifecycleProblem {
  /** JSON path of the field, e.g. spec.lifecycle.trialEndsAt. */
  field: string;
  message: string;
}

/** What {@link evaluate} returns for one tenant at one instant. */
export interface LifecycleEvaluation {
  phase: LifecyclePhase;
  reason: LifecycleReasonName;
  /** Since when the phase holds, where the input says (null when it holds since the record began). */
  since: Date | null;
  /** When erasure is (or would be, under deletion protection) due; null when no rule makes it due. */
  eraseAt: Date | null;
  /** The next transition and its instant; null when nothing will change with time alone. */
  next: { phase: LifecyclePhase; at: Date } | null;
  /** Why erasure does not happen although due or scheduled; null otherwise. */
  erasureBlocked: ErasureBlockName | null;
  /** Problems of the input; non-empty means LifecycleValid=False and never Erasing. */
  problems: LifecycleProblem[];
  /** The whole timeline the rules give, oldest first, including the current and future steps. */
  timeline: TimelineEntry[];
}
