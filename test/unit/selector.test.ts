// The label keys of the operator's --tenant-selector, which a Tenant the operator creates copies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectorKeys, shardLabels } from '../../src/controller/selector.js';

test('selectorKeys reads the key of every kind of requirement', () => {
  assert.deepEqual(selectorKeys('shard=eu-1'), ['shard']);
  assert.deepEqual(selectorKeys('tenantry.io/shard==a, tier in (gold,silver),!legacy,env notin (dev, test),team!=x,canary'), [
    'canary',
    'env',
    'legacy',
    'team',
    'tenantry.io/shard',
    'tier',
  ]);
  assert.deepEqual(selectorKeys(''), []);
});

test('shardLabels copies only the labels the selector decides on', () => {
  const labels = { shard: 'eu-1', tier: 'gold', 'argocd.argoproj.io/instance': 'tenants', 'app.kubernetes.io/instance': 'x' };
  assert.deepEqual(shardLabels('shard=eu-1,tier in (gold)', labels), { shard: 'eu-1', tier: 'gold' });
  assert.deepEqual(shardLabels(undefined, labels), {});
  assert.deepEqual(shardLabels('missing', labels), {});
});
