// Reads the lifecycle facts out of a Tenant: every timestamp parsed strictly, every field that is
// wrong or missing named by its JSON path, so that the engine decides on facts alone and a bad
// field is reported (LifecycleValid=False) instead of guessed.
import type { Tenant } from '../api/generated/index.js';
import { toInstant, type TimestampInput } from './timestamps.js';
import { ERASE_NOW_ANNOTATION, LAST_ACTIVE_ANNOTATION, type LifecycleProblem } from './types.js';

/** The facts of one Tenant the lifecycle rules read; a timestamp that did not parse is absent here and named in `problems`. */
export interface LifecycleFacts {
  plan: string | undefined;
  trialEndsAt?: Date;
  cancelledAt?: Date;
  paymentFailedAt?: Date;
  paidAt?: Date;
  /** The later of spec.lifecycle.lastActiveAt and the last-active annotation. */
  lastActivity?: Date;
  createdAt?: Date;
  deletedAt?: Date;
  suspend: boolean;
  deletionProtection: boolean;
  /** The erase-now annotation's value (ticket or reason) when set and non-empty. */
  eraseNow?: string;
  /** When erasure began (status.lifecycle.erasure.startedAt), or true when only the recorded phase says it began. */
  erasureStartedAt?: Date;
  erasureBegan: boolean;
  erased: boolean;
  erasedAt?: Date;
  /** The reason recorded with the erasure (status), kept once erasure began. */
  recordedReason?: string;
  recordedSince?: Date;
  problems: LifecycleProblem[];
}

const ACTIVITY_FIELDS = new Set([
  'spec.lifecycle.lastActiveAt',
  `metadata.annotations["${LAST_ACTIVE_ANNOTATION}"]`,
  'metadata.creationTimestamp',
]);

type Read = (value: unknown, field: string) => Date | undefined;

function reader(problems: LifecycleProblem[]): Read {
  return (value, field) => {
    if (value === undefined || value === null) return undefined;
    const instant = typeof value === 'string' || value instanceof Date ? toInstant(value as TimestampInput) : null;
    if (instant === null) {
      problems.push({ field, message: `${JSON.stringify(value)} is not an RFC 3339 timestamp (e.g. 2025-01-31T00:00:00Z)` });
      return undefined;
    }
    return instant;
  };
}

function later(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.getTime() >= b.getTime() ? a : b;
}

/** Reads the facts of `tenant`; never throws, whatever the object holds. */
export function readFacts(tenant: Tenant): LifecycleFacts {
  const problems: LifecycleProblem[] = [];
  const read = reader(problems);
  const meta = tenant.metadata ?? {};
  const spec = (tenant.spec ?? {}) as Partial<Tenant['spec']>;
  const lifecycle = spec.lifecycle ?? {};
  const annotations = meta.annotations ?? {};
  const status = tenant.status?.lifecycle;
  const lastActiveAt = read(lifecycle.lastActiveAt, 'spec.lifecycle.lastActiveAt');
  const annotated = read(annotations[LAST_ACTIVE_ANNOTATION], `metadata.annotations["${LAST_ACTIVE_ANNOTATION}"]`);
  const eraseNow = annotations[ERASE_NOW_ANNOTATION];
  const erasureStartedAt = read(status?.erasure?.startedAt, 'status.lifecycle.erasure.startedAt');
  const facts: LifecycleFacts = {
    plan: spec.plan,
    trialEndsAt: read(lifecycle.trialEndsAt, 'spec.lifecycle.trialEndsAt'),
    cancelledAt: read(lifecycle.cancelledAt, 'spec.lifecycle.cancelledAt'),
    paymentFailedAt: read(lifecycle.paymentFailedAt, 'spec.lifecycle.paymentFailedAt'),
    paidAt: read(lifecycle.paidAt, 'spec.lifecycle.paidAt'),
    lastActivity: later(lastActiveAt, annotated),
    createdAt: read(meta.creationTimestamp, 'metadata.creationTimestamp'),
    deletedAt: read(meta.deletionTimestamp, 'metadata.deletionTimestamp'),
    suspend: spec.suspend === true,
    deletionProtection: lifecycle.deletionProtection === true,
    eraseNow: typeof eraseNow === 'string' && eraseNow.trim() !== '' ? eraseNow : undefined,
    erasureStartedAt,
    erasureBegan: erasureStartedAt !== undefined || status?.phase === 'Erasing' || status?.phase === 'Erased',
    erased: status?.phase === 'Erased',
    erasedAt: read(status?.receipt?.erasedAt, 'status.lifecycle.receipt.erasedAt'),
    recordedReason: status?.reason,
    recordedSince: read(status?.since, 'status.lifecycle.since'),
    problems,
  };
  checkPlan(facts, spec, problems);
  return facts;
}

/** The plan-specific checks: a field the plan needs is missing, or one it cannot have is set. */
function checkPlan(facts: LifecycleFacts, spec: Partial<Tenant['spec']>, problems: LifecycleProblem[]): void {
  const lifecycle = spec.lifecycle ?? {};
  switch (facts.plan) {
    case 'trial':
      if (lifecycle.trialEndsAt === undefined) problems.push({ field: 'spec.lifecycle.trialEndsAt', message: 'a trial needs trialEndsAt' });
      break;
    case 'paid':
      break;
    case 'free':
      // Only when nothing was given at all: a given but malformed timestamp is already named.
      if (facts.lastActivity === undefined && facts.createdAt === undefined && !problems.some((p) => ACTIVITY_FIELDS.has(p.field)))
        problems.push({
          field: 'spec.lifecycle.lastActiveAt',
          message: 'a free tenant needs lastActiveAt, the last-active annotation or metadata.creationTimestamp',
        });
      break;
    default:
      problems.push({ field: 'spec.plan', message: `${JSON.stringify(spec.plan ?? null)} is not one of trial, free, paid` });
  }
  if (facts.plan === 'trial' || facts.plan === 'free') {
    for (const field of ['paymentFailedAt', 'cancelledAt'] as const)
      if (lifecycle[field] !== undefined)
        problems.push({ field: `spec.lifecycle.${field}`, message: `a ${facts.plan} plan cannot have ${field} (only a paid plan can)` });
  }
}
