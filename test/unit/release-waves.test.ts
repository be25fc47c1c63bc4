import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WAVE_BUCKETS, waveBucket, waveIndexOf } from '../../src/release/waves.js';

const waves = [
  { name: 'canary', selector: { matchLabels: { canary: 'true' } } },
  { name: 'ten', percent: 10 },
  { name: 'half', percent: 50 },
  { name: 'all', percent: 100 },
];

describe('release waves', () => {
  test('a bucket is fixed per channel and tenant, and within range', () => {
    assert.equal(waveBucket('stable', 'acme'), waveBucket('stable', 'acme'));
    for (let i = 0; i < 200; i++) {
      const b = waveBucket('stable', `t${i}`);
      assert.ok(b >= 0 && b < WAVE_BUCKETS, String(b));
    }
  });

  test('two channels order the same tenants differently', () => {
    const names = Array.from({ length: 50 }, (_, i) => `t${i}`);
    const a = names.map((n) => waveBucket('a', n));
    const b = names.map((n) => waveBucket('b', n));
    assert.notDeepEqual(a, b);
  });

  test('a selector wave claims its tenants before any percent wave', () => {
    assert.equal(waveIndexOf('stable', { name: 'x', labels: { canary: 'true' } }, waves), 0);
  });

  test('percent waves are cumulative and every tenant lands in exactly one wave', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 10_000; i++) {
      const w = waveIndexOf('stable', { name: `tenant-${i}`, labels: {} }, waves);
      counts[w]!++;
    }
    assert.equal(counts[0], 0);
    // 10 %, then 40 %, then 50 % of 10,000 hashed names, within a few standard deviations.
    assert.ok(Math.abs(counts[1]! - 1000) < 150, `ten: ${counts[1]}`);
    assert.ok(Math.abs(counts[2]! - 4000) < 250, `half: ${counts[2]}`);
    assert.ok(Math.abs(counts[3]! - 5000) < 250, `all: ${counts[3]}`);
  });

  test('a tenant no wave claims belongs to the last wave', () => {
    const only = [
      { name: 'canary', selector: { matchLabels: { canary: 'true' } } },
      { name: 'some', percent: 1 },
    ];
    const far = Array.from({ length: 300 }, (_, i) => `n${i}`).find((n) => waveBucket('stable', n) >= 100);
    assert.ok(far);
    assert.equal(waveIndexOf('stable', { name: far, labels: {} }, only), 1);
  });

  test('no waves means one wave of everyone', () => {
    assert.equal(waveIndexOf('stable', { name: 'acme', labels: {} }, []), 0);
  });
});
