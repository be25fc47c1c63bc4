// Properties of the lifecycle engine over random tenants and event sequences: erasure is never due
// before the earliest instant a rule allows, a cured or converted account is never erased,
// deletion protection never erases, the phase only moves forward in time unless a payment came
// in, and invalid input is never Erasing. Deterministic: the seed is in every failure message.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Tenant, TenantSpecLifecycle } from '../../src/api/generated/index.js';
import { evaluate } from '../../src/lifecycle/engine.js';
import { formatRfc3339 } from '../../src/lifecycle/timestamps.js';
import { DEFAULT_DURATIONS, LIFECYCLE_PHASES } from '../../src/lifecycle/types.js';
import { seededRandom } from '../support/seeded-random.js';

const SEED = 20251201;
const TENANTS = 4000;
const DAY = 24 * 3600 * 1000;
const BASE = Date.parse('2024-01-01T00:00:00Z');
const d = DEFAULT_DURATIONS;

interface Generated {
  tenant: Tenant;
  /** Instants to evaluate at, ascending. */
  nows: Date[];
}

function generate(random: () => number): Generated {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const maybe = (p: number) => random() < p;
  // Instants within ~300 days, with a millisecond part so that boundaries are hit from both sides.
  const instant = () => new Date(BASE + Math.floor(random() * 300) * DAY + pick([0, 0, 1, -1, Math.floor(random() * DAY)]));
  const stamp = () => formatRfc3339(instant());
  const plan = pick(['trial', 'free', 'paid', 'paid'] as const);
  const lifecycle: TenantSpecLifecycle = {};
  if (plan === 'trial' || maybe(0.3)) lifecycle.trialEndsAt = stamp();
  if (plan === 'paid' && maybe(0.4)) lifecycle.cancelledAt = stamp();
  if (plan === 'paid' && maybe(0.5)) lifecycle.paymentFailedAt = stamp();
  if (maybe(0.5)) lifecycle.paidAt = stamp();
  if (maybe(0.5)) lifecycle.lastActiveAt = stamp();
  if (maybe(0.2)) lifecycle.deletionProtection = true;
  if (maybe(0.05))
    lifecycle[pick(['trialEndsAt', 'cancelledAt', 'paymentFailedAt', 'lastActiveAt'] as const)] = pick([
      '2025-02-30T00:00:00Z',
      'soon',
      '2025-01-01',
    ]);
  if (plan !== 'paid' && maybe(0.05)) lifecycle.paymentFailedAt = stamp();
  const metadata: Tenant['metadata'] = { name: 'acme', creationTimestamp: stamp() as unknown as Date };
  if (maybe(0.3)) metadata.annotations = { 'tenantry.io/last-active-at': maybe(0.9) ? stamp() : 'bad' };
  if (maybe(0.2)) metadata.deletionTimestamp = stamp() as unknown as Date;
  const tenant: Tenant = {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Tenant',
    metadata,
    spec: { plan, region: 'eu-west-1', lifecycle, suspend: maybe(0.2) },
  };
  const nows = Array.from({ length: 12 }, () => new Date(BASE + Math.floor(random() * 450 * DAY))).sort(
    (a, b) => a.getTime() - b.getTime(),
  );
  return { tenant, nows };
}

const ms = (s: string | Date | undefined) => (s === undefined ? undefined : new Date(s).getTime());

/** The earliest instant a rule of MISSION.md allows erasure, computed apart from the engine (loosely: the earliest clock). */
function earliestAllowed(t: Tenant): number {
  const l = t.spec.lifecycle ?? {};
  const candidates: (number | undefined)[] = [
    t.spec.plan === 'trial' ? (ms(l.trialEndsAt) ?? NaN) + d.trialEraseDays * DAY : undefined,
    ms(l.cancelledAt) !== undefined ? ms(l.cancelledAt)! + d.cancelledEraseDays * DAY : undefined,
    ms(l.paymentFailedAt) !== undefined ? ms(l.paymentFailedAt)! + d.paymentEraseDays * DAY : undefined,
    t.metadata.deletionTimestamp !== undefined
      ? ms(t.metadata.deletionTimestamp)! + Math.min(d.deletionGraceDays, d.inactiveEraseDays) * DAY
      : undefined,
  ];
  if (t.spec.plan === 'free') {
    const activity = [
      ms(l.lastActiveAt),
      ms(t.metadata.annotations?.['tenantry.io/last-active-at']),
      ms(t.metadata.creationTimestamp),
    ].filter((x) => x !== undefined && !Number.isNaN(x));
    candidates.push(Math.min(...(activity as number[])) + d.inactiveEraseDays * DAY);
  }
  const valid = candidates.filter((x): x is number => x !== undefined && !Number.isNaN(x));
  return valid.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...valid);
}

