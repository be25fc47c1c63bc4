// A write still travelling to the cache is not repeated; a delete or a timeout ends that trust.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXPECTATION_TTL_MS, Expectations, isNewer } from '../../src/runtime/expectations.js';

test('a pending write of the same manifest satisfies the next pass until the cache holds it', () => {
  const e = new Expectations(() => 0);
  e.wrote('k', 'h1', '10');
  assert.equal(e.satisfiedBy('k', 'h1'), true);
  assert.equal(e.satisfiedBy('k', 'h2'), false, 'a different manifest must still be written');
  e.observed('k', '9');
  assert.equal(e.satisfiedBy('k', 'h1'), true, 'an older event does not fulfil it');
  e.observed('k', '10');
  assert.equal(e.satisfiedBy('k', 'h1'), false, 'once cached, the cache decides');
  assert.equal(e.size, 0);
});

test('a delete or the TTL ends the expectation', () => {
  let now = 0;
  const e = new Expectations(() => now);
  e.wrote('a', 'h', '1');
  e.deleted('a');
  assert.equal(e.satisfiedBy('a', 'h'), false);
  e.wrote('b', 'h', '2');
  now += EXPECTATION_TTL_MS + 1;
  assert.equal(e.satisfiedBy('b', 'h'), false);
  e.wrote('c', 'h', undefined);
  assert.equal(e.satisfiedBy('c', 'h'), false, 'no resourceVersion, nothing to wait for');
});

test('a watch event that arrives before the write returns fulfils the expectation at once', () => {
  const e = new Expectations(() => 0);
  e.observed('k', '42');
  e.wrote('k', 'h', '42', '42');
  assert.equal(e.satisfiedBy('k', 'h'), false, 'the cache already holds the write');
  e.wrote('k', 'h', '43', '44');
  assert.equal(e.size, 0, 'or something after it');
});

test('a cached copy newer than the write ends the expectation, so a hand edit is repaired', () => {
  const e = new Expectations(() => 0);
  e.wrote('k', 'h', '100');
  assert.equal(e.satisfiedBy('k', 'h', '99'), true, 'the cache still holds the copy before our write');
  assert.equal(e.satisfiedBy('k', 'h', '150'), false, 'someone changed it after our write');
  e.wrote('k', 'h', '200');
  e.observed('k', '250');
  assert.equal(e.size, 0, 'a later event (our own was skipped by a re-list) fulfils it too');
  assert.equal(isNewer('10', '9'), true);
  assert.equal(isNewer('abc', '9'), false, 'non-numeric versions are not ordered');
});
