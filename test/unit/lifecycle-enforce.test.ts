// The Tenant reconciler enforcing the lifecycle (P9) on the in-memory cluster: the finalizer, what
// each phase does to the tenant's objects, the final backup before a Closed tenant's database stops,
// transitions (Event, audit record), the requeue at the next transition, and that an Erased tenant
// is never provisioned again. The engine itself is injected: each test states the evaluation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cond, EventReason, Reason } from '../../src/api/conditions.js';
import type { Tenant, TenantStatus } from '../../src/api/generated/index.js';
import type { OperatorConfig } from '../../src/config.js';
import {
  actorOf,
  enforcedPhase,
  finalBackupJobName,
  lifecycleManagedFields,
  MAX_TIMER_MS,
  requeueForTransition,
  type AuditRecord,
  type ErasureRunner,
} from '../../src/controller/lifecycle-step.js';
import { recordLifecycleMetrics } from '../../src/controller/lifecycle-metrics.js';
import { reconcileTenant, type ReconcileDeps } from '../../src/controller/tenant.js';
import { lifecycleNextTransitionTimestamp } from '../../src/metrics.js';
import { LIFECYCLE_FINALIZER, type LifecycleEvaluation, type LifecyclePhase, type LifecycleReasonName } from '../../src/lifecycle/types.js';
import { clusterConfig, FakeCluster, storedTenant, type Obj } from '../support/fake-cluster.js';
import { fixturePolicy } from '../support/policy-fixture.js';

const NOW = new Date('2025-06-01T12:00:00Z');
const NS = 'tenant-acme';
const STS = (c: FakeCluster) => [...c.server.values()].find((o) => o.kind === 'StatefulSet');
const DEPLOY = (c: FakeCluster) => [...c.server.values()].find((o) => o.kind === 'Deployment');
const CRON = (c: FakeCluster) => [...c.server.values()].find((o) => o.kind === 'CronJob');
const JOBS = (c: FakeCluster) => [...c.server.values()].filter((o) => o.kind === 'Job');
const spec = (o: Obj | undefined) => o?.['spec'] as { replicas?: number; suspend?: boolean } | undefined;
const condition = (s: TenantStatus | undefined, type: string) => s?.conditions?.find((c) => c.type === type);

/** An evaluation as the engine returns it; only what a test names differs from Active/Paid with nothing ahead. */
function evaluation(phase: LifecyclePhase, reason: LifecycleReasonName, more: Partial<LifecycleEvaluation> = {}): LifecycleEvaluation {
  return { phase, reason, since: null, eraseAt: null, next: null, erasureBlocked: null, problems: [], timeline: [], ...more };
}

const config = (): OperatorConfig => clusterConfig('nginx', {}, { backup: { defaultPolicy: 'nightly' } });

interface Harness {
  cluster: FakeCluster;
  audits: AuditRecord[];
  erasures: LifecycleEvaluation[];
  /** The evaluation the injected engine returns; tests change it between passes. */
  ev: { current: LifecycleEvaluation };
  run: () => Promise<{ requeueAfterMs?: number; writes: number }>;
}

function harness(
  t: Tenant = storedTenant(),
  ev: LifecycleEvaluation = evaluation('Active', 'Paid'),
  extra: Partial<ReconcileDeps> = {},
): Harness {
  const cluster = new FakeCluster(t);
  cluster.policies.set('nightly', fixturePolicy());
  const audits: AuditRecord[] = [];
  const erasures: LifecycleEvaluation[] = [];
  const erasure: ErasureRunner = {
    run: async (_t, e) => {
      erasures.push(e);
      return { erased: false, requeueAfterMs: 30_000 };
    },
  };
  const box = { current: ev };
  let n = 0;
  const deps: ReconcileDeps = {
    config: config(),
    view: cluster,
    writer: cluster,
    now: () => NOW,
    newPassword: () => `pw-${++n}`,
    evaluateLifecycle: () => box.current,
    erasure,
    audit: (r) => void audits.push(r),
    ...extra,
  };
  return { cluster, audits, erasures, ev: box, run: () => reconcileTenant('acme', deps) };
}

