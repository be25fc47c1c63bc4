// The lifecycle engine, rule by rule and boundary by boundary: 1 ms before, at and after every
// deadline (a step is due at its instant), leap days, a cancellation dated ahead, a cure or a
// conversion before each step, rules that apply together, deletion, erase-now, erasure that already
// began, deletion protection, spec.suspend and bad input. Fixed dates only.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Tenant, TenantSpecLifecycle, TenantStatusLifecycle } from '../../src/api/generated/index.js';
import { evaluate, toStatus } from '../../src/lifecycle/engine.js';
import { formatRfc3339, parseRfc3339 } from '../../src/lifecycle/timestamps.js';
import { DEFAULT_DURATIONS, type LifecycleEvaluation, type LifecyclePhase } from '../../src/lifecycle/types.js';

const DAY = 24 * 3600 * 1000;
const T = '2025-03-01T00:00:00Z';
const T_MS = Date.parse(T);
/** An instant `days` days and `ms` milliseconds after T. */
const after = (days: number, ms = 0) => new Date(T_MS + days * DAY + ms);
const iso = (d: Date) => formatRfc3339(d);

interface Extra {
  suspend?: boolean;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  status?: TenantStatusLifecycle;
}

function tenant(plan: string, lifecycle: TenantSpecLifecycle = {}, extra: Extra = {}): Tenant {
  const metadata: Tenant['metadata'] = {
    name: 'acme',
    creationTimestamp: (extra.creationTimestamp ?? '2024-01-01T00:00:00Z') as unknown as Date,
  };
  if (extra.annotations) metadata.annotations = extra.annotations;
  if (extra.deletionTimestamp) metadata.deletionTimestamp = extra.deletionTimestamp as unknown as Date;
  const t: Tenant = {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Tenant',
    metadata,
    spec: { plan: plan as Tenant['spec']['plan'], region: 'eu-west-1', lifecycle, ...(extra.suspend ? { suspend: true } : {}) },
  };
  if (extra.status) t.status = { lifecycle: extra.status };
  return t;
}

interface Expect {
  phase: LifecyclePhase;
  reason: string;
  eraseAt?: Date | null;
  next?: { phase: LifecyclePhase; at: Date } | null;
  blocked?: string | null;
  problems?: string[];
  since?: Date | null;
}

type Case = [name: string, tenant: Tenant, now: Date, expect: Expect];

const trial = (extra: Partial<TenantSpecLifecycle> = {}, x: Extra = {}) => tenant('trial', { trialEndsAt: T, ...extra }, x);
const cancelled = (extra: Partial<TenantSpecLifecycle> = {}, x: Extra = {}) => tenant('paid', { cancelledAt: T, ...extra }, x);
const failed = (extra: Partial<TenantSpecLifecycle> = {}, x: Extra = {}) => tenant('paid', { paymentFailedAt: T, ...extra }, x);
const free = (extra: Partial<TenantSpecLifecycle> = {}, x: Extra = {}) => tenant('free', { lastActiveAt: T, ...extra }, x);

