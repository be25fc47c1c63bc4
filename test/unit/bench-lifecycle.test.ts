// The parts of bench:lifecycle that decide its figures without a cluster: the order statistics it
// reports, and the seeded fleet the engine is timed on (reproducible, valid, and as varied as the
// README says).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateFleet } from '../../bench/lifecycle-fleet.js';
import { summarize } from '../../bench/stats.js';
import { evaluate } from '../../src/lifecycle/engine.js';
import { LIFECYCLE_PHASES } from '../../src/lifecycle/types.js';

const AT = new Date('2026-06-15T12:00:00Z');

describe('summarize', () => {
  test('median of an odd count is the middle sample, of an even count the mean of the middle two', () => {
    assert.equal(summarize([5, 1, 3]).median, 3);
    assert.equal(summarize([4, 1, 3, 2]).median, 2.5);
  });

  test('p95 is the nearest rank, min and max the extremes, whatever the order', () => {
    const samples = Array.from({ length: 20 }, (_, i) => 20 - i);
    assert.deepEqual(summarize(samples), { median: 10.5, p95: 19, min: 1, max: 20 });
    assert.equal(summarize([7]).p95, 7);
  });

  test('rounds to the digits asked for, and gives NaN for no samples', () => {
    assert.equal(summarize([1.23456], 1).median, 1.2);
    assert.ok(Number.isNaN(summarize([]).median));
  });
});

describe('generateFleet', () => {
  const fleet = generateFleet(2000, 11, AT);

  test('the same seed gives the same fleet, another seed another one', () => {
    assert.deepEqual(generateFleet(2000, 11, AT), fleet);
    assert.notDeepEqual(generateFleet(2000, 12, AT), fleet);
  });

  test('every tenant has valid lifecycle input and a unique name and uid', () => {
    for (const t of fleet) assert.deepEqual(evaluate(t, AT).problems, [], t.metadata.name);
    assert.equal(new Set(fleet.map((t) => t.metadata.name)).size, fleet.length);
    assert.equal(new Set(fleet.map((t) => t.metadata.uid)).size, fleet.length);
  });

  test('every lifecycle phase occurs, most tenants are Active, and some have erasure blocked by protection', () => {
    const phases = new Map<string, number>();
    let blocked = 0;
    for (const t of fleet) {
      const e = evaluate(t, AT);
      phases.set(e.phase, (phases.get(e.phase) ?? 0) + 1);
      if (e.erasureBlocked !== null) blocked++;
    }
    for (const p of LIFECYCLE_PHASES) assert.ok((phases.get(p) ?? 0) > 0, `no tenant is ${p}`);
    assert.ok(phases.get('Active')! > fleet.length / 2);
    assert.ok(blocked > 0);
  });

  test('a tenant is Erasing or Erased only where its status records the erasure (the operator keeps up)', () => {
    for (const t of fleet) {
      const { phase } = evaluate(t, AT);
      if (phase === 'Erasing' || phase === 'Erased') assert.ok(t.status?.lifecycle?.erasure?.startedAt, `${t.metadata.name} is ${phase}`);
    }
  });
});
