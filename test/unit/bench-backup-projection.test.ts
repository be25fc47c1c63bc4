import assert from 'node:assert/strict';
import { test } from 'node:test';
import { projectedRestoreSeconds } from '../../bench/backup-projection.js';

const GiB = 2 ** 30;

test('the fixed cost of a restore is paid once, not once per measured size', () => {
  // 1 GiB in 8 s of which 1 s is fixed: 7 s per GiB, 70 s for 10 GiB, plus the one fixed second.
  assert.equal(projectedRestoreSeconds(10 * GiB, GiB, 8, 1), 71);
  // Without a fixed part the projection is the plain scaling.
  assert.equal(projectedRestoreSeconds(10 * GiB, GiB, 8, 0), 80);
});

test('an unknown or implausible fixed cost scales the whole run (the pessimistic reading)', () => {
  for (const fixed of [NaN, -1, 8, 9]) assert.equal(projectedRestoreSeconds(10 * GiB, GiB, 8, fixed), 80, `fixed ${fixed}`);
});

test('a projection without a measured restore is refused', () => {
  assert.throws(() => projectedRestoreSeconds(10 * GiB, 0, 8, 1), /needs a measured restore/);
  assert.throws(() => projectedRestoreSeconds(10 * GiB, GiB, 0, 0), /needs a measured restore/);
});