const cases: Case[] = [
  // Paid in good standing.
  ['paid: Active, nothing due', tenant('paid'), after(1000), { phase: 'Active', reason: 'Paid', eraseAt: null, next: null }],
  ['paid with an old paidAt: still Active', tenant('paid', { paidAt: T }), after(5000), { phase: 'Active', reason: 'Paid', eraseAt: null }],

  // Trial: Suspended at trialEndsAt, Erasing 12 days later.
  [
    'trial 1 ms before its end: Active',
    trial(),
    after(0, -1),
    { phase: 'Active', reason: 'Trial', eraseAt: after(12), next: { phase: 'Suspended', at: after(0) } },
  ],
  [
    'trial at its end: Suspended',
    trial(),
    after(0),
    { phase: 'Suspended', reason: 'TrialEnded', since: after(0), next: { phase: 'Erasing', at: after(12) } },
  ],
  ['trial 1 ms after its end: Suspended', trial(), after(0, 1), { phase: 'Suspended', reason: 'TrialEnded' }],
  ['trial 1 ms before +12d: still Suspended', trial(), after(12, -1), { phase: 'Suspended', reason: 'TrialEnded', eraseAt: after(12) }],
  [
    'trial at +12d: Erasing',
    trial(),
    after(12),
    { phase: 'Erasing', reason: 'TrialEnded', eraseAt: after(12), next: null, since: after(12) },
  ],
  ['trial 1 ms after +12d: Erasing', trial(), after(12, 1), { phase: 'Erasing', reason: 'TrialEnded' }],
  ['trial long before its end', trial(), after(-30), { phase: 'Active', reason: 'Trial', since: null }],

  // Trial converted (plan paid, paidAt before the trial's erase time).
  [
    'converted before the trial ended: Active throughout',
    tenant('paid', { trialEndsAt: T, paidAt: iso(after(-1)) }),
    after(20),
    { phase: 'Active', reason: 'Paid', eraseAt: null, next: null },
  ],
  [
    'converted while Suspended: Active from paidAt',
    tenant('paid', { trialEndsAt: T, paidAt: iso(after(5)) }),
    after(5),
    { phase: 'Active', reason: 'Paid', eraseAt: null, since: after(5) },
  ],
  [
    'converted: 1 ms before paidAt it was Suspended',
    tenant('paid', { trialEndsAt: T, paidAt: iso(after(5)) }),
    after(5, -1),
    { phase: 'Suspended', reason: 'TrialEnded', next: { phase: 'Active', at: after(5) }, eraseAt: null },
  ],
  [
    'converted 1 ms before the erase time: never erased',
    tenant('paid', { trialEndsAt: T, paidAt: iso(after(12, -1)) }),
    after(400),
    { phase: 'Active', reason: 'Paid', eraseAt: null },
  ],
  [
    'paid at exactly the trial erase time: judged as paid (safe)',
    tenant('paid', { trialEndsAt: T, paidAt: iso(after(12)) }),
    after(13),
    { phase: 'Active', reason: 'Paid', eraseAt: null },
  ],
  [
    'plan paid with trialEndsAt but no paidAt: judged as paid (safe)',
    tenant('paid', { trialEndsAt: T }),
    after(30),
    { phase: 'Active', reason: 'Paid', eraseAt: null },
  ],
  [
    'plan still trial with a paidAt: the trial clock runs',
    trial({ paidAt: iso(after(3)) }),
    after(12),
    { phase: 'Erasing', reason: 'TrialEnded' },
  ],

  // Paid, cancelled: Closed at cancelledAt, Erasing 90 days later.
  [
    'cancellation dated ahead: Active until it',
    cancelled(),
    after(-10),
    { phase: 'Active', reason: 'Paid', eraseAt: after(90), next: { phase: 'Closed', at: after(0) } },
  ],
  ['cancelled 1 ms before cancelledAt: Active', cancelled(), after(0, -1), { phase: 'Active', reason: 'Paid' }],
  [
    'cancelled at cancelledAt: Closed',
    cancelled(),
    after(0),
    { phase: 'Closed', reason: 'Cancelled', since: after(0), next: { phase: 'Erasing', at: after(90) } },
  ],
  ['cancelled 1 ms after: Closed', cancelled(), after(0, 1), { phase: 'Closed', reason: 'Cancelled' }],
  ['cancelled 1 ms before +90d: Closed', cancelled(), after(90, -1), { phase: 'Closed', reason: 'Cancelled' }],
  ['cancelled at +90d: Erasing', cancelled(), after(90), { phase: 'Erasing', reason: 'Cancelled', eraseAt: after(90) }],
  ['cancelled 1 ms after +90d: Erasing', cancelled(), after(90, 1), { phase: 'Erasing', reason: 'Cancelled' }],

  // Payment default: Suspended +15d, Closed +90d, Erasing +97d.
  [
    'default 1 ms before +15d: Active',
    failed(),
    after(15, -1),
    { phase: 'Active', reason: 'Paid', eraseAt: after(97), next: { phase: 'Suspended', at: after(15) } },
  ],
  [
    'default at +15d: Suspended',
    failed(),
    after(15),
    { phase: 'Suspended', reason: 'PaymentDefault', next: { phase: 'Closed', at: after(90) } },
  ],
  ['default 1 ms after +15d: Suspended', failed(), after(15, 1), { phase: 'Suspended', reason: 'PaymentDefault' }],
  ['default 1 ms before +90d: Suspended', failed(), after(90, -1), { phase: 'Suspended', reason: 'PaymentDefault' }],
  [
    'default at +90d: Closed',
    failed(),
    after(90),
    { phase: 'Closed', reason: 'PaymentDefault', since: after(90), next: { phase: 'Erasing', at: after(97) } },
  ],
  ['default 1 ms after +90d: Closed', failed(), after(90, 1), { phase: 'Closed', reason: 'PaymentDefault' }],
  ['default 1 ms before +97d: Closed', failed(), after(97, -1), { phase: 'Closed', reason: 'PaymentDefault' }],
  ['default at +97d: Erasing', failed(), after(97), { phase: 'Erasing', reason: 'PaymentDefault', eraseAt: after(97), next: null }],
  ['default 1 ms after +97d: Erasing', failed(), after(97, 1), { phase: 'Erasing', reason: 'PaymentDefault' }],
  ['paidAt equal to paymentFailedAt does not cure', failed({ paidAt: T }), after(97), { phase: 'Erasing', reason: 'PaymentDefault' }],
  [
    'paidAt before paymentFailedAt does not cure',
    failed({ paidAt: iso(after(-3)) }),
    after(15),
    { phase: 'Suspended', reason: 'PaymentDefault' },
  ],

  // Cure before each step.
  [
    'cured on day 10 (before suspension): Active, no step',
    failed({ paidAt: iso(after(10)) }),
    after(200),
    { phase: 'Active', reason: 'Paid', eraseAt: null, next: null },
  ],
  ['cured 1 ms after the failure', failed({ paidAt: iso(after(0, 1)) }), after(97), { phase: 'Active', reason: 'Paid', eraseAt: null }],
  [
    'cured while Suspended: Active at paidAt',
    failed({ paidAt: iso(after(40)) }),
    after(40),
    { phase: 'Active', reason: 'Paid', eraseAt: null, next: null },
  ],
  [
    'cured while Suspended: 1 ms before paidAt still Suspended',
    failed({ paidAt: iso(after(40)) }),
    after(40, -1),
    { phase: 'Suspended', reason: 'PaymentDefault', next: { phase: 'Active', at: after(40) } },
  ],
  ['cured while Closed', failed({ paidAt: iso(after(95)) }), after(96), { phase: 'Active', reason: 'Paid', eraseAt: null }],
  [
    'cured 1 ms before the erase time',
    failed({ paidAt: iso(after(97, -1)) }),
    after(200),
    { phase: 'Active', reason: 'Paid', eraseAt: null },
  ],
  [
    'paid after the erase time (erasure not begun): judged cured (safe)',
    failed({ paidAt: iso(after(100)) }),
    after(101),
    { phase: 'Active', reason: 'Paid', eraseAt: null },
  ],

  // Free: Erasing 60 days after the last activity.
  [
    'free 1 ms before +60d: Active',
    free(),
    after(60, -1),
    { phase: 'Active', reason: 'FreeActive', eraseAt: after(60), next: { phase: 'Erasing', at: after(60) } },
  ],
  ['free at +60d: Erasing', free(), after(60), { phase: 'Erasing', reason: 'Inactive' }],
  ['free 1 ms after +60d: Erasing', free(), after(60, 1), { phase: 'Erasing', reason: 'Inactive' }],
  [
    'free active on day 59 (annotation): kept',
    free({}, { annotations: { 'tenantry.io/last-active-at': iso(after(59)) } }),
    after(60),
    { phase: 'Active', reason: 'FreeActive', eraseAt: after(119) },
  ],
  [
    'free: the later of spec and annotation counts (spec later)',
    free({ lastActiveAt: iso(after(10)) }, { annotations: { 'tenantry.io/last-active-at': T } }),
    after(69),
    { phase: 'Active', reason: 'FreeActive', eraseAt: after(70) },
  ],
  [
    'free without any activity: creation time counts',
    tenant('free', {}, { creationTimestamp: T }),
    after(60),
    { phase: 'Erasing', reason: 'Inactive', eraseAt: after(60) },
  ],
  [
    'free: creation time 1 ms before +60d',
    tenant('free', {}, { creationTimestamp: T }),
    after(60, -1),
    { phase: 'Active', reason: 'FreeActive' },
  ],

  // Leap years: days are 24-hour days, Feb 29 counts.
  [
    'leap year: trial ending 2024-02-20 is erased 2024-03-03',
    tenant('trial', { trialEndsAt: '2024-02-20T00:00:00Z' }),
    new Date('2024-03-03T00:00:00Z'),
    { phase: 'Erasing', reason: 'TrialEnded', eraseAt: new Date('2024-03-03T00:00:00Z') },
  ],
  [
    'leap year: 1 ms before 2024-03-03 still Suspended',
    tenant('trial', { trialEndsAt: '2024-02-20T00:00:00Z' }),
    new Date('2024-03-02T23:59:59.999Z'),
    { phase: 'Suspended', reason: 'TrialEnded' },
  ],
  [
    'leap year: cancelled on Feb 29 2024 is erased 2024-05-29',
    tenant('paid', { cancelledAt: '2024-02-29T12:00:00Z' }),
    new Date('2024-05-29T12:00:00Z'),
    { phase: 'Erasing', reason: 'Cancelled', eraseAt: new Date('2024-05-29T12:00:00Z') },
  ],
  [
    'non-leap year: trial ending 2025-02-20 is erased 2025-03-04',
    tenant('trial', { trialEndsAt: '2025-02-20T00:00:00Z' }),
    new Date('2025-03-04T00:00:00Z'),
    { phase: 'Erasing', reason: 'TrialEnded', eraseAt: new Date('2025-03-04T00:00:00Z') },
  ],
  [
    'offsets: +02:00 is read as UTC two hours earlier',
    tenant('trial', { trialEndsAt: '2025-03-01T02:00:00+02:00' }),
    after(0),
    { phase: 'Suspended', reason: 'TrialEnded', eraseAt: after(12) },
  ],

  // Two rules at once: the furthest phase and the earliest erase time win.
  [
    'cancelled and in default: Closed from the cancellation, erased at the earlier date',
    tenant('paid', { cancelledAt: iso(after(20)), paymentFailedAt: T }),
    after(20),
    { phase: 'Closed', reason: 'Cancelled', eraseAt: after(97) },
  ],
  [
    'default suspends before a later cancellation closes',
    tenant('paid', { cancelledAt: iso(after(20)), paymentFailedAt: T }),
    after(16),
    { phase: 'Suspended', reason: 'PaymentDefault', next: { phase: 'Closed', at: after(20) } },
  ],
  [
    'cancelled early and in default: cancellation erases first',
    tenant('paid', { cancelledAt: T, paymentFailedAt: iso(after(1)) }),
    after(90),
    { phase: 'Erasing', reason: 'Cancelled', eraseAt: after(90) },
  ],
  [
    'cured default but cancelled: the cancellation still erases',
    tenant('paid', { cancelledAt: T, paymentFailedAt: T, paidAt: iso(after(1)) }),
    after(90),
    { phase: 'Erasing', reason: 'Cancelled' },
  ],
  [
    'converted trial later cancelled: cancellation rule',
    tenant('paid', { trialEndsAt: T, paidAt: iso(after(2)), cancelledAt: iso(after(30)) }),
    after(30),
    { phase: 'Closed', reason: 'Cancelled', eraseAt: after(120) },
  ],

  // spec.suspend.
  [
    'suspend: Suspended although paid',
    tenant('paid', {}, { suspend: true }),
    after(0),
    { phase: 'Suspended', reason: 'SuspendedBySpec', eraseAt: null, next: null },
  ],
  [
    'suspend on a cancelled tenant: Closed is further',
    cancelled({}, { suspend: true }),
    after(1),
    { phase: 'Closed', reason: 'Cancelled' },
  ],
  ['suspend on a trial past its erase time: Erasing', trial({}, { suspend: true }), after(12), { phase: 'Erasing', reason: 'TrialEnded' }],
  [
    'suspend on a trial before its end: Suspended, next Erasing',
    trial({}, { suspend: true }),
    after(-1),
    { phase: 'Suspended', reason: 'SuspendedBySpec', next: { phase: 'Erasing', at: after(12) } },
  ],

  // Deletion of the Tenant object.
  [
    'deleted paid tenant: Closed at once, erased after the grace',
    tenant('paid', {}, { deletionTimestamp: T }),
    after(0),
    { phase: 'Closed', reason: 'Deleted', eraseAt: after(90), since: after(0) },
  ],
  [
    'deleted paid tenant: 1 ms before the grace ends',
    tenant('paid', {}, { deletionTimestamp: T }),
    after(90, -1),
    { phase: 'Closed', reason: 'Deleted' },
  ],
  [
    'deleted paid tenant: at the end of the grace',
    tenant('paid', {}, { deletionTimestamp: T }),
    after(90),
    { phase: 'Erasing', reason: 'Deleted' },
  ],
  [
    'deleted trial: erased at its own rule (+12d), not the grace',
    trial({}, { deletionTimestamp: iso(after(-5)) }),
    after(12),
    { phase: 'Erasing', reason: 'TrialEnded', eraseAt: after(12) },
  ],
  [
    'deleted trial before its end: Closed',
    trial({}, { deletionTimestamp: iso(after(-5)) }),
    after(-1),
    { phase: 'Closed', reason: 'Deleted' },
  ],
  [
    'deleted free tenant: its own rule even when later than the grace',
    free({ lastActiveAt: iso(after(50)) }, { deletionTimestamp: T }),
    after(90),
    { phase: 'Closed', reason: 'Deleted', eraseAt: after(110) },
  ],
  [
    'deletion stamped ahead of now (clock skew): Closed at once',
    tenant('paid', {}, { deletionTimestamp: iso(after(1)) }),
    after(0),
    { phase: 'Closed', reason: 'Deleted', eraseAt: after(91) },
  ],

  // erase-now.
  [
    'erase-now: Erasing at once',
    tenant('paid', {}, { annotations: { 'tenantry.io/erase-now': 'TICKET-1' } }),
    after(0),
    { phase: 'Erasing', reason: 'EraseNow', eraseAt: after(0) },
  ],
  [
    'erase-now with an empty value is ignored',
    tenant('paid', {}, { annotations: { 'tenantry.io/erase-now': ' ' } }),
    after(0),
    { phase: 'Active', reason: 'Paid', eraseAt: null },
  ],
  [
    'erase-now under deletion protection: blocked',
    tenant('paid', { deletionProtection: true }, { annotations: { 'tenantry.io/erase-now': 'T-2' } }),
    after(0),
    { phase: 'Active', reason: 'Paid', blocked: 'DeletionProtection', eraseAt: after(0) },
  ],
  [
    'erase-now with invalid input: blocked',
    tenant('trial', {}, { annotations: { 'tenantry.io/erase-now': 'T-3' } }),
    after(0),
    { phase: 'Active', reason: 'InvalidInput', blocked: 'InvalidInput', problems: ['spec.lifecycle.trialEndsAt'] },
  ],

  // Erasure already began.
  [
    'erasure began: Erasing although the spec now says paid',
    tenant('paid', {}, { status: { phase: 'Erasing', reason: 'Cancelled', erasure: { startedAt: T } } }),
    after(1),
    { phase: 'Erasing', reason: 'Cancelled', since: after(0), next: null, blocked: null },
  ],
  [
    'erasure began before protection was set: it goes on',
    tenant('paid', { deletionProtection: true }, { status: { erasure: { startedAt: T, trigger: 'Inactive' } } }),
    after(1),
    { phase: 'Erasing', blocked: null, reason: 'Paid' },
  ],
  [
    'recorded phase Erased: Erased',
    tenant(
      'free',
      {},
      { status: { phase: 'Erased', reason: 'Inactive', erasure: { startedAt: T }, receipt: { erasedAt: iso(after(0, 5000)) } } },
    ),
    after(2),
    { phase: 'Erased', reason: 'Inactive', since: after(0, 5000), next: null },
  ],

  // Deletion protection.
  [
    'protected trial past its erase time: stays Suspended',
    trial({ deletionProtection: true }),
    after(30),
    { phase: 'Suspended', reason: 'TrialEnded', eraseAt: after(12), blocked: 'DeletionProtection', next: null },
  ],
  [
    'protected free tenant past 60 days: stays Active',
    free({ deletionProtection: true }),
    after(61),
    { phase: 'Active', reason: 'FreeActive', eraseAt: after(60), blocked: 'DeletionProtection' },
  ],
  [
    'protected default: Closed at +90d, next null',
    failed({ deletionProtection: true }),
    after(90),
    { phase: 'Closed', reason: 'PaymentDefault', next: null, blocked: 'DeletionProtection' },
  ],
  [
    'protected default before +15d: next Suspended, blocked shown early',
    failed({ deletionProtection: true }),
    after(1),
    { phase: 'Active', reason: 'Paid', next: { phase: 'Suspended', at: after(15) }, blocked: 'DeletionProtection' },
  ],
  [
    'protected paid tenant: nothing scheduled, not blocked',
    tenant('paid', { deletionProtection: true }),
    after(1),
    { phase: 'Active', reason: 'Paid', eraseAt: null, blocked: null },
  ],
  [
    'protected and deleted: Closed, never erased',
    tenant('paid', { deletionProtection: true }, { deletionTimestamp: T }),
    after(365),
    { phase: 'Closed', reason: 'Deleted', blocked: 'DeletionProtection', eraseAt: after(90) },
  ],

  // Bad input: a problem naming the field, never Erasing.
  [
    'trial without trialEndsAt',
    tenant('trial'),
    after(0),
    { phase: 'Active', reason: 'InvalidInput', eraseAt: null, blocked: null, problems: ['spec.lifecycle.trialEndsAt'] },
  ],
  [
    'unparsable trialEndsAt',
    tenant('trial', { trialEndsAt: 'next tuesday' }),
    after(0),
    { phase: 'Active', reason: 'InvalidInput', problems: ['spec.lifecycle.trialEndsAt'] },
  ],
  [
    'a date without time is refused (Date.parse would accept it)',
    tenant('paid', { cancelledAt: '2025-03-01' }),
    after(200),
    { phase: 'Active', reason: 'InvalidInput', problems: ['spec.lifecycle.cancelledAt'] },
  ],
  [
    'a time without offset is refused',
    tenant('paid', { cancelledAt: '2025-03-01T00:00:00' }),
    after(200),
    { phase: 'Active', reason: 'InvalidInput', problems: ['spec.lifecycle.cancelledAt'] },
  ],
  [
    'Feb 29 of a non-leap year is refused',
    tenant('paid', { cancelledAt: '2025-02-29T00:00:00Z' }),
    after(200),
    { phase: 'Active', reason: 'InvalidInput', problems: ['spec.lifecycle.cancelledAt'] },
  ],
  [
    'paymentFailedAt on a free plan',
    free({ paymentFailedAt: T }),
    after(100),
    { phase: 'Active', reason: 'InvalidInput', blocked: 'InvalidInput', eraseAt: after(60), problems: ['spec.lifecycle.paymentFailedAt'] },
  ],
  [
    'cancelledAt on a trial: problem, trial still suspends but never erases',
    trial({ cancelledAt: T }),
    after(20),
    { phase: 'Suspended', reason: 'TrialEnded', blocked: 'InvalidInput', problems: ['spec.lifecycle.cancelledAt'] },
  ],
  [
    'malformed last-active annotation',
    free({}, { annotations: { 'tenantry.io/last-active-at': 'yesterday' } }),
    after(100),
    { phase: 'Active', reason: 'InvalidInput', blocked: 'InvalidInput', problems: ['metadata.annotations["tenantry.io/last-active-at"]'] },
  ],
  ['unknown plan', tenant('gold'), after(0), { phase: 'Active', reason: 'InvalidInput', problems: ['spec.plan'] }],
  [
    'bad paidAt keeps a default from erasing, but it still closes',
    failed({ paidAt: 'soon' }),
    after(120),
    { phase: 'Closed', reason: 'PaymentDefault', blocked: 'InvalidInput', problems: ['spec.lifecycle.paidAt'] },
  ],
  [
    'deleted with invalid input: Closed, never erased',
    tenant('trial', {}, { deletionTimestamp: T }),
    after(400),
    { phase: 'Closed', reason: 'Deleted', blocked: 'InvalidInput', eraseAt: after(90), problems: ['spec.lifecycle.trialEndsAt'] },
  ],
];

