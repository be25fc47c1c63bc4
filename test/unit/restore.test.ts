// The Restore reconciler on the same in-memory cluster as the Tenant reconciler: what it reads from
// the bucket, what it writes (the target tenant, the Job, the status), which Events it sends on the
// source tenant and when it looks again. Every decision itself is the planner's (restore-plan.test.ts);
// these pin down that the reconciler gathers the planner's inputs and carries out its plan. The
// integration and end-to-end tests run the same against a real API server and a real bucket.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventReason } from '../../src/api/conditions.js';
import type { BackupPolicy, Restore, RestoreStatus, Tenant } from '../../src/api/generated/index.js';
import type { BackupObservation } from '../../src/controller/backup-observer.js';
import { reconcileRestore, RESTORE_PENDING_RECHECK_MS, RESTORE_STORE_RECHECK_MS, type RestoreDeps } from '../../src/controller/restore.js';
import { RESTORED_FROM_LABEL } from '../../src/controller/restore-plan.js';
import type { AuditRecord } from '../../src/controller/lifecycle-step.js';
import { APP_NAME, DATABASE_SECRET_NAME, restoreJobName } from '../../src/resources/index.js';
import { clusterConfig, FakeCluster, storedTenant, type Call, type Obj } from '../support/fake-cluster.js';
import { fixturePolicy } from '../support/policy-fixture.js';

const NOW = new Date('2026-11-26T10:00:00Z');
const ID = '20261126T020000Z-a1b2c3';
const PINNED_ID = '20261120T020000Z-0f0f0f';
const RESTORE = 'undo-friday';
const JOB = restoreJobName(RESTORE);

/** The bucket as the operator's backup observer shows it, recording what the reconciler asks. */
class FakeBackups {
  readonly asked: string[] = [];
  observation: Omit<BackupObservation, 'observedAt'> = {
    count: 1,
    newestVerified: { id: ID, startedAt: NOW, completedAt: NOW, storedBytes: 1000, plaintextBytes: 4000, durationSeconds: 60 },
  };
  bytes = 4000;

  async observe(tenant: string, _policy: BackupPolicy, now: Date): Promise<BackupObservation> {
    this.asked.push(`observe ${tenant}`);
    return { ...this.observation, observedAt: now };
  }
  async backupBytes(tenant: string, _policy: BackupPolicy, backupId: string): Promise<number> {
    this.asked.push(`bytes ${tenant} ${backupId}`);
    return this.bytes;
  }
  invalidate(tenant: string): void {
    this.asked.push(`invalidate ${tenant}`);
  }
}

/** The source tenant, backed up under the policy `nightly`, labelled for shard a. */
function source(): Tenant {
  return storedTenant('acme', { backupPolicyRef: { name: 'nightly' } }, { labels: { shard: 'a', 'team.example.com/owner': 'billing' } });
}

function restore(target: Restore['spec']['target'], opts: { backupId?: string; status?: RestoreStatus } = {}): Restore {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Restore',
    metadata: { name: RESTORE, uid: '0b5e2c1a-0000-4000-8000-000000000002', generation: 1 },
    spec: { tenant: 'acme', ...(opts.backupId !== undefined ? { backupId: opts.backupId } : {}), target },
    ...(opts.status ? { status: opts.status } : {}),
  };
}

/**
 * A cluster with the source tenant, its policy and the Restore; `ready` puts the target's credentials
 * and its app held at zero in the cache.
 */
function setup(r: Restore, opts: { ready?: string } = {}) {
  const cluster = new FakeCluster(source());
  cluster.policies.set('nightly', fixturePolicy());
  cluster.restores.set(RESTORE, r);
  if (opts.ready) hold(cluster, opts.ready);
  const backups = new FakeBackups();
  const deps: RestoreDeps = { config: clusterConfig(), view: cluster, writer: cluster, now: () => NOW, backups, tenantSelector: 'shard=a' };
  return { cluster, backups, deps };
}

/** Puts the target's database Secret and its app at zero replicas in the cache, as the target's reconcile does during a restore. */
function hold(cluster: FakeCluster, tenant: string): void {
  const namespace = `tenant-${tenant}`;
  cluster.seed({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace, name: DATABASE_SECRET_NAME } });
  cluster.seed({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace, name: APP_NAME }, spec: { replicas: 0 } });
}

