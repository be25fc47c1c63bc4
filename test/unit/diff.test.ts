// The write decision behind "zero idle writes": unchanged objects are left alone, hand edits and
// changes of our own desired state are applied.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APPLIED_HASH_ANNOTATION } from '../../src/api/names.js';
import { appliedHashOf, applyReason, canonicalJson, isSubset, manifestHash, withAppliedHash } from '../../src/controller/diff.js';

const desired = withAppliedHash({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'a', namespace: 'n', labels: { x: '1' } },
  data: { k: 'v' },
});

test('canonicalJson ignores key order and undefined values', () => {
  assert.equal(canonicalJson({ b: 1, a: [1, { d: 2, c: undefined }] }), canonicalJson({ a: [1, { d: 2 }], b: 1 }));
  assert.equal(manifestHash({ a: 1, b: 2 }), manifestHash({ b: 2, a: 1 }));
  assert.notEqual(manifestHash({ a: 1 }), manifestHash({ a: 2 }));
});

test('isSubset: extra server fields are fine, our fields must match', () => {
  const cases: [unknown, unknown, boolean][] = [
    [{ a: 1 }, { a: 1, b: 2 }, true],
    [{ a: 1 }, { a: 2 }, false],
    [{ a: { b: 1 } }, { a: { b: 1, c: 3 } }, true],
    [{ a: [{ x: 1 }] }, { a: [{ x: 1, defaulted: true }] }, true],
    [{ a: [{ x: 1 }] }, { a: [{ x: 1 }, { x: 2 }] }, false],
    [{ a: [1, 2] }, { a: [2, 1] }, false],
    [{ a: 'x' }, {}, false],
    [{ a: {} }, { a: null }, false],
    [{ a: undefined }, {}, true],
  ];
  for (const [want, have, expected] of cases)
    assert.equal(isSubset(want, have), expected, `${JSON.stringify(want)} ⊆ ${JSON.stringify(have)}`);
});

test('applyReason: missing, unchanged, drifted by hand, changed by us', () => {
  assert.equal(applyReason(desired, undefined), 'missing');
  const observed = structuredClone(desired) as typeof desired & { metadata: { uid?: string } };
  observed.metadata.uid = 'server-set';
  assert.equal(applyReason(desired, observed), undefined, 'unchanged object needs no write');
  assert.equal(applyReason(desired, { ...observed, data: { k: 'edited' } }), 'drifted');
  const ours = withAppliedHash({ ...desired, metadata: { ...desired.metadata, annotations: {} }, data: { k: 'v2' } });
  assert.equal(applyReason(ours, observed), 'changed');
});

test('a field we stop setting is still seen as a change, through the hash', () => {
  const before = withAppliedHash({ kind: 'X', metadata: { name: 'a', labels: { old: 'yes', keep: 'yes' } } });
  const after = withAppliedHash({ kind: 'X', metadata: { name: 'a', labels: { keep: 'yes' } } });
  assert.ok(isSubset(after, { ...before, metadata: { ...before.metadata, annotations: after.metadata.annotations } }));
  assert.equal(applyReason(after, before), 'changed');
  assert.match(after.metadata.annotations?.[APPLIED_HASH_ANNOTATION] ?? '', /^[0-9a-f]{20}$/);
});

test('appliedHashOf reads the annotation only as a string, from whatever an object read back holds', () => {
  const hash = desired.metadata.annotations[APPLIED_HASH_ANNOTATION];
  assert.equal(appliedHashOf(desired), hash);
  for (const o of [
    undefined,
    null,
    'x',
    {},
    { metadata: null },
    { metadata: {} },
    { metadata: { annotations: null } },
    { metadata: { annotations: { [APPLIED_HASH_ANNOTATION]: 5 } } },
  ]) {
    assert.equal(appliedHashOf(o), undefined, JSON.stringify(o));
  }
  // A hash that is not a string is no hash: the object counts as changed, not as ours and unchanged.
  assert.equal(
    applyReason(desired, { ...desired, metadata: { ...desired.metadata, annotations: { [APPLIED_HASH_ANNOTATION]: 5 } } }),
    'changed',
  );
});
