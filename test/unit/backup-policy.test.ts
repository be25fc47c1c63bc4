// The BackupPolicy reconciler: each policy's status counts the tenants that use it (by reference or
// as the configured default) and is written only when it changed; one refused write does not keep
// the other policies' statuses from being written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BackupPolicy, BackupPolicyStatus } from '../../src/api/generated/index.js';
import { reconcilePolicyStatuses } from '../../src/controller/backup-policy.js';
import { computePolicyStatus } from '../../src/controller/policy-status.js';
import { clusterConfig, storedTenant } from '../support/fake-cluster.js';
import { fixturePolicy } from '../support/policy-fixture.js';

const NOW = new Date('2026-11-26T10:00:00Z');

/** The stored policy `name` (generation 1), with `status` if given. */
function policy(name: string, status?: BackupPolicyStatus): BackupPolicy {
  return fixturePolicy({}, {}, { name, generation: 1, ...(status ? { status } : {}) });
}

/** Records the status writes; refuses those for the names in `refuse`. */
function writer(refuse: string[] = []) {
  const written = new Map<string, BackupPolicyStatus>();
  return {
    written,
    async patchPolicyStatus(name: string, status: BackupPolicyStatus): Promise<void> {
      if (refuse.includes(name)) throw new Error(`backuppolicies ${name}: HTTP 422`);
      written.set(name, status);
    },
  };
}

const config = clusterConfig('nginx', {}, { backup: { defaultPolicy: 'nightly' } });
const tenants = [
  storedTenant('acme'),
  storedTenant('globex', { backupPolicyRef: { name: 'weekly' } }),
  storedTenant('initech', { backupPolicyRef: { name: 'weekly' } }),
  // A tenant whose region is not served counts for no policy.
  storedTenant('umbrella', { region: 'ap-south-1', backupPolicyRef: { name: 'weekly' } }),
];

test('each policy counts its tenants (the default policy counts the tenants that name none); statuses are written where they changed', async () => {
  const w = writer();
  await reconcilePolicyStatuses({
    config,
    policies: [policy('nightly'), policy('weekly'), policy('unused')],
    tenants,
    writer: w,
    now: NOW,
  });
  assert.deepEqual([...w.written.keys()].sort(), ['nightly', 'unused', 'weekly']);
  assert.equal(w.written.get('nightly')?.tenants, 1);
  assert.equal(w.written.get('weekly')?.tenants, 2);
  assert.equal(w.written.get('unused')?.tenants, 0);

  // Stored as written: nothing to write again.
  const again = writer();
  const stored = [...w.written].map(([name, status]) => policy(name, status));
  await reconcilePolicyStatuses({ config, policies: stored, tenants, writer: again, now: NOW });
  assert.deepEqual([...again.written.keys()], []);
});

test('a refused write is logged, not thrown, and the other policies are still written', async () => {
  const w = writer(['nightly']);
  await reconcilePolicyStatuses({ config, policies: [policy('nightly'), policy('weekly')], tenants, writer: w, now: NOW });
  assert.deepEqual([...w.written.keys()], ['weekly']);
  assert.deepEqual(w.written.get('weekly'), computePolicyStatus(policy('weekly'), 2, NOW));
});