function check(evaluation: LifecycleEvaluation, expect: Expect): void {
  assert.equal(evaluation.phase, expect.phase, 'phase');
  assert.equal(evaluation.reason, expect.reason, 'reason');
  if (expect.eraseAt !== undefined)
    assert.equal(evaluation.eraseAt?.toISOString() ?? null, expect.eraseAt?.toISOString() ?? null, 'eraseAt');
  if (expect.next !== undefined)
    assert.deepEqual(
      evaluation.next && { phase: evaluation.next.phase, at: evaluation.next.at.toISOString() },
      expect.next && { phase: expect.next.phase, at: expect.next.at.toISOString() },
      'next',
    );
  if (expect.blocked !== undefined) assert.equal(evaluation.erasureBlocked, expect.blocked, 'erasureBlocked');
  if (expect.since !== undefined) assert.equal(evaluation.since?.toISOString() ?? null, expect.since?.toISOString() ?? null, 'since');
  assert.deepEqual(
    evaluation.problems.map((p) => p.field),
    expect.problems ?? [],
    'problems',
  );
  if (evaluation.problems.length > 0) assert.notEqual(evaluation.phase, 'Erasing', 'invalid input is never Erasing');
}

describe('lifecycle engine: the rule table', () => {
  test('has at least 60 cases', () => assert.ok(cases.length >= 60, `${cases.length} cases`));
  for (const [name, t, now, expect] of cases) test(name, () => check(evaluate(t, now), expect));
});