/** A paid tenant whose payment default was cured, or whose trial converted, with nothing else that erases. */
function curedOrConverted(t: Tenant): boolean {
  const l = t.spec.lifecycle ?? {};
  if (t.spec.plan !== 'paid' || l.cancelledAt !== undefined || t.metadata.deletionTimestamp !== undefined || ms(l.paidAt) === undefined)
    return false;
  const paid = ms(l.paidAt)!;
  const cured =
    l.paymentFailedAt === undefined || (paid > ms(l.paymentFailedAt)! && paid < ms(l.paymentFailedAt)! + d.paymentEraseDays * DAY);
  const converted = l.trialEndsAt === undefined || paid < ms(l.trialEndsAt)! + d.trialEraseDays * DAY;
  return cured && converted;
}

function forEachCase(check: (g: Generated, seed: number) => void): void {
  for (let i = 0; i < TENANTS; i++) {
    const seed = SEED + i;
    check(generate(seededRandom(seed)), seed);
  }
}

const where = (seed: number, g: Generated, now: Date) => `seed ${seed} at ${now.toISOString()}: ${JSON.stringify(g.tenant)}`;

describe(`lifecycle engine properties (${TENANTS} random tenants, seeds ${SEED}..${SEED + TENANTS - 1})`, () => {
  test('erasure is never due before the earliest instant the rules allow', () => {
    let erasing = 0;
    forEachCase((g, seed) => {
      for (const now of g.nows) {
        const e = evaluate(g.tenant, now);
        if (e.phase !== 'Erasing') continue;
        erasing++;
        assert.ok(now.getTime() >= earliestAllowed(g.tenant), where(seed, g, now));
        assert.ok(e.eraseAt !== null && e.eraseAt.getTime() <= now.getTime(), `eraseAt not reached: ${where(seed, g, now)}`);
      }
    });
    assert.ok(erasing > 1000, `only ${erasing} Erasing evaluations: the generator misses the property`);
  });

  test('a cured or converted account is never erased', () => {
    let checked = 0;
    forEachCase((g, seed) => {
      if (!curedOrConverted(g.tenant)) return;
      checked++;
      for (const now of g.nows) assert.notEqual(evaluate(g.tenant, now).phase, 'Erasing', where(seed, g, now));
    });
    assert.ok(checked > 200, `only ${checked} cured or converted tenants`);
  });

  test('deletion protection never erases, and next is never Erasing', () => {
    forEachCase((g, seed) => {
      if (g.tenant.spec.lifecycle?.deletionProtection !== true) return;
      for (const now of g.nows) {
        const e = evaluate(g.tenant, now);
        assert.ok(e.phase !== 'Erasing' && e.phase !== 'Erased', where(seed, g, now));
        assert.notEqual(e.next?.phase, 'Erasing', where(seed, g, now));
        if (e.eraseAt !== null) assert.equal(e.erasureBlocked, 'DeletionProtection', where(seed, g, now));
      }
    });
  });

  test('the phase only moves forward in time unless a payment came in', () => {
    forEachCase((g, seed) => {
      if (g.tenant.spec.lifecycle?.paidAt !== undefined) return;
      let previous = -1;
      for (const now of g.nows) {
        const rank = LIFECYCLE_PHASES.indexOf(evaluate(g.tenant, now).phase);
        assert.ok(rank >= previous, where(seed, g, now));
        previous = rank;
      }
    });
  });

  test('invalid input is never Erasing, and names its fields', () => {
    let invalid = 0;
    forEachCase((g, seed) => {
      for (const now of g.nows) {
        const e = evaluate(g.tenant, now);
        if (e.problems.length === 0) continue;
        invalid++;
        assert.notEqual(e.phase, 'Erasing', where(seed, g, now));
        assert.ok(
          e.problems.every((p) => /^(spec|metadata)\./.test(p.field)),
          where(seed, g, now),
        );
      }
    });
    assert.ok(invalid > 500, `only ${invalid} invalid evaluations`);
  });

  test('the timeline is oldest first and holds the current phase', () => {
    forEachCase((g, seed) => {
      for (const now of g.nows) {
        const e = evaluate(g.tenant, now);
        const times = e.timeline.map((s) => (s.at === null ? -Infinity : s.at.getTime()));
        assert.ok(
          times.every((x, i) => i === 0 || x > times[i - 1]!),
          where(seed, g, now),
        );
        assert.ok(
          e.timeline.some((s) => s.phase === e.phase && s.reason === e.reason),
          where(seed, g, now),
        );
        if (e.next !== null) assert.ok(e.next.at.getTime() > now.getTime(), where(seed, g, now));
      }
    });
  });
});
