// The memo of desired manifests: one build per tenant generation, bounded to the tenants
// reconciled most recently.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tenant } from '../../src/api/generated/index.js';
import { parseConfig } from '../../src/config.js';
import { DesiredCache } from '../../src/controller/tenant.js';
import { buildContext, isBuildContextError, type BuildContext } from '../../src/resources/index.js';
import { testConfig } from '../support/operator.js';

const CONFIG = parseConfig(testConfig('nginx', 'encrypted'));

function ctx(name: string, generation = 1): BuildContext {
  const tenant: Tenant = {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Tenant',
    metadata: { name, uid: `uid-${name}`, generation },
    spec: { plan: 'paid', region: 'eu-central-1', database: { engine: 'postgres' } },
  };
  const c = buildContext(tenant, CONFIG);
  if (isBuildContextError(c)) throw new Error(c.error);
  return c;
}

test('a tenant is built once per generation, and again when its spec changes', () => {
  const cache = new DesiredCache(4);
  const first = cache.get(ctx('a'));
  assert.equal(cache.get(ctx('a')), first, 'same generation: the memoized manifests');
  assert.ok(first.built.length > 10 && first.pvcs.length === 2);
  const next = cache.get(ctx('a', 2));
  assert.notEqual(next, first, 'a new generation is built anew');
  assert.equal(cache.get(ctx('a', 2)), next);
  assert.equal(cache.size, 1, 'one entry per tenant, not per generation');
});

test('the memo keeps the most recently used tenants and drops the least recently used', () => {
  const cache = new DesiredCache(2);
  const a = cache.get(ctx('a'));
  const b = cache.get(ctx('b'));
  assert.equal(cache.get(ctx('a')), a, 'a hit makes a the most recent');
  cache.get(ctx('c'));
  assert.equal(cache.size, 2);
  assert.equal(cache.get(ctx('a')), a, 'a survived: b was the least recently used');
  const rebuilt = cache.get(ctx('b'));
  assert.notEqual(rebuilt, b, 'b was dropped, so it is built anew');
  assert.deepEqual(rebuilt, b, 'to the same manifests');
  cache.forget('uid-b');
  assert.equal(cache.size, 1);
});