describe('lifecycle engine: timeline, status and durations', () => {
  test('the payment-default timeline lists every milestone oldest first', () => {
    const e = evaluate(failed(), after(1));
    assert.deepEqual(
      e.timeline.map((s) => [s.phase, s.reason, s.at && iso(s.at)]),
      [
        ['Active', 'Paid', null],
        ['Suspended', 'PaymentDefault', iso(after(15))],
        ['Closed', 'PaymentDefault', iso(after(90))],
        ['Erasing', 'PaymentDefault', iso(after(97))],
      ],
    );
  });

  test('a converted trial: the timeline shows the trial, its end and the conversion', () => {
    const e = evaluate(tenant('paid', { trialEndsAt: T, paidAt: iso(after(5)) }), after(6));
    assert.deepEqual(
      e.timeline.map((s) => [s.phase, s.reason]),
      [
        ['Active', 'Trial'],
        ['Suspended', 'TrialEnded'],
        ['Active', 'Paid'],
      ],
    );
  });

  test('deletion protection removes Erasing from the timeline', () => {
    const e = evaluate(trial({ deletionProtection: true }), after(0));
    assert.deepEqual(
      e.timeline.map((s) => s.phase),
      ['Active', 'Suspended'],
    );
  });

  test('configured durations are used', () => {
    const e = evaluate(trial(), after(3), { ...DEFAULT_DURATIONS, trialEraseDays: 3 });
    assert.equal(e.phase, 'Erasing');
    assert.equal(e.eraseAt?.toISOString(), after(3).toISOString());
  });

  test('toStatus maps every field and leaves erasure and receipt out', () => {
    const status = toStatus(evaluate(trial({ deletionProtection: true }), after(1)));
    assert.deepEqual(status, {
      phase: 'Suspended',
      reason: 'TrialEnded',
      since: T,
      eraseAt: iso(after(12)),
      erasureBlocked: 'DeletionProtection',
    });
    assert.deepEqual(toStatus(evaluate(failed(), after(1))), {
      phase: 'Active',
      reason: 'Paid',
      next: 'Suspended',
      nextAt: iso(after(15)),
      eraseAt: iso(after(97)),
    });
  });

  test('timestamps given as Date objects (client-node, YAML loaders) are read', () => {
    const t = trial();
    t.metadata.deletionTimestamp = after(1);
    assert.equal(evaluate(t, after(2)).reason, 'Deleted');
  });

  test('the evaluation does not depend on anything but its arguments', () => {
    const t = failed({ paidAt: iso(after(40)) });
    assert.deepEqual(evaluate(t, after(39)), evaluate(structuredClone(t), after(39)));
  });
});