/** Marks a Job on the server (and in the cache) with a true condition of `type` (Complete, Failed). */
function finishJob(cluster: FakeCluster, type: 'Complete' | 'Failed'): void {
  const job = JOBS(cluster)[0];
  assert.ok(job, 'a Job exists');
  cluster.edit(`batch/v1/Job/${NS}/${job.metadata?.name ?? ''}`, (o) => {
    o['status'] = { conditions: [{ type, status: 'True' }], ...(type === 'Complete' ? { completionTime: '2025-06-01T12:05:00Z' } : {}) };
  });
}

test('the finalizer is added before anything is provisioned, as a metadata change of its own', async () => {
  const h = harness();
  await h.run();
  const first = h.cluster.writes()[0];
  assert.deepEqual(first && { op: first.op, key: first.key }, { op: 'finalizers', key: 'acme' });
  assert.deepEqual(h.cluster.serverTenants.get('tenant/acme')?.metadata.finalizers, [LIFECYCLE_FINALIZER]);
  assert.equal(h.cluster.serverTenants.get('tenant/acme')?.metadata.generation, 1, 'the spec is untouched');
  assert.ok(h.cluster.server.has(`v1/Namespace//${NS}`), 'then the tenant is provisioned');
  h.cluster.reset();
  await h.run();
  assert.equal(h.cluster.writes().length, 0, 'a second pass adds nothing');
});

test('Active: status.lifecycle and LifecycleValid=True; a new tenant starting Active sends no lifecycle Event and no audit', async () => {
  const h = harness();
  await h.run();
  const lc = h.cluster.status()?.lifecycle;
  assert.equal(lc?.phase, 'Active');
  assert.equal(lc?.reason, 'Paid');
  assert.equal(condition(h.cluster.status(), Cond.LifecycleValid)?.status, 'True');
  assert.deepEqual(
    h.cluster.events.filter((e) => e.reason === 'Active'),
    [],
  );
  assert.deepEqual(h.audits, []);
  assert.equal(spec(STS(h.cluster))?.replicas, 1);
  assert.equal(spec(DEPLOY(h.cluster))?.replicas, 2);
});

test('Suspended: app at zero, no route, database and backups go on; one Event and one audit record naming the billing system', async () => {
  const t = storedTenant(
    'acme',
    {},
    {
      managedFields: [
        { manager: 'kubectl', operation: 'Update', time: new Date('2025-01-01T00:00:00Z'), fieldsV1: { 'f:spec': { 'f:region': {} } } },
        { manager: 'billing', operation: 'Update', time: new Date('2025-05-01T00:00:00Z'), fieldsV1: { 'f:spec': { 'f:lifecycle': {} } } },
      ],
    },
  );
  const eraseAt = new Date('2025-06-13T00:00:00Z');
  const h = harness(t, evaluation('Active', 'Trial'));
  await h.run();
  h.cluster.reset();
  h.ev.current = evaluation('Suspended', 'TrialEnded', {
    since: new Date('2025-06-01T00:00:00Z'),
    eraseAt,
    next: { phase: 'Erasing', at: eraseAt },
  });
  await h.run();
  assert.equal(spec(DEPLOY(h.cluster))?.replicas, 0);
  assert.ok(![...h.cluster.server.values()].some((o) => o.kind === 'Ingress'), 'no route');
  assert.equal(spec(STS(h.cluster))?.replicas, 1, 'the database keeps running');
  assert.notEqual(spec(CRON(h.cluster))?.suspend, true, 'backups go on');
  const lc = h.cluster.status()?.lifecycle;
  assert.deepEqual(
    { phase: lc?.phase, reason: lc?.reason, since: lc?.since, next: lc?.next, nextAt: lc?.nextAt, eraseAt: lc?.eraseAt },
    {
      phase: 'Suspended',
      reason: 'TrialEnded',
      since: '2025-06-01T00:00:00Z',
      next: 'Erasing',
      nextAt: '2025-06-13T00:00:00Z',
      eraseAt: '2025-06-13T00:00:00Z',
    },
  );
  const events = h.cluster.events.filter((e) => e.reason === 'Suspended');
  assert.equal(events.length, 1);
  assert.match(events[0]?.message ?? '', /TrialEnded.*2025-06-13T00:00:00Z/);
  assert.equal(h.audits.length, 1);
  assert.deepEqual(
    { action: h.audits[0]?.action, actor: h.audits[0]?.actor, tenant: h.audits[0]?.tenant, at: h.audits[0]?.at },
    { action: 'Suspend', actor: 'billing', tenant: 'acme', at: '2025-06-01T12:00:00Z' },
  );
  h.cluster.reset();
  await h.run();
  assert.equal(h.cluster.events.length, 0, 'no second Event for the same phase');
  assert.equal(h.audits.length, 1, 'no second audit record');
  // Resuming (a conversion) brings the app back and is audited as Resume.
  h.ev.current = evaluation('Active', 'Paid');
  await h.run();
  assert.equal(spec(DEPLOY(h.cluster))?.replicas, 2);
  assert.equal(h.audits.at(-1)?.action, 'Resume');
});

