// A seeded fleet of Tenants as the operator's cache holds them, for timing the lifecycle engine:
// the mix of plans and billing events a SaaS fleet has (mostly paid, some cancelled or in payment
// default, trials running, ended or converted, free tenants active or idle, a few suspended or
// protected, some erasing or erased), with the provisioning status and conditions a converged
// tenant carries, so that both the engine and the baseline see objects of a realistic size. As in a
// fleet the operator keeps up with, the tenants past their erase date are those whose status
// records the erasure as begun or done; the others' deadlines are still ahead.
import type { Tenant, TenantSpecPlan, TenantSpecRegion, TenantSpecLifecycle } from '../src/api/generated/index.js';
import { DAY_MS } from '../src/lifecycle/timestamps.js';
import { seededRandom } from '../test/support/seeded-random.js';

const REGIONS: TenantSpecRegion[] = ['us-east-1', 'eu-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'ap-south-1'];

/** Share of each situation in the fleet, in this order (they add up to 1). */
const MIX: Array<[Situation, number]> = [
  ['paid', 0.5],
  ['paidCancelled', 0.06],
  ['paidCancelledAhead', 0.02],
  ['paymentDefault', 0.04],
  ['paymentCured', 0.04],
  ['trialRunning', 0.1],
  ['trialEnded', 0.04],
  ['trialConverted', 0.04],
  ['freeActive', 0.08],
  ['freeIdle', 0.03],
  ['suspended', 0.02],
  ['protected', 0.01],
  ['erasing', 0.01],
  ['erased', 0.01],
];

type Situation =
  | 'paid'
  | 'paidCancelled'
  | 'paidCancelledAhead'
  | 'paymentDefault'
  | 'paymentCured'
  | 'trialRunning'
  | 'trialEnded'
  | 'trialConverted'
  | 'freeActive'
  | 'freeIdle'
  | 'suspended'
  | 'protected'
  | 'erasing'
  | 'erased';

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The plan and spec.lifecycle of one situation, with times drawn around `now`. */
function lifecycleOf(
  s: Situation,
  now: number,
  days: (lo: number, hi: number) => number,
): { plan: TenantSpecPlan; lifecycle: TenantSpecLifecycle } {
  const at = (lo: number, hi: number) => iso(now + days(lo, hi));
  switch (s) {
    case 'paid':
      return { plan: 'paid', lifecycle: {} };
    case 'paidCancelled':
      return { plan: 'paid', lifecycle: { cancelledAt: at(-89, -1) } };
    case 'paidCancelledAhead':
      return { plan: 'paid', lifecycle: { cancelledAt: at(1, 30) } };
    case 'paymentDefault':
      return { plan: 'paid', lifecycle: { paymentFailedAt: at(-96, -1) } };
    case 'paymentCured': {
      const failed = now + days(-60, -20);
      return { plan: 'paid', lifecycle: { paymentFailedAt: iso(failed), paidAt: iso(failed + days(1, 14)) } };
    }
    case 'trialRunning':
      return { plan: 'trial', lifecycle: { trialEndsAt: at(1, 30) } };
    case 'trialEnded':
      return { plan: 'trial', lifecycle: { trialEndsAt: at(-11, -1) } };
    case 'trialConverted': {
      const ends = now + days(-40, -5);
      return { plan: 'paid', lifecycle: { trialEndsAt: iso(ends), paidAt: iso(ends + days(-3, 10)) } };
    }
    case 'freeActive':
      return { plan: 'free', lifecycle: { lastActiveAt: at(-30, 0) } };
    case 'freeIdle':
      return { plan: 'free', lifecycle: { lastActiveAt: at(-59, -40) } };
    case 'suspended':
      return { plan: 'paid', lifecycle: {} };
    case 'protected':
      return { plan: 'paid', lifecycle: { cancelledAt: at(-200, -100), deletionProtection: true } };
    case 'erasing':
    case 'erased':
      return { plan: 'paid', lifecycle: { cancelledAt: at(-100, -91), billingExport: { tables: ['invoices', 'payments'] } } };
  }
}

function pick(r: number): Situation {
  let acc = 0;
  for (const [s, share] of MIX) if (r < (acc += share)) return s;
  return 'paid';
}

/** The status a converged tenant carries (and, for those under erasure, its recorded lifecycle). */
function statusOf(name: string, s: Situation, created: number, now: number): Tenant['status'] {
  const condition = (type: string, reason: string) => ({
    type,
    status: 'True' as const,
    reason,
    lastTransitionTime: iso(created + 60_000),
  });
  const status: NonNullable<Tenant['status']> = {
    phase: 'Ready',
    observedGeneration: 1,
    namespace: `tenant-${name}`,
    url: `https://${name}.tenants.example.com`,
    conditions: [condition('Ready', 'Reconciled'), condition('Reconciled', 'Applied'), condition('LifecycleValid', 'Valid')],
    lifecycle: { phase: 'Active', reason: 'Paid' },
  };
  if (s === 'erasing' || s === 'erased') {
    const started = iso(now - DAY_MS);
    status.lifecycle = {
      phase: s === 'erased' ? 'Erased' : 'Erasing',
      reason: 'Cancelled',
      since: started,
      erasure: { startedAt: started },
    };
  }
  return status;
}

/** Returns `n` Tenants drawn with `seed`, their times around `now`; the same seed gives the same fleet. */
export function generateFleet(n: number, seed: number, now: Date): Tenant[] {
  const random = seededRandom(seed);
  const days = (lo: number, hi: number) => Math.round((lo + random() * (hi - lo)) * DAY_MS);
  const t0 = now.getTime();
  return Array.from({ length: n }, (_, i) => {
    const name = `t${String(i).padStart(5, '0')}`;
    const situation = pick(random());
    const created = t0 + days(-900, -130);
    const { plan, lifecycle } = lifecycleOf(situation, t0, days);
    const tenant: Tenant = {
      apiVersion: 'tenantry.io/v1alpha1',
      kind: 'Tenant',
      metadata: {
        name,
        uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        resourceVersion: String(1000 + i),
        generation: 1,
        // A string on the wire and in the operator's cache (the client library's type says Date).
        creationTimestamp: iso(created) as unknown as Date,
        labels: { 'tenantry.io/plan': plan },
        ...(situation === 'freeActive' && random() < 0.5 ? { annotations: { 'tenantry.io/last-active-at': iso(t0 - days(0, 3)) } } : {}),
      },
      spec: {
        plan,
        region: REGIONS[Math.floor(random() * REGIONS.length)]!,
        database: { engine: random() < 0.7 ? 'postgres' : 'mariadb' },
        lifecycle,
        ...(situation === 'suspended' ? { suspend: true } : {}),
      },
      status: statusOf(name, situation, created, t0),
    };
    return tenant;
  });
}