/** Puts the restore Job in the cache with these conditions. */
function job(cluster: FakeCluster, namespace: string, conditions: { type: string; status: string; message?: string }[]): void {
  cluster.seed({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { namespace, name: JOB },
    status: { startTime: '2026-11-26T09:00:00Z', completionTime: '2026-11-26T09:30:00Z', conditions },
  } as Obj);
}

const writes = (calls: Call[]) =>
  calls.filter((c) => c.op !== 'readNamespace' && c.op !== 'describeTerminating').map((c) => `${c.op} ${c.key}`);
const phase = (cluster: FakeCluster) => cluster.restores.get(RESTORE)?.status?.phase;
const reason = (cluster: FakeCluster) => cluster.restores.get(RESTORE)?.status?.conditions?.[0]?.reason;

test('a Restore that is gone or finished: nothing asked of the bucket, nothing written, no tenant to look at', async () => {
  for (const status of [undefined, { phase: 'Succeeded' as const }, { phase: 'Failed' as const }]) {
    const { cluster, backups, deps } = setup(restore({ inPlace: true }, status ? { status } : {}));
    if (!status) cluster.restores.clear();
    assert.deepEqual(await reconcileRestore(RESTORE, deps), {}, String(status?.phase));
    assert.deepEqual(cluster.calls, [], String(status?.phase));
    assert.deepEqual(cluster.events, [], String(status?.phase));
    assert.deepEqual(backups.asked, [], String(status?.phase));
  }
});

test('in place, `latest`, the app still serving: the newest backup is resolved afresh, the Restore waits for the target, looks again soon', async () => {
  const { cluster, backups, deps } = setup(restore({ inPlace: true }));
  cluster.seed({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'tenant-acme', name: DATABASE_SECRET_NAME } });
  cluster.seed({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { namespace: 'tenant-acme', name: APP_NAME },
    spec: { replicas: 2 },
  });
  const result = await reconcileRestore(RESTORE, deps);
  assert.deepEqual(
    result,
    { target: 'acme', requeueAfterMs: RESTORE_PENDING_RECHECK_MS },
    'the target reconciles next (it holds its app at zero)',
  );
  assert.deepEqual(backups.asked, ['invalidate acme', 'observe acme'], 'the cached listing is dropped before asking');
  assert.deepEqual(writes(cluster.calls), [`restoreStatus ${RESTORE}`], 'only the status: no Job while the app serves');
  assert.equal(phase(cluster), 'Pending');
  assert.equal(reason(cluster), 'WaitingForTarget');
  assert.equal(cluster.restores.get(RESTORE)?.status?.backupId, ID);
  assert.deepEqual(cluster.events, []);

  // The same state again: the status is unchanged, so nothing is written; the resolved backup is kept.
  cluster.reset();
  backups.asked.length = 0;
  assert.deepEqual(await reconcileRestore(RESTORE, deps), { target: 'acme', requeueAfterMs: RESTORE_PENDING_RECHECK_MS });
  assert.deepEqual(writes(cluster.calls), []);
  assert.deepEqual(backups.asked, [], 'a resolved backup id is not looked up again');
});

test('in place, the app held at zero: the Job starts, the status says Running, the source is told RestoreStarted', async () => {
  const { cluster, deps } = setup(restore({ inPlace: true }, { backupId: PINNED_ID }), { ready: 'acme' });
  const result = await reconcileRestore(RESTORE, deps);
  assert.deepEqual(result, { target: 'acme' }, 'no timed look: the Job’s events bring the Restore back');
  assert.deepEqual(
    writes(cluster.calls),
    [`apply batch/v1/Job/tenant-acme/${JOB}`, `restoreStatus ${RESTORE}`],
    'no ServiceAccount: the tenant reads its own backups',
  );
  assert.equal(phase(cluster), 'Running');
  assert.equal(cluster.restores.get(RESTORE)?.status?.backupId, PINNED_ID);
  assert.deepEqual(
    cluster.events.map((e) => [e.on, e.type, e.reason, e.message]),
    [['acme', 'Normal', EventReason.RestoreStarted, `Restore ${RESTORE}: restoring backup ${PINNED_ID} into acme`]],
  );
});