test('Closed: one final backup Job from the CronJob template, then the database stops and the CronJob is suspended', async () => {
  const h = harness();
  await h.run();
  h.ev.current = evaluation('Closed', 'Cancelled', { since: new Date('2025-06-01T00:00:00Z') });
  h.cluster.reset();
  await h.run();
  const jobs = JOBS(h.cluster);
  assert.equal(jobs.length, 1, 'one final backup Job');
  const name = finalBackupJobName(storedTenant(), '2025-06-01T00:00:00Z');
  assert.equal(jobs[0]?.metadata?.name, name, 'named for this closure');
  const template = (CRON(h.cluster)?.['spec'] as { jobTemplate: { spec: unknown } }).jobTemplate.spec;
  assert.deepEqual(jobs[0]?.['spec'], template, 'the CronJob template');
  assert.equal(spec(STS(h.cluster))?.replicas, 1, 'the database runs until the final backup succeeded');
  assert.equal(condition(h.cluster.status(), Cond.FinalBackupTaken)?.status, 'False');
  assert.equal(h.cluster.status()?.phase, 'Closed');
  assert.equal(h.audits.at(-1)?.action, 'Close');

  // Still running (a restart, a resync): no second Job.
  h.cluster.reset();
  await h.run();
  assert.equal(h.cluster.calls.filter((c) => c.op === 'create').length, 0);
  assert.equal(JOBS(h.cluster).length, 1);
  assert.equal(spec(STS(h.cluster))?.replicas, 1);

  finishJob(h.cluster, 'Complete');
  await h.run();
  assert.equal(spec(STS(h.cluster))?.replicas, 0, 'the database stops after the final backup');
  assert.equal(spec(CRON(h.cluster))?.suspend, true, 'nightly backups stop');
  assert.equal(spec(DEPLOY(h.cluster))?.replicas, 0);
  const taken = condition(h.cluster.status(), Cond.FinalBackupTaken);
  assert.equal(taken?.status, 'True');
  assert.match(taken?.message ?? '', /2025-06-01T12:05:00Z/);
  assert.equal(condition(h.cluster.status(), Cond.DatabaseReady)?.reason, Reason.StoppedByLifecycle);
  assert.ok(![...h.cluster.calls].some((c) => c.op === 'delete'), 'nothing deleted: data and backups are kept');

  // The Job pruned by someone, the operator restarted: FinalBackupTaken stands, no second backup, the database stays stopped.
  h.cluster.server.delete(`batch/v1/Job/${NS}/${name}`);
  h.cluster.sync();
  h.cluster.reset();
  await h.run();
  assert.equal(h.cluster.calls.filter((c) => c.op === 'create').length, 0);
  assert.equal(spec(STS(h.cluster))?.replicas, 0);
});

test('Closed: a failed final backup is reported once and retried; the database never stops without it', async () => {
  const h = harness();
  await h.run();
  h.ev.current = evaluation('Closed', 'Cancelled', { since: new Date('2025-06-01T00:00:00Z') });
  await h.run();
  finishJob(h.cluster, 'Failed');
  h.cluster.reset();
  const r = await h.run();
  const warnings = h.cluster.events.filter((e) => e.reason === EventReason.FinalBackupFailed);
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]?.type, 'Warning');
  assert.equal(condition(h.cluster.status(), Cond.FinalBackupTaken)?.reason, Reason.FinalBackupFailed);
  assert.equal(spec(STS(h.cluster))?.replicas, 1);
  assert.equal(JOBS(h.cluster).length, 0, 'the failed Job is removed so it can run again');
  assert.ok(r.requeueAfterMs !== undefined && r.requeueAfterMs <= 60_000, 'looked at again soon');
  h.cluster.reset();
  await h.run();
  assert.equal(JOBS(h.cluster).length, 1, 'retried');
  assert.equal(h.cluster.events.filter((e) => e.reason === EventReason.FinalBackupFailed).length, 0, 'not announced again');
  assert.equal(spec(STS(h.cluster))?.replicas, 1);
});