describe('strict RFC 3339', () => {
  const valid: [string, string][] = [
    ['2025-01-31T00:00:00Z', '2025-01-31T00:00:00.000Z'],
    ['2025-01-31t00:00:00z', '2025-01-31T00:00:00.000Z'],
    ['2025-01-31T01:30:00+01:30', '2025-01-31T00:00:00.000Z'],
    ['2025-01-30T23:00:00-01:00', '2025-01-31T00:00:00.000Z'],
    ['2024-02-29T12:00:00.5Z', '2024-02-29T12:00:00.500Z'],
    ['2025-01-31T00:00:00.0001Z', '2025-01-31T00:00:00.001Z'],
    ['2025-01-31T00:00:00.123456789Z', '2025-01-31T00:00:00.124Z'],
  ];
  for (const [text, expected] of valid) test(`accepts ${text}`, () => assert.equal(parseRfc3339(text)?.toISOString(), expected));
  const invalid = [
    '2025-01-31',
    '2025-01-31T00:00Z',
    '2025-01-31 00:00:00Z',
    '2025-01-31T00:00:00',
    '2025-02-29T00:00:00Z',
    '2025-13-01T00:00:00Z',
    '2025-04-31T00:00:00Z',
    '2025-01-31T24:00:00Z',
    '2025-01-31T00:60:00Z',
    '2025-01-31T00:00:60Z',
    '2025-01-31T00:00:00+24:00',
    '2025-01-31T00:00:00+0100',
    'Jan 31 2025',
    ' 2025-01-31T00:00:00Z',
  ];
  for (const text of invalid) test(`refuses ${JSON.stringify(text)}`, () => assert.equal(parseRfc3339(text), null));
});