test('a restore that starts appends one audit record naming the Restore, its source and backup; a failing trail does not stop it', async () => {
  const { deps } = setup(restore({ inPlace: true }, { backupId: PINNED_ID }), { ready: 'acme' });
  const records: AuditRecord[] = [];
  await reconcileRestore(RESTORE, { ...deps, audit: (r) => void records.push(r) });
  assert.deepEqual(
    records.map((r) => [r.action, r.tenant, r.details]),
    [['Restore', 'acme', { restore: RESTORE, source: 'acme', backupId: PINNED_ID }]],
  );
  const again = setup(restore({ inPlace: true }, { backupId: PINNED_ID }), { ready: 'acme' });
  const failing = async () => {
    throw new Error('archive unreachable');
  };
  await reconcileRestore(RESTORE, { ...again.deps, audit: failing });
  assert.equal(phase(again.cluster), 'Running', 'the restore goes on without its audit record');
});

test('a pinned backup id: the bucket is not listed', async () => {
  const { backups, deps } = setup(restore({ inPlace: true }, { backupId: PINNED_ID }));
  await reconcileRestore(RESTORE, deps);
  assert.deepEqual(backups.asked, []);
});

test('into a new tenant: it is created with the shard labels of the source, then restored into with a ServiceAccount that reads the source’s backups', async () => {
  const { cluster, deps } = setup(restore({ newTenant: 'acme-copy' }));
  assert.deepEqual(await reconcileRestore(RESTORE, deps), { target: 'acme-copy', requeueAfterMs: RESTORE_PENDING_RECHECK_MS });
  assert.deepEqual(writes(cluster.calls), ['createTenant acme-copy', `restoreStatus ${RESTORE}`]);
  const created = cluster.tenant('acme-copy');
  assert.deepEqual(
    created?.metadata.labels,
    { shard: 'a', [RESTORED_FROM_LABEL]: 'acme' },
    'the selector’s keys only, never other labels of the source',
  );
  assert.equal(reason(cluster), 'CreatingTenant');

  // Provisioned and held at zero by its own reconcile: the Job starts in the copy's namespace.
  cluster.reset();
  hold(cluster, 'acme-copy');
  assert.deepEqual(await reconcileRestore(RESTORE, deps), { target: 'acme-copy' });
  const applied = writes(cluster.calls).filter((w) => w.startsWith('apply'));
  assert.equal(applied.length, 2, applied.join(', '));
  assert.match(applied[0] ?? '', /^apply v1\/ServiceAccount\/tenant-acme-copy\//, 'the identity comes before the Job that needs it');
  assert.equal(applied[1], `apply batch/v1/Job/tenant-acme-copy/${JOB}`);
  assert.equal(phase(cluster), 'Running');
  assert.deepEqual(
    cluster.events.map((e) => [e.on, e.reason]),
    [['acme', EventReason.RestoreStarted]],
    'the Event is on the source tenant',
  );
});

test('a target that already exists is not created again (createTenant answers false)', async () => {
  const { cluster, deps } = setup(restore({ newTenant: 'acme-copy' }));
  await reconcileRestore(RESTORE, deps);
  // The cache has not seen the new tenant yet: the planner asks again, the server says it exists.
  cluster.cacheTenants.clear();
  cluster.putTenant(source());
  cluster.reset();
  await reconcileRestore(RESTORE, deps);
  assert.deepEqual(writes(cluster.calls), ['createTenant acme-copy'], 'asked once more; the status is unchanged');
  assert.equal(cluster.serverTenants.size, 2);
});

test('an unreadable bucket: Pending BackupStoreUnreadable, looked at again after a minute, not failed', async () => {
  const { cluster, backups, deps } = setup(restore({ inPlace: true }));
  backups.observation = { count: 0, error: 'AccessDenied: the operator may not list tenantry-backups-eu-west-1' };
  assert.deepEqual(await reconcileRestore(RESTORE, deps), { target: 'acme', requeueAfterMs: RESTORE_STORE_RECHECK_MS });
  assert.equal(phase(cluster), 'Pending');
  assert.equal(reason(cluster), 'BackupStoreUnreadable');
  assert.match(cluster.restores.get(RESTORE)?.status?.conditions?.[0]?.message ?? '', /AccessDenied/);
});

test('the Job completes: Succeeded with the bytes restored, RestoreSucceeded on the source; nothing more to wait for', async () => {
  const running: RestoreStatus = { phase: 'Running', backupId: ID, startTime: '2026-11-26T09:00:00Z', observedGeneration: 1 };
  const { cluster, backups, deps } = setup(restore({ inPlace: true }, { status: running }), { ready: 'acme' });
  job(cluster, 'tenant-acme', [{ type: 'Complete', status: 'True' }]);
  cluster.reset();
  assert.deepEqual(await reconcileRestore(RESTORE, deps), { target: 'acme' }, 'the target reconciles next and releases its app');
  assert.deepEqual(backups.asked, [`bytes acme ${ID}`]);
  assert.deepEqual(writes(cluster.calls), [`restoreStatus ${RESTORE}`], 'no second Job');
  const status = cluster.restores.get(RESTORE)?.status;
  assert.equal(status?.phase, 'Succeeded');
  assert.equal(status?.bytesRestored, 4000);
  assert.equal(status?.durationSeconds, 1800);
  assert.deepEqual(
    cluster.events.map((e) => [e.on, e.type, e.reason, e.message]),
    [['acme', 'Normal', EventReason.RestoreSucceeded, `Restore ${RESTORE}: backup ${ID} restored into acme`]],
  );
});

test('the size of the backup cannot be read: the Restore still succeeds, without bytesRestored', async () => {
  const running: RestoreStatus = { phase: 'Running', backupId: ID, startTime: '2026-11-26T09:00:00Z', observedGeneration: 1 };
  const { cluster, backups, deps } = setup(restore({ inPlace: true }, { status: running }), { ready: 'acme' });
  backups.backupBytes = async () => {
    throw new Error('NoSuchKey');
  };
  job(cluster, 'tenant-acme', [{ type: 'Complete', status: 'True' }]);
  await reconcileRestore(RESTORE, deps);
  assert.equal(phase(cluster), 'Succeeded');
  assert.equal(cluster.restores.get(RESTORE)?.status?.bytesRestored, undefined);
});

test('the Job fails: Failed, a Warning RestoreFailed on the source naming the Job', async () => {
  const running: RestoreStatus = { phase: 'Running', backupId: ID, startTime: '2026-11-26T09:00:00Z', observedGeneration: 1 };
  const { cluster, deps } = setup(restore({ inPlace: true }, { status: running }), { ready: 'acme' });
  job(cluster, 'tenant-acme', [{ type: 'Failed', status: 'True', message: 'BackoffLimitExceeded' }]);
  assert.deepEqual(await reconcileRestore(RESTORE, deps), { target: 'acme' });
  assert.equal(phase(cluster), 'Failed');
  assert.deepEqual(
    cluster.events.map((e) => [e.on, e.type, e.reason]),
    [['acme', 'Warning', EventReason.RestoreFailed]],
  );
  assert.match(cluster.events[0]?.message ?? '', new RegExp(`^Restore ${RESTORE}: Job tenant-acme/${JOB} failed: BackoffLimitExceeded`));
});

test('the source tenant does not exist: Failed, and no Event (there is no tenant to put it on)', async () => {
  const { cluster, backups, deps } = setup(restore({ inPlace: true }));
  cluster.cacheTenants.clear();
  assert.deepEqual(await reconcileRestore(RESTORE, deps), { target: 'acme' });
  assert.equal(phase(cluster), 'Failed');
  assert.equal(reason(cluster), 'TenantNotFound');
  assert.deepEqual(cluster.events, []);
  assert.deepEqual(backups.asked, []);
});

test('a policy whose bucket is in another region: Failed CrossRegionRefused, RestoreFailed on the source', async () => {
  const { cluster, backups, deps } = setup(restore({ inPlace: true }));
  cluster.policies.set('nightly', fixturePolicy({}, { region: 'us-east-1' }));
  await reconcileRestore(RESTORE, deps);
  assert.equal(reason(cluster), 'CrossRegionRefused');
  assert.deepEqual(
    backups.asked,
    ['invalidate acme', 'observe acme'],
    'listed, as today: the planner refuses the region, not the reconciler',
  );
  assert.deepEqual(
    cluster.events.map((e) => [e.type, e.reason]),
    [['Warning', EventReason.RestoreFailed]],
  );
});