test('Closed without a usable backup policy: the database keeps running and the status says why', async () => {
  const h = harness();
  h.cluster.policies.clear();
  await h.run();
  h.ev.current = evaluation('Closed', 'Cancelled');
  await h.run();
  assert.equal(spec(STS(h.cluster))?.replicas, 1);
  assert.equal(condition(h.cluster.status(), Cond.FinalBackupTaken)?.reason, Reason.FinalBackupImpossible);
  assert.equal(JOBS(h.cluster).length, 0);
});

test('Erasing: app and database at zero, no route, CronJob suspended, and the erasure runner called with the evaluation', async () => {
  const h = harness();
  await h.run();
  const ev = evaluation('Erasing', 'TrialEnded', { eraseAt: new Date('2025-06-01T00:00:00Z') });
  h.ev.current = ev;
  h.cluster.reset();
  const r = await h.run();
  assert.equal(spec(STS(h.cluster))?.replicas, 0);
  assert.equal(spec(DEPLOY(h.cluster))?.replicas, 0);
  assert.equal(spec(CRON(h.cluster))?.suspend, true);
  assert.ok(![...h.cluster.server.values()].some((o) => o.kind === 'Ingress'));
  assert.deepEqual(h.erasures, [ev]);
  assert.equal(r.requeueAfterMs, 30_000, "the runner's requeue");
  assert.ok(!h.cluster.calls.some((c) => c.op === 'delete' && c.kind === 'Namespace'), 'the reconciler deletes nothing itself');
  assert.equal(h.audits.at(-1)?.action, 'Erase');
  const ev2 = h.cluster.events.find((e) => e.reason === 'Erasing');
  assert.equal(ev2?.type, 'Warning');
  // The runner deleted the namespace: it is not created again.
  for (const k of [...h.cluster.server.keys()]) if (k.includes(`/${NS}/`) || k.endsWith(`//${NS}`)) h.cluster.server.delete(k);
  h.cluster.sync();
  h.cluster.reset();
  await h.run();
  assert.equal(h.cluster.calls.filter((c) => c.op === 'apply' || c.op === 'create').length, 0, 'nothing provisioned while erasing');
});

test('the erasure runner starts from the status the pass wrote: phase Erasing with its reason, not the Active one read before', async () => {
  const seen: (TenantStatus | undefined)[] = [];
  const h = harness(storedTenant(), evaluation('Active', 'Trial'), {
    erasure: {
      run: async (t) => {
        seen.push(t.status);
        return { erased: false, requeueAfterMs: 30_000 };
      },
    },
  });
  await h.run();
  assert.equal(h.cluster.status()?.lifecycle?.reason, 'Trial');
  h.ev.current = evaluation('Erasing', 'TrialEnded', { eraseAt: new Date('2025-06-01T00:00:00Z') });
  await h.run();
  assert.equal(seen.length, 1);
  assert.equal(seen[0]?.lifecycle?.phase, 'Erasing');
  assert.equal(seen[0]?.lifecycle?.reason, 'TrialEnded');
  assert.equal(seen[0]?.lifecycle?.eraseAt, '2025-06-01T00:00:00Z');
  assert.deepEqual(seen[0], h.cluster.status(), 'the status as just written');
});

test('Erased: nothing is provisioned again, the status alone is written, and the finalizer goes', async () => {
  const t = storedTenant('acme', {}, { finalizers: [LIFECYCLE_FINALIZER] });
  t.status = { lifecycle: { phase: 'Erased', reason: 'Cancelled', receipt: { erasedAt: '2025-05-01T00:00:00Z' } as never } };
  // Even if the engine now judges the tenant Active (a GitOps tool re-applied an old file), it stays Erased.
  const h = harness(t, evaluation('Active', 'Paid'));
  await h.run();
  assert.deepEqual(
    h.cluster.writes().map((c) => c.op),
    ['finalizers', 'status'],
  );
  assert.equal(h.cluster.server.size, 0, 'no namespace, nothing applied');
  assert.equal(h.cluster.status()?.lifecycle?.phase, 'Erased');
  assert.equal(h.cluster.status()?.phase, 'Erased');
  assert.deepEqual(h.cluster.status()?.lifecycle?.receipt, { erasedAt: '2025-05-01T00:00:00Z' }, 'the receipt is kept');
  assert.deepEqual(h.cluster.serverTenants.get('tenant/acme')?.metadata.finalizers, []);
});

test('the erasure runner reporting erased: the tenant is looked at again within a second', async () => {
  const h = harness(storedTenant(), evaluation('Erasing', 'EraseNow'), {
    erasure: { run: async () => ({ erased: true }) },
  });
  const r = await h.run();
  assert.equal(r.requeueAfterMs, 1000);
  assert.equal(h.audits.at(-1)?.action, 'EraseNow');
});

test('a deleted Tenant keeps its data: finalizer held, only access removed, lifecycle Closed/Deleted, audited as a deletion request', async () => {
  const h = harness();
  await h.run();
  const before = new Set(h.cluster.server.keys());
  const stored = h.cluster.serverTenants.get('tenant/acme')!;
  stored.metadata.deletionTimestamp = new Date('2025-06-01T11:00:00Z');
  h.cluster.putTenant(stored);
  const eraseAt = new Date('2025-08-30T11:00:00Z');
  h.ev.current = evaluation('Closed', 'Deleted', { eraseAt, next: { phase: 'Erasing', at: eraseAt } });
  h.cluster.reset();
  await h.run();
  assert.deepEqual(h.cluster.serverTenants.get('tenant/acme')?.metadata.finalizers, [LIFECYCLE_FINALIZER]);
  // Access ends (the route goes, as for spec.suspend); everything that holds data or credentials stays.
  const deleted = h.cluster.calls.filter((c) => c.op === 'delete').map((c) => c.kind);
  // What a suspended tenant does without: its route, the route's header ConfigMap and the app's disruption budget.
  assert.deepEqual(deleted.sort(), ['ConfigMap', 'Ingress', 'PodDisruptionBudget']);
  const data = new Set(['Namespace', 'StatefulSet', 'PersistentVolumeClaim', 'Secret', 'CronJob', 'Deployment']);
  for (const k of before) if (data.has(k.split('/').at(-3) ?? '')) assert.ok(h.cluster.server.has(k), `${k} survives`);
  assert.ok([...before].filter((k) => /\/(StatefulSet|Secret|PersistentVolumeClaim)\//.test(k)).length >= 4, 'precondition');
  assert.equal(h.cluster.status()?.lifecycle?.phase, 'Closed');
  assert.equal(h.cluster.status()?.lifecycle?.reason, 'Deleted');
  assert.equal(h.audits.at(-1)?.action, 'DeletionRequested');
  assert.equal(h.audits.at(-1)?.actor, 'unknown');
});

test('a deleted Tenant that never provisioned anything is released at once; one with traces of data is not', async () => {
  const deleted = (status?: TenantStatus) => {
    const t = storedTenant('acme', {}, { finalizers: [LIFECYCLE_FINALIZER], deletionTimestamp: new Date('2025-06-01T11:00:00Z') });
    if (status) t.status = status;
    return t;
  };
  const closed = evaluation('Closed', 'Deleted', { eraseAt: new Date('2025-08-30T11:00:00Z') });
  // Nothing ever made: gone in one write.
  const never = harness(deleted({ phase: 'Pending' }), closed);
  await never.run();
  assert.deepEqual(
    never.cluster.writes().map((c) => c.op),
    ['finalizers'],
  );
  assert.equal(never.cluster.serverTenants.has('tenant/acme'), false);
  // A namespace conflict (someone else's namespace) made nothing of ours either.
  const conflict = harness(deleted(), closed);
  conflict.cluster.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await conflict.run();
  assert.equal(conflict.cluster.serverTenants.has('tenant/acme'), false);
  assert.ok(conflict.cluster.server.has(`v1/Namespace//${NS}`), 'the foreign namespace is untouched');
  // Traces: a backup, a database that was made, a namespace once ready — each keeps the finalizer.
  const cond = (type: string, status: 'True' | 'False', reason: string) => ({ type, status, reason });
  const traces: [string, TenantStatus][] = [
    ['a backup', { lastBackup: { id: 'b1', time: '2025-05-01T02:00:00Z' } as never }],
    ['a database made', { conditions: [cond(Cond.DatabaseReady, 'False', Reason.PodsNotReady)] }],
    ['a namespace once ready', { conditions: [cond(Cond.NamespaceReady, 'True', Reason.NamespaceActive)] }],
    ['a final backup', { conditions: [cond(Cond.FinalBackupTaken, 'True', Reason.FinalBackupSucceeded)] }],
  ];
  for (const [what, status] of traces) {
    const h = harness(deleted(status), closed);
    await h.run();
    assert.deepEqual(h.cluster.serverTenants.get('tenant/acme')?.metadata.finalizers, [LIFECYCLE_FINALIZER], what);
    assert.ok(!h.cluster.server.has(`v1/Namespace//${NS}`), `${what}: no namespace is created for a deleted tenant`);
  }
  // Our namespace exists (the cache may lag: the API server is asked).
  const h = harness(storedTenant(), evaluation('Active', 'Paid'));
  await h.run();
  const t = h.cluster.serverTenants.get('tenant/acme')!;
  t.metadata.deletionTimestamp = new Date('2025-06-01T11:00:00Z');
  t.status = { phase: 'Pending' };
  h.cluster.putTenant(t);
  h.cluster.cache.delete(`v1/Namespace//${NS}`);
  h.ev.current = closed;
  await h.run();
  assert.deepEqual(h.cluster.serverTenants.get('tenant/acme')?.metadata.finalizers, [LIFECYCLE_FINALIZER], 'our namespace on the server');
});

test('deleting an Erased Tenant just removes it', async () => {
  const t = storedTenant('acme', {}, { finalizers: [LIFECYCLE_FINALIZER], deletionTimestamp: new Date('2025-06-01T11:00:00Z') });
  t.status = { lifecycle: { phase: 'Erased', reason: 'Deleted' }, lastBackup: { id: 'b1', time: '2025-05-01T02:00:00Z' } as never };
  const h = harness(t, evaluation('Closed', 'Deleted'));
  await h.run();
  assert.equal(h.cluster.serverTenants.has('tenant/acme'), false);
  assert.equal(h.cluster.server.size, 0);
});

test('requeue at exactly the next transition (no floor), capped for far dates, and the earliest of all asks', async () => {
  const soon = new Date(NOW.getTime() + 5_000);
  const h = harness(storedTenant(), evaluation('Active', 'Trial', { next: { phase: 'Suspended', at: soon } }));
  assert.equal((await h.run()).requeueAfterMs, 5_000);
  h.ev.current = evaluation('Active', 'Trial', { next: { phase: 'Suspended', at: new Date(NOW.getTime() + 300) } });
  assert.equal((await h.run()).requeueAfterMs, 300);
  h.ev.current = evaluation('Active', 'Trial', { next: { phase: 'Suspended', at: new Date('2031-01-01T00:00:00Z') } });
  const far = (await h.run()).requeueAfterMs;
  assert.ok(far !== undefined && far <= MAX_TIMER_MS, 'a timer that can be set');
  assert.equal(requeueForTransition({ at: new Date('2031-01-01T00:00:00Z') }, NOW), MAX_TIMER_MS);
  assert.equal(requeueForTransition(null, NOW), undefined);
  // Closed with a final backup running asks for 60 s; a transition 10 s ahead wins.
  h.ev.current = evaluation('Closed', 'Cancelled', { next: { phase: 'Erasing', at: new Date(NOW.getTime() + 10_000) } });
  assert.equal((await h.run()).requeueAfterMs, 10_000);
});

test('LifecycleValid=False names the fields the engine found wrong', async () => {
  const h = harness(
    storedTenant(),
    evaluation('Active', 'InvalidInput', {
      problems: [{ field: 'spec.lifecycle.trialEndsAt', message: 'a trial needs trialEndsAt' }],
      erasureBlocked: 'InvalidInput',
    }),
  );
  await h.run();
  const c = condition(h.cluster.status(), Cond.LifecycleValid);
  assert.equal(c?.status, 'False');
  assert.match(c?.message ?? '', /spec\.lifecycle\.trialEndsAt/);
  assert.equal(h.cluster.status()?.lifecycle?.erasureBlocked, 'InvalidInput');
});

test('without the lifecycle engine nothing changes: no finalizer, and a deleted Tenant is left alone', async () => {
  const h = harness(storedTenant(), evaluation('Active', 'Paid'), { evaluateLifecycle: undefined });
  await h.run();
  assert.equal(h.cluster.serverTenants.get('tenant/acme')?.metadata.finalizers, undefined);
  assert.equal(h.cluster.status()?.lifecycle, undefined);
  assert.equal(condition(h.cluster.status(), Cond.LifecycleValid), undefined);
});

test('once erasure began nothing stops it; the actor is the newest manager of the field behind the action', () => {
  const t = storedTenant();
  t.status = { lifecycle: { phase: 'Erasing', reason: 'TrialEnded', erasure: { startedAt: '2025-06-01T00:00:00Z' } as never } };
  assert.equal(enforcedPhase(t, evaluation('Active', 'Paid')), 'Erasing');
  t.status = { lifecycle: { phase: 'Erasing', reason: 'TrialEnded' } };
  assert.equal(enforcedPhase(t, evaluation('Active', 'Paid')), 'Active', 'an erasure not yet begun yields to a conversion');
  const at = (iso: string) => new Date(iso);
  t.metadata.managedFields = [
    { manager: 'billing', time: at('2025-05-01T00:00:00Z'), fieldsV1: { 'f:spec': { 'f:lifecycle': {} } } },
    {
      manager: 'support',
      time: at('2025-05-02T00:00:00Z'),
      fieldsV1: { 'f:metadata': { 'f:annotations': { 'f:tenantry.io/erase-now': {} } } },
    },
    { manager: 'argocd', time: at('2025-05-03T00:00:00Z'), fieldsV1: { 'f:spec': { 'f:suspend': {} } } },
  ];
  assert.equal(actorOf(t, 'EraseNow'), 'support');
  assert.equal(actorOf(t, 'Close'), 'billing');
  assert.equal(actorOf(t, 'Suspend'), 'argocd');
  assert.equal(actorOf(storedTenant(), 'Suspend'), 'unknown');
});

test('the cache keeps only the managedFields entries and fields the audit reads', () => {
  const at = new Date('2025-05-01T00:00:00Z');
  const kept = lifecycleManagedFields([
    { manager: 'argocd', time: at, fieldsV1: { 'f:spec': { 'f:region': {}, 'f:app': { 'f:replicas': {} } } } },
    { manager: 'billing', time: at, fieldsV1: { 'f:spec': { 'f:lifecycle': { 'f:cancelledAt': {} }, 'f:region': {} } } },
  ]);
  assert.deepEqual(kept, [{ manager: 'billing', time: at, fieldsV1: { 'f:spec': { 'f:lifecycle': { 'f:cancelledAt': {} } } } }]);
  assert.deepEqual(lifecycleManagedFields(undefined), []);
});

test('tenantry_lifecycle_next_transition_timestamp_seconds follows status.lifecycle.next, one series per tenant', async () => {
  const t = storedTenant();
  t.status = { lifecycle: { phase: 'Suspended', reason: 'TrialEnded', next: 'Erasing', nextAt: '2025-06-13T00:00:00Z' } };
  recordLifecycleMetrics('acme', t);
  const values = async () => (await lifecycleNextTransitionTimestamp.get()).values.filter((v) => v.labels['tenant'] === 'acme');
  assert.deepEqual(
    (await values()).map((v) => [v.labels['step'], v.value]),
    [['Erasing', Date.parse('2025-06-13T00:00:00Z') / 1000]],
  );
  t.status = { lifecycle: { phase: 'Active', reason: 'Paid' } };
  recordLifecycleMetrics('acme', t);
  assert.deepEqual(await values(), []);
});
