// The Tenant reconciler's decisions, with an in-memory cluster: what it writes on a first pass, that a
// second pass over the result writes nothing, and what it must never touch. The integration tests
// prove the same promises against a real API server; these pin the logic down case by case.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubernetesObject, V1StorageClass } from '@kubernetes/client-node';
import { Cond, EventReason, Reason } from '../../src/api/conditions.js';
import type { Tenant, TenantStatus } from '../../src/api/generated/index.js';
import { APPLIED_HASH_ANNOTATION, MANAGED_BY_LABEL, MANAGER, TENANT_LABEL, TENANT_UID_LABEL } from '../../src/api/names.js';
import { parseConfig, type OperatorConfig } from '../../src/config.js';
import { Expectations } from '../../src/runtime/expectations.js';
import { objectKey } from '../../src/controller/cluster.js';
import { reconcileTenant, TERMINATING_RECHECK_MS, WritesFailed, type ReconcileDeps } from '../../src/controller/tenant.js';
import { httpStatusOf, isConflict, retryAfterMs } from '../../src/runtime/api-errors.js';
import {
  buildContext,
  buildDesiredState,
  buildPersistentVolumeClaims,
  NetworkPolicyName,
  type BuildContext,
  type Manifest,
} from '../../src/resources/index.js';
import {
  clone,
  clusterConfig as config,
  FakeCluster,
  STORAGE_CLASS,
  storageClass,
  storedTenant as tenant,
  tenantKey,
  UID,
  type Call,
  type Obj,
  type Provider,
} from '../support/fake-cluster.js';

const T0 = new Date('2025-03-01T12:00:00Z');

function deps(cluster: FakeCluster, cfg: OperatorConfig, extra: Partial<ReconcileDeps> = {}): ReconcileDeps {
  let n = 0;
  return { config: cfg, view: cluster, writer: cluster, now: () => T0, newPassword: () => `password-${++n}`, ...extra };
}

function context(t: Tenant, cfg: OperatorConfig): BuildContext {
  const ctx = buildContext(t, cfg);
  if ('error' in ctx) throw new Error(ctx.error);
  return ctx;
}

/** Keys of everything the reconciler should apply for a tenant: the desired state and the PVCs. */
function desiredKeys(t: Tenant, cfg: OperatorConfig): string[] {
  const ctx = context(t, cfg);
  return [...buildDesiredState(ctx), ...buildPersistentVolumeClaims(ctx)].map((m) => objectKey(m as KubernetesObject)).sort();
}

const keysOf = (calls: Call[], op: Call['op']) =>
  calls
    .filter((c) => c.op === op)
    .map((c) => c.key)
    .sort();
const kindsOf = (calls: Call[], op: Call['op']) => new Set(calls.filter((c) => c.op === op).map((c) => c.kind));
const condition = (s: TenantStatus | undefined, type: string) => s?.conditions?.find((c) => c.type === type);

/** A cluster in which the tenant `acme` has been reconciled once, and the calls forgotten. */
async function converged(provider: Provider = 'nginx') {
  const cfg = config(provider);
  const t = tenant();
  const cluster = new FakeCluster(t);
  const d = deps(cluster, cfg);
  await reconcileTenant('acme', d);
  cluster.reset();
  return { cfg, t, cluster, d };
}

/** Asserts what a first pass wrote: each desired object applied once, in order; the Secret created; one status write. */
function assertFirstPassWrites(
  cluster: FakeCluster,
  t: Tenant,
  cfg: OperatorConfig,
  result: Awaited<ReturnType<typeof reconcileTenant>>,
  provider: Provider,
) {
  assert.deepEqual(
    keysOf(cluster.calls, 'apply'),
    desiredKeys(t, cfg),
    `${provider}: applied = buildDesiredState + buildPersistentVolumeClaims`,
  );
  assert.equal(
    new Set(keysOf(cluster.calls, 'apply')).size,
    cluster.calls.filter((c) => c.op === 'apply').length,
    `${provider}: each object applied once`,
  );
  assert.deepEqual(
    keysOf(cluster.calls, 'create'),
    ['v1/Secret/tenant-acme/database-credentials'],
    `${provider}: the Secret is created, never applied`,
  );
  assert.equal(cluster.calls.filter((c) => c.op === 'status').length, 1, `${provider}: one status write`);
  assert.deepEqual(keysOf(cluster.calls, 'mergePatch'), [], `${provider}: no merge patch when apply stores what was asked`);
  assert.deepEqual(keysOf(cluster.calls, 'delete'), []);
  assert.equal(result.writes, cluster.writes().length, `${provider}: the result counts every write`);
  assert.equal(result.requeueAfterMs, undefined);

  // Order: the namespace first, the volumes (after the encryption check) before the workloads that mount them.
  const applied = cluster.calls.filter((c) => c.op === 'apply').map((c) => c.kind);
  assert.equal(applied[0], 'Namespace');
  assert.ok(applied.lastIndexOf('PersistentVolumeClaim') < applied.indexOf('StatefulSet'), `${provider}: PVCs before the StatefulSet`);
}

/** Asserts every stored object is ours: labels (with the Tenant's uid, no owner reference), and the hash of what was applied. */
function assertAppliedObjectsAreOurs(cluster: FakeCluster) {
  for (const key of keysOf(cluster.calls, 'apply')) {
    const o = cluster.server.get(key);
    assert.equal(o?.metadata?.labels?.[MANAGED_BY_LABEL], MANAGER, key);
    assert.equal(o?.metadata?.labels?.[TENANT_LABEL], 'acme', key);
    assert.equal(o?.metadata?.labels?.[TENANT_UID_LABEL], UID, key);
    assert.equal(o?.metadata?.ownerReferences, undefined, key);
    assert.match(o?.metadata?.annotations?.[APPLIED_HASH_ANNOTATION] ?? '', /^[0-9a-f]{20}$/, key);
  }
}

/** Asserts the status a first pass writes while the pods are not ready yet, stamped with the injected clock. */
function assertFirstPassStatus(status: TenantStatus | undefined) {
  assert.equal(status?.observedGeneration, 1);
  assert.equal(status?.namespace, 'tenant-acme');
  assert.equal(status?.url, 'https://acme.tenants.example.com');
  assert.equal(status?.phase, 'Provisioning', 'pods are not ready yet');
  assert.equal(condition(status, Cond.Reconciled)?.status, 'True');
  assert.equal(condition(status, Cond.StorageEncrypted)?.status, 'True');
  assert.equal(condition(status, Cond.DatabaseReady)?.reason, Reason.PodsNotReady);
  for (const c of status?.conditions ?? [])
    assert.equal(c.lastTransitionTime, '2025-03-01T12:00:00Z', `${c.type}: the injected clock, without milliseconds`);
}

/** Asserts the first pass emitted one Event naming what it created. */
function assertFirstPassEvent(cluster: FakeCluster) {
  assert.deepEqual(
    cluster.events.map((e) => [e.type, e.reason]),
    [['Normal', EventReason.CreatingObject]],
    'one Event for everything the first pass created',
  );
  assert.match(cluster.events[0]?.message ?? '', /created Secret [a-z-]+, .*created Deployment app/);
}

test('first pass: applies every desired object, creates the Secret once, writes the status once, emits an Event', async () => {
  for (const provider of ['nginx', 'traefik'] as const) {
    const cfg = config(provider);
    const t = tenant();
    const cluster = new FakeCluster(t);
    const result = await reconcileTenant('acme', deps(cluster, cfg));
    assertFirstPassWrites(cluster, t, cfg, result, provider);
    assertAppliedObjectsAreOurs(cluster);
    assertFirstPassStatus(cluster.status());
    assertFirstPassEvent(cluster);
  }
});

test('second pass over the result: zero writes, no Events, no reads, even with the clock moved on', async () => {
  for (const provider of ['nginx', 'traefik'] as const) {
    const { cluster, d } = await converged(provider);
    const later = { ...d, now: () => new Date(T0.getTime() + 3_600_000) };
    for (let pass = 2; pass <= 3; pass++) {
      const result = await reconcileTenant('acme', later);
      assert.equal(result.writes, 0, `${provider}: pass ${pass}`);
      assert.deepEqual(cluster.calls, [], `${provider}: pass ${pass} calls nothing on the API server`);
      assert.deepEqual(cluster.events, [], `${provider}: pass ${pass} emits nothing`);
    }
  }
});

test('drift: an object changed or deleted by hand is restored, and only that one', async () => {
  const np = NetworkPolicyName.DefaultDeny;
  const cases: { name: string; key: string; change: (c: FakeCluster, key: string) => void; event: [string, string] }[] = [
    {
      name: 'a Service port edited',
      key: 'v1/Service/tenant-acme/app',
      change: (c, key) => c.edit(key, (o) => ((o.spec as { ports: { port: number }[] }).ports[0]!.port = 9999)),
      event: [EventReason.RepairingDrift, 'restored Service app'],
    },
    {
      name: 'one of our labels removed',
      key: `networking.k8s.io/v1/NetworkPolicy/tenant-acme/${np}`,
      change: (c, key) => c.edit(key, (o) => delete o.metadata!.labels![TENANT_LABEL]),
      event: [EventReason.RepairingDrift, `restored NetworkPolicy ${np}`],
    },
    {
      name: 'a policy rule removed',
      key: `networking.k8s.io/v1/NetworkPolicy/tenant-acme/${np}`,
      change: (c, key) => c.edit(key, (o) => ((o.spec as { policyTypes: string[] }).policyTypes = ['Ingress'])),
      event: [EventReason.RepairingDrift, `restored NetworkPolicy ${np}`],
    },
    {
      name: 'the Deployment deleted',
      key: 'apps/v1/Deployment/tenant-acme/app',
      change: (c, key) => {
        c.server.delete(key);
        c.cache.delete(key);
      },
      event: [EventReason.CreatingObject, 'created Deployment app'],
    },
  ];
  for (const k of cases) {
    const { cluster, d } = await converged();
    assert.ok(cluster.server.has(k.key), `${k.name}: ${k.key} was applied`);
    k.change(cluster, k.key);
    const result = await reconcileTenant('acme', d);
    assert.deepEqual(keysOf(cluster.calls, 'apply'), [k.key], k.name);
    assert.equal(result.writes, 1, `${k.name}: one apply, no status write`);
    assert.deepEqual(
      cluster.events.map((e) => [e.reason, e.message]),
      [k.event],
      k.name,
    );
    cluster.reset();
    assert.equal((await reconcileTenant('acme', d)).writes, 0, `${k.name}: repaired, then quiet`);
  }
});

test('what the API server or others add to our objects is not drift', async () => {
  const { cluster, d } = await converged();
  cluster.edit('apps/v1/Deployment/tenant-acme/app', (o) => {
    o.status = { availableReplicas: 2, replicas: 2 };
    o.metadata!.annotations = { ...o.metadata!.annotations, 'deployment.kubernetes.io/revision': '3' };
    o.metadata!.labels = { ...o.metadata!.labels, 'example.com/team': 'ops' };
    (o.spec as Record<string, unknown>).progressDeadlineSeconds = 600;
  });
  const result = await reconcileTenant('acme', d);
  assert.deepEqual(keysOf(cluster.calls, 'apply'), []);
  // The app's availability did change, so the status (and nothing else) is written.
  assert.deepEqual(
    cluster.writes().map((c) => c.op),
    ['status'],
  );
  assert.equal(result.writes, 1);
  assert.equal(condition(cluster.status(), Cond.AppReady)?.status, 'True');
});

test('a changed Tenant spec re-applies only what it changes: replicas → the Deployment', async () => {
  const { cluster, d } = await converged();
  const t = clone(cluster.serverTenants.get(tenantKey('acme'))!);
  t.spec.app = { ...t.spec.app, replicas: 5 };
  t.metadata.generation = 2;
  cluster.putTenant(t);
  await reconcileTenant('acme', d);
  assert.deepEqual(keysOf(cluster.calls, 'apply'), ['apps/v1/Deployment/tenant-acme/app']);
  assert.equal((cluster.server.get('apps/v1/Deployment/tenant-acme/app')?.spec as { replicas: number }).replicas, 5);
  assert.deepEqual(keysOf(cluster.calls, 'create'), []);
  assert.equal(cluster.calls.filter((c) => c.op === 'status').length, 1, 'observedGeneration moved to 2');
  assert.equal(cluster.status()?.observedGeneration, 2);
  assert.deepEqual(
    cluster.events.map((e) => [e.reason, e.message]),
    [[EventReason.UpdatingObject, 'updated Deployment app']],
  );
});

test('review 15: a tenant with two or more app replicas gets a PodDisruptionBudget; it goes when replicas drop below two or the tenant is suspended', async () => {
  const PDB = 'policy/v1/PodDisruptionBudget/tenant-acme/app';
  const { cluster, d } = await converged();
  // The fixture tenant runs two replicas: a drain may evict only one of them at a time.
  const pdb = cluster.server.get(PDB);
  assert.ok(pdb, 'no PodDisruptionBudget for a tenant with two replicas');
  assert.equal((pdb.spec as { maxUnavailable: number }).maxUnavailable, 1);
  assert.deepEqual(
    (pdb.spec as { selector: unknown }).selector,
    (cluster.server.get('apps/v1/Deployment/tenant-acme/app')?.spec as { selector: unknown }).selector,
    'it selects exactly the app pods',
  );
  let generation = 1;
  const change = async (spec: Partial<Tenant['spec']>) => {
    const t = clone(cluster.serverTenants.get(tenantKey('acme'))!);
    t.spec = { ...t.spec, ...spec };
    t.metadata.generation = ++generation;
    cluster.putTenant(t);
    cluster.reset();
    await reconcileTenant('acme', d);
  };
  // One replica: a budget of "one may be unavailable" would let a drain take it anyway, and a
  // budget that forbids it would block every drain. The stale one is pruned.
  await change({ app: { replicas: 1 } });
  assert.deepEqual(keysOf(cluster.calls, 'delete'), [PDB]);
  assert.ok(!cluster.server.has(PDB));
  assert.ok(cluster.events.some((e) => e.reason === EventReason.DeletingObject && /PodDisruptionBudget app/.test(e.message)));
  await change({ app: { replicas: 3 } });
  assert.deepEqual(
    keysOf(cluster.calls, 'apply').filter((k) => k.includes('PodDisruptionBudget')),
    [PDB],
    'back with three replicas',
  );
  // Suspended: no app pods to protect; the budget goes with them and comes back on resume.
  await change({ suspend: true });
  assert.ok(keysOf(cluster.calls, 'delete').includes(PDB), 'pruned with the routes');
  assert.ok(!cluster.server.has(PDB));
  await change({ suspend: false });
  assert.ok(cluster.server.has(PDB));
  cluster.reset();
  assert.equal((await reconcileTenant('acme', d)).writes, 0, 'then quiet');
});

test('a namespace that is not ours: nothing but the status is written, NamespaceConflict', async () => {
  const cases: { name: string; ns: Obj; inCache: boolean }[] = [
    {
      name: 'no labels, no owner (only the API server has it)',
      ns: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tenant-acme' } },
      inCache: false,
    },
    {
      name: 'our labels, another Tenant uid (an earlier acme)',
      ns: {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: 'tenant-acme',
          labels: { [MANAGED_BY_LABEL]: MANAGER, [TENANT_LABEL]: 'acme', [TENANT_UID_LABEL]: 'another-uid' },
        },
      },
      inCache: true,
    },
  ];
  for (const k of cases) {
    const cluster = new FakeCluster(tenant());
    cluster.seed(k.ns);
    if (!k.inCache) cluster.cache.delete('v1/Namespace//tenant-acme');
    const before = clone(cluster.server.get('v1/Namespace//tenant-acme'));
    const d = deps(cluster, config());
    const result = await reconcileTenant('acme', d);
    assert.deepEqual(
      cluster.writes().map((c) => c.op),
      ['status'],
      k.name,
    );
    assert.equal(result.writes, 1, k.name);
    assert.equal(result.requeueAfterMs, undefined, k.name);
    assert.deepEqual(cluster.server.get('v1/Namespace//tenant-acme'), before, `${k.name}: untouched`);
    const status = cluster.status();
    assert.equal(condition(status, Cond.NamespaceConflict)?.status, 'True', k.name);
    assert.equal(condition(status, Cond.NamespaceConflict)?.reason, Reason.NamespaceOwnedByOther, k.name);
    assert.equal(status?.phase, 'Degraded', k.name);
    assert.equal(status?.url, undefined, `${k.name}: no URL for a tenant that is not served`);
    assert.deepEqual(
      cluster.events.map((e) => [e.type, e.reason]),
      [['Warning', EventReason.NamespaceConflict]],
      k.name,
    );
    // Reported once: the next pass sees the condition and neither writes nor warns again.
    cluster.reset();
    assert.equal((await reconcileTenant('acme', d)).writes, 0, k.name);
    assert.deepEqual(cluster.events, [], `${k.name}: the warning is not repeated`);
  }
});

test('a terminating namespace: wait and look again, nothing written but the status', async () => {
  const { cluster, d } = await converged();
  cluster.edit('v1/Namespace//tenant-acme', (o) => (o.metadata!.deletionTimestamp = new Date('2025-03-01T11:59:00Z')));
  const result = await reconcileTenant('acme', d);
  assert.equal(result.requeueAfterMs, TERMINATING_RECHECK_MS);
  assert.deepEqual(
    cluster.writes().map((c) => c.op),
    ['status'],
  );
  const ready = condition(cluster.status(), Cond.NamespaceReady);
  assert.equal(ready?.status, 'False');
  assert.equal(ready?.reason, Reason.NamespaceTerminating);
  assert.match(ready?.message ?? '', /namespace tenant-acme is terminating; waiting for 1 PersistentVolumeClaim/);
});

test('a StorageClass not known to encrypt: no PVC, StatefulSet or Deployment', async () => {
  const cases: { name: string; sc: V1StorageClass | undefined; reason: string }[] = [
    { name: 'encrypted: "false"', sc: storageClass({ encrypted: 'false' }), reason: Reason.StorageClassNotEncrypted },
    { name: 'no encrypted parameter', sc: storageClass({ type: 'gp3' }), reason: Reason.StorageClassNotEncrypted },
    { name: 'class missing', sc: undefined, reason: Reason.StorageClassNotFound },
  ];
  for (const k of cases) {
    const cfg = config();
    const t = tenant();
    const cluster = new FakeCluster(t);
    if (k.sc) cluster.classes.set(STORAGE_CLASS, k.sc);
    else cluster.classes.delete(STORAGE_CLASS);
    const d = deps(cluster, cfg);
    await reconcileTenant('acme', d);
    const kinds = kindsOf(cluster.calls, 'apply');
    for (const kind of ['PersistentVolumeClaim', 'StatefulSet', 'Deployment']) assert.ok(!kinds.has(kind), `${k.name}: ${kind} applied`);
    const expected = desiredKeys(t, cfg).filter((key) => !/\/(PersistentVolumeClaim|StatefulSet|Deployment)\//.test(key));
    assert.deepEqual(keysOf(cluster.calls, 'apply'), expected, `${k.name}: everything else is applied`);
    const status = cluster.status();
    assert.equal(condition(status, Cond.StorageEncrypted)?.status, 'False', k.name);
    assert.equal(condition(status, Cond.StorageEncrypted)?.reason, k.reason, k.name);
    assert.equal(condition(status, Cond.DatabaseReady)?.reason, Reason.WaitingForStorage, k.name);
    assert.equal(condition(status, Cond.AppReady)?.reason, Reason.WaitingForStorage, k.name);
    assert.ok(
      cluster.events.some((e) => e.type === 'Warning' && e.reason === EventReason.StorageNotEncrypted),
      k.name,
    );
    // Warned once; the next pass is quiet.
    cluster.reset();
    assert.equal((await reconcileTenant('acme', d)).writes, 0, k.name);
    assert.deepEqual(cluster.events, [], k.name);
  }
});

test('a host claimed first by an older tenant: no route, no certificate, HostConflict names it', async () => {
  for (const provider of ['nginx', 'traefik'] as const) {
    const cfg = config(provider);
    const host = 'shop.tenants.example.com';
    const older = tenant('globex', { host }, { uid: 'globex-uid', creationTimestamp: new Date('2024-06-01T00:00:00Z') });
    const t = tenant('acme', { host });
    const cluster = new FakeCluster(older, t);
    const d = deps(cluster, cfg);
    await reconcileTenant('acme', d);
    const kinds = kindsOf(cluster.calls, 'apply');
    for (const kind of ['Ingress', 'IngressRoute', 'Middleware', 'TLSOption', 'Certificate'])
      assert.ok(!kinds.has(kind), `${provider}: ${kind} applied`);
    for (const kind of ['Namespace', 'StatefulSet', 'Deployment', 'Service'])
      assert.ok(kinds.has(kind), `${provider}: ${kind} still applied`);
    const status = cluster.status();
    assert.equal(condition(status, Cond.HostConflict)?.status, 'True');
    assert.match(
      condition(status, Cond.HostConflict)?.message ?? '',
      /host shop\.tenants\.example\.com is already served for tenant globex/,
    );
    assert.equal(condition(status, Cond.IngressReady)?.status, 'False');
    assert.equal(condition(status, Cond.IngressReady)?.reason, Reason.HostClaimedByOther);
    assert.equal(status?.url, undefined, `${provider}: no URL while another tenant serves the host`);
    assert.ok(
      cluster.events.some((e) => e.type === 'Warning' && e.reason === EventReason.HostConflict && e.message.includes('globex')),
      provider,
    );
    cluster.reset();
    assert.equal((await reconcileTenant('acme', d)).writes, 0, `${provider}: the conflict is stable, nothing more is written`);
  }
});

test('a host also claimed by a newer tenant stays ours', async () => {
  const cfg = config();
  const host = 'shop.tenants.example.com';
  const newer = tenant('globex', { host }, { uid: 'globex-uid', creationTimestamp: new Date('2025-02-01T00:00:00Z') });
  const cluster = new FakeCluster(newer, tenant('acme', { host }));
  await reconcileTenant('acme', deps(cluster, cfg));
  const kinds = kindsOf(cluster.calls, 'apply');
  assert.ok(kinds.has('Ingress') && kinds.has('Certificate'));
  assert.equal(condition(cluster.status(), Cond.HostConflict)?.status, 'False');
  assert.equal(cluster.status()?.url, 'https://shop.tenants.example.com');
});

test('pruning: an owned object no longer desired is deleted; others, PVCs and Secrets never', async () => {
  const { cluster, d } = await converged();
  const labels = { [MANAGED_BY_LABEL]: MANAGER, [TENANT_LABEL]: 'acme', [TENANT_UID_LABEL]: UID };
  const middleware = (name: string, uid: string, l: Record<string, string> = labels): Obj => ({
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'Middleware',
    metadata: { name, namespace: 'tenant-acme', labels: { ...l, [TENANT_UID_LABEL]: uid } },
    spec: { headers: { stsSeconds: 31536000 } },
  });
  const stale = middleware('hsts', UID);
  cluster.seed(stale);
  cluster.seed(middleware('someone-elses', 'another-uid'));
  cluster.seed(middleware('not-managed', UID, { [TENANT_LABEL]: 'acme' }));
  cluster.seed({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'old-data', namespace: 'tenant-acme', labels },
    spec: {},
  });
  cluster.seed({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'old-credentials', namespace: 'tenant-acme', labels },
    data: {},
  });
  const before = new Set(cluster.server.keys());

  const result = await reconcileTenant('acme', d);
  const staleKey = objectKey(stale);
  assert.deepEqual(keysOf(cluster.calls, 'delete'), [staleKey]);
  assert.equal(result.writes, 1, 'one delete, nothing else');
  assert.deepEqual(
    [...before].filter((k) => !cluster.server.has(k)),
    [staleKey],
    'everything else is still there',
  );
  assert.deepEqual(
    cluster.events.map((e) => [e.reason, e.message]),
    [[EventReason.DeletingObject, 'deleted Middleware hsts, which the tenant no longer needs']],
  );
  cluster.reset();
  assert.equal((await reconcileTenant('acme', d)).writes, 0, 'pruned once');
});

test('pruning after a provider change: the old provider objects go, the new ones come', async () => {
  const { cluster, t } = await converged('traefik');
  const nginx = config('nginx');
  const result = await reconcileTenant('acme', deps(cluster, nginx));
  assert.deepEqual(kindsOf(cluster.calls, 'delete'), new Set(['Middleware', 'TLSOption', 'IngressRoute']));
  assert.ok(kindsOf(cluster.calls, 'apply').has('Ingress'));
  assert.equal(result.writes, cluster.writes().length);
  const remaining = [...cluster.server.keys()].filter((k) => !k.startsWith('v1/Secret/')).sort();
  assert.deepEqual(remaining, desiredKeys(t, nginx));
});

test('a deleted or absent tenant: nothing is read or written', async () => {
  const gone = tenant('acme', {}, { deletionTimestamp: new Date('2025-03-01T11:00:00Z'), finalizers: ['tenantry.io/external'] });
  for (const [name, cluster] of [
    ['deletionTimestamp set', new FakeCluster(gone)],
    ['not in the cache', new FakeCluster()],
  ] as const) {
    const result = await reconcileTenant('acme', deps(cluster, config()));
    assert.deepEqual(result, { writes: 0 }, name);
    assert.deepEqual(cluster.calls, [], name);
    assert.deepEqual(cluster.events, [], name);
  }
});

test('a region the operator does not serve: only the status, RegionNotServed', async () => {
  const cluster = new FakeCluster(tenant('acme', { region: 'ap-south-1' }));
  const d = deps(cluster, config());
  const result = await reconcileTenant('acme', d);
  assert.deepEqual(
    cluster.writes().map((c) => c.op),
    ['status'],
  );
  assert.equal(result.writes, 1);
  assert.equal(condition(cluster.status(), Cond.NamespaceReady)?.reason, Reason.RegionNotServed);
  assert.deepEqual(
    cluster.events.map((e) => e.reason),
    [EventReason.RegionNotServed],
  );
  cluster.reset();
  assert.equal((await reconcileTenant('acme', d)).writes, 0);
  assert.deepEqual(cluster.events, []);
});

test('expectations: a stale cache does not make the same writes twice', async () => {
  const cfg = config();
  const run = async (withExpectations: boolean) => {
    const cluster = new FakeCluster(tenant());
    cluster.stale = true;
    const expectations = withExpectations ? new Expectations(() => T0.getTime()) : undefined;
    cluster.expectations = expectations;
    const d = deps(cluster, cfg, expectations ? { expectations } : {});
    await reconcileTenant('acme', d);
    const first = cluster.writes().length;
    cluster.reset();
    // The watch events of the first pass have not arrived: the cache is still empty.
    const second = await reconcileTenant('acme', d);
    return { cluster, d, first, second, expectations };
  };

  // Without expectations the stale cache makes the pass write everything again (what they prevent).
  const without = await run(false);
  assert.ok(without.cluster.writes().filter((c) => c.op === 'apply').length > 5, 'control: a stale cache repeats the applies');

  const { cluster, d, first, second, expectations } = await run(true);
  assert.ok(first > 10);
  assert.ok((expectations?.size ?? 0) > 10, 'every write is expected');
  assert.deepEqual(
    cluster.writes().map((c) => `${c.op} ${c.key}`),
    [],
    'zero writes on the second pass',
  );
  assert.equal(second.writes, 0);
  assert.deepEqual(cluster.events, []);

  // The watch events arrive: expectations are fulfilled and the cache alone decides. (The status
  // may change now: the pass sees the StatefulSet and Deployment for the first time.)
  cluster.stale = false;
  cluster.sync();
  assert.equal(expectations?.size, 0);
  cluster.reset();
  await reconcileTenant('acme', d);
  assert.deepEqual(
    cluster.writes().filter((c) => c.op !== 'status'),
    [],
    'zero object writes once the cache holds them',
  );
});

test('apply that leaves a list different triggers one merge patch for that object', async () => {
  const DEPLOYMENT = 'apps/v1/Deployment/tenant-acme/app';
  type Spec = { template: { spec: { containers: { name: string; env?: unknown[] }[] } } };
  const containers = (o: Obj) => (o.spec as Spec).template.spec.containers;
  const cases: { name: string; change: (o: Obj) => void }[] = [
    // kubectl edit added a container: server-side apply keeps what another field manager owns.
    { name: 'an extra list entry kept by another manager', change: (o) => containers(o).push({ name: 'debug-sidecar' }) },
    { name: 'a list entry missing', change: (o) => containers(o).pop() },
  ];
  for (const k of cases) {
    const cluster = new FakeCluster(tenant());
    cluster.onApply = (m, stored) => {
      if (objectKey(m as KubernetesObject) === DEPLOYMENT) k.change(stored);
      return stored;
    };
    const result = await reconcileTenant('acme', deps(cluster, config()));
    assert.deepEqual(keysOf(cluster.calls, 'mergePatch'), [DEPLOYMENT], k.name);
    assert.equal(result.writes, cluster.writes().length, `${k.name}: the merge patch counts as a write`);
    // Objects are applied concurrently, so other calls may come between; the patch follows its apply.
    const applyAt = cluster.calls.findIndex((c) => c.op === 'apply' && c.key === DEPLOYMENT);
    const patchAt = cluster.calls.findIndex((c) => c.op === 'mergePatch' && c.key === DEPLOYMENT);
    assert.ok(applyAt >= 0 && patchAt > applyAt, `${k.name}: the merge patch follows its apply`);
    assert.equal(condition(cluster.status(), Cond.Reconciled)?.status, 'True', k.name);
  }
});

test('a list that still differs after the merge patch fails the pass, and the status says why', async () => {
  const DEPLOYMENT = 'apps/v1/Deployment/tenant-acme/app';
  type Spec = { template: { spec: { containers: { name: string }[] } } };
  const addSidecar = (m: Manifest, stored: Obj) => {
    if (objectKey(m as KubernetesObject) === DEPLOYMENT) (stored.spec as Spec).template.spec.containers.push({ name: 'injected' });
    return stored;
  };
  const cluster = new FakeCluster(tenant());
  cluster.onApply = addSidecar;
  cluster.onMergePatch = addSidecar;
  await assert.rejects(
    reconcileTenant('acme', deps(cluster, config())),
    /Deployment tenant-acme\/app still differs at spec\.template\.spec\.containers after apply and merge patch/,
  );
  const reconciled = condition(cluster.status(), Cond.Reconciled);
  assert.equal(reconciled?.status, 'False');
  assert.equal(reconciled?.reason, Reason.ReconcileFailed);
  assert.match(reconciled?.message ?? '', /still differs/);
});

test('a standing conflict is warned about once: passes 2 and 3 send no Event and write nothing', async () => {
  const host = 'shop.tenants.example.com';
  const cases: { name: string; cluster: () => FakeCluster; reason: string }[] = [
    {
      name: 'host claimed by an older tenant',
      cluster: () =>
        new FakeCluster(
          tenant('globex', { host }, { uid: 'globex-uid', creationTimestamp: new Date('2024-06-01T00:00:00Z') }),
          tenant('acme', { host }),
        ),
      reason: EventReason.HostConflict,
    },
    {
      name: 'a foreign namespace',
      cluster: () => {
        const c = new FakeCluster(tenant());
        c.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tenant-acme' } });
        c.cache.delete('v1/Namespace//tenant-acme');
        return c;
      },
      reason: EventReason.NamespaceConflict,
    },
    {
      name: 'an unencrypted StorageClass',
      cluster: () => {
        const c = new FakeCluster(tenant());
        c.classes.set(STORAGE_CLASS, storageClass({ type: 'gp3', encrypted: 'false' }));
        return c;
      },
      reason: EventReason.StorageNotEncrypted,
    },
  ];
  for (const k of cases) {
    const cluster = k.cluster();
    const d = deps(cluster, config());
    await reconcileTenant('acme', d);
    assert.deepEqual(
      cluster.events.filter((e) => e.type === 'Warning').map((e) => e.reason),
      [k.reason],
      `${k.name}: warned on the first pass`,
    );
    for (let pass = 2; pass <= 3; pass++) {
      cluster.reset();
      const result = await reconcileTenant('acme', d);
      assert.deepEqual(cluster.events, [], `${k.name}: pass ${pass} sends no Event`);
      assert.deepEqual(cluster.writes(), [], `${k.name}: pass ${pass} writes nothing`);
      assert.equal(result.writes, 0, `${k.name}: pass ${pass}`);
    }
  }
});

test('gateway: a host conflict creates no ListenerSet, HTTPRoute, ReferenceGrant or Certificate', async () => {
  const ROUTING = ['ListenerSet', 'HTTPRoute', 'ReferenceGrant', 'Certificate'];
  for (const tlsListener of [undefined, 'Gateway'] as const) {
    const label = tlsListener ?? 'default (ListenerSet)';
    const cfg = config('gateway', tlsListener ? { tlsListener } : {});
    const host = 'shop.tenants.example.com';
    const older = tenant('globex', { host }, { uid: 'globex-uid', creationTimestamp: new Date('2024-06-01T00:00:00Z') });
    const cluster = new FakeCluster(older, tenant('acme', { host }));
    // Control: without the conflict this tenant would get these kinds.
    const unclaimed = new Set(buildDesiredState(context(tenant('acme', { host }), cfg)).map((m) => m.kind));
    assert.ok(
      unclaimed.has('HTTPRoute') &&
        unclaimed.has('Certificate') &&
        unclaimed.has(tlsListener === 'Gateway' ? 'ReferenceGrant' : 'ListenerSet'),
      `${label}: control`,
    );

    const d = deps(cluster, cfg);
    await reconcileTenant('acme', d);
    const kinds = kindsOf(cluster.calls, 'apply');
    for (const kind of ROUTING) assert.ok(!kinds.has(kind), `${label}: ${kind} applied`);
    for (const kind of ['Namespace', 'StatefulSet', 'Deployment', 'Service']) assert.ok(kinds.has(kind), `${label}: ${kind} still applied`);
    assert.deepEqual(
      [...cluster.server.values()].filter((o) => ROUTING.includes(o.kind ?? '')).map((o) => objectKey(o)),
      [],
      `${label}: no routing object stored`,
    );
    const status = cluster.status();
    assert.equal(condition(status, Cond.HostConflict)?.status, 'True', label);
    assert.equal(condition(status, Cond.IngressReady)?.reason, Reason.HostClaimedByOther, label);
    assert.equal(status?.url, undefined, label);
    cluster.reset();
    assert.equal((await reconcileTenant('acme', d)).writes, 0, `${label}: stable`);
  }
});

test('a StorageClass gone or unencrypted after convergence: running workloads and volumes stay, StorageEncrypted False', async () => {
  const cases: { name: string; change: (c: FakeCluster) => void; reason: string }[] = [
    { name: 'class deleted', change: (c) => c.classes.delete(STORAGE_CLASS), reason: Reason.StorageClassNotFound },
    {
      name: 'class unencrypted',
      change: (c) => c.classes.set(STORAGE_CLASS, storageClass({ type: 'gp3', encrypted: 'false' })),
      reason: Reason.StorageClassNotEncrypted,
    },
  ];
  for (const k of cases) {
    const { cluster, d } = await converged();
    const volumes = [...cluster.server.keys()].filter((key) => key.startsWith('v1/PersistentVolumeClaim/'));
    assert.ok(volumes.length > 0, `${k.name}: control, the PVCs exist`);
    const before = new Map([...cluster.server].map(([key, o]) => [key, clone(o)]));
    k.change(cluster);
    const result = await reconcileTenant('acme', d);
    assert.deepEqual(keysOf(cluster.calls, 'delete'), [], `${k.name}: nothing deleted`);
    assert.deepEqual(keysOf(cluster.calls, 'apply'), [], `${k.name}: nothing applied`);
    assert.deepEqual(keysOf(cluster.calls, 'create'), [], k.name);
    for (const key of ['apps/v1/StatefulSet/tenant-acme/database', 'apps/v1/Deployment/tenant-acme/app', ...volumes]) {
      assert.deepEqual(cluster.server.get(key), before.get(key), `${k.name}: ${key} untouched`);
    }
    assert.deepEqual(
      cluster.writes().map((c) => c.op),
      ['status'],
      `${k.name}: only the status`,
    );
    assert.equal(result.writes, 1, k.name);
    const encrypted = condition(cluster.status(), Cond.StorageEncrypted);
    assert.equal(encrypted?.status, 'False', k.name);
    assert.equal(encrypted?.reason, k.reason, k.name);
    assert.deepEqual(
      cluster.events.map((e) => [e.type, e.reason]),
      [['Warning', EventReason.StorageNotEncrypted]],
      k.name,
    );
    cluster.reset();
    assert.equal((await reconcileTenant('acme', d)).writes, 0, `${k.name}: then quiet`);
  }
});

test('app replicas in the status come from the desired manifest, even before the cache holds the Deployment', async () => {
  const cfg = config();
  const t = tenant('acme', { app: { replicas: 2 } });
  const cluster = new FakeCluster(t);
  cluster.stale = true;
  const d = deps(cluster, cfg);
  await reconcileTenant('acme', d);
  assert.equal(cluster.get('apps/v1/Deployment', 'tenant-acme', 'app'), undefined, 'control: the cache does not hold the Deployment yet');
  const app = condition(cluster.status(), Cond.AppReady);
  assert.equal(app?.message, '0/2 app pods available');
  assert.equal(app?.reason, Reason.PodsNotReady);
  const dbReplicas = (buildDesiredState(context(t, cfg)).find((m) => m.kind === 'StatefulSet')?.spec as { replicas: number }).replicas;
  assert.equal(condition(cluster.status(), Cond.DatabaseReady)?.message, `0/${dbReplicas} database pods ready`);

  // The watch events arrive: the cached Deployment says the same, so the status stays as written.
  cluster.stale = false;
  cluster.sync();
  cluster.reset();
  const second = await reconcileTenant('acme', d);
  assert.deepEqual(cluster.writes(), [], 'no status rewrite once the cache catches up');
  assert.equal(second.writes, 0);
});

test('expectations: a stale cache and a clock 2 s later do not rewrite the status (transition times left out of its hash)', async () => {
  let clock = T0.getTime();
  const cluster = new FakeCluster(tenant());
  cluster.stale = true;
  const expectations = new Expectations(() => clock);
  cluster.expectations = expectations;
  const d = deps(cluster, config(), { expectations, now: () => new Date(clock) });
  await reconcileTenant('acme', d);
  assert.equal(cluster.calls.filter((c) => c.op === 'status').length, 1, 'control: the first pass writes the status');
  const written = clone(cluster.status());

  clock += 2_000;
  cluster.reset();
  // The cached Tenant still has no status, so every condition is recomputed with the new time.
  assert.equal(cluster.tenant('acme')?.status, undefined, 'control: the cache is stale');
  const result = await reconcileTenant('acme', d);
  assert.deepEqual(
    cluster.writes().map((c) => `${c.op} ${c.key}`),
    [],
    'no write at all, the status included',
  );
  assert.equal(result.writes, 0);
  assert.deepEqual(cluster.status(), written, 'the status keeps the first transition times');
});

test('a suspended tenant: no route, no URL, IngressReady False Suspended, phase Suspended', async () => {
  const ROUTES = ['Ingress', 'IngressRoute', 'Middleware', 'TLSOption', 'HTTPRoute', 'ListenerSet', 'ReferenceGrant'];
  for (const provider of ['nginx', 'traefik', 'gateway'] as const) {
    const cfg = config(provider);
    const t = tenant('acme', { suspend: true });
    const cluster = new FakeCluster(t);
    const d = deps(cluster, cfg);
    await reconcileTenant('acme', d);
    const kinds = kindsOf(cluster.calls, 'apply');
    for (const kind of ROUTES) assert.ok(!kinds.has(kind), `${provider}: ${kind} applied`);
    assert.deepEqual(keysOf(cluster.calls, 'apply'), desiredKeys(t, cfg), `${provider}: everything else is applied`);
    assert.equal(
      (cluster.server.get('apps/v1/Deployment/tenant-acme/app')?.spec as { replicas: number }).replicas,
      0,
      `${provider}: app scaled to zero`,
    );

    const check = (when: string) => {
      const status = cluster.status();
      assert.equal(status?.url, undefined, `${provider} ${when}: no URL`);
      assert.equal(condition(status, Cond.IngressReady)?.status, 'False', `${provider} ${when}`);
      assert.equal(condition(status, Cond.IngressReady)?.reason, Reason.Suspended, `${provider} ${when}`);
      assert.equal(status?.phase, 'Suspended', `${provider} ${when}`);
    };
    check('first pass');
    // Converged: the database is ready; the tenant is Ready, and still shown as Suspended.
    cluster.edit('apps/v1/StatefulSet/tenant-acme/database', (o) => (o.status = { readyReplicas: 1, replicas: 1 }));
    cluster.reset();
    await reconcileTenant('acme', d);
    assert.equal(condition(cluster.status(), Cond.Ready)?.status, 'True', `${provider}: converged`);
    check('converged');
    cluster.reset();
    assert.equal((await reconcileTenant('acme', d)).writes, 0, `${provider}: then quiet`);
  }
});

test('a pass that throws leaves the tenant Degraded, Reconciled False ReconcileFailed, and the error propagates', async () => {
  const refuse = (m: Manifest, stored: Obj) => {
    if (m.kind === 'Deployment') throw new Error('admission webhook "policy.example.com" denied the request');
    return stored;
  };
  const cases: { name: string; setup: () => Promise<{ cluster: FakeCluster; d: ReconcileDeps }> }[] = [
    {
      name: 'first pass',
      setup: async () => {
        const cluster = new FakeCluster(tenant());
        return { cluster, d: deps(cluster, config()) };
      },
    },
    {
      name: 'a converged tenant whose spec changed',
      setup: async () => {
        const { cluster, d } = await converged();
        assert.equal(cluster.status()?.phase, 'Provisioning', 'control: not Degraded before');
        const t = clone(cluster.serverTenants.get(tenantKey('acme'))!);
        t.spec.app = { ...t.spec.app, replicas: 5 };
        t.metadata.generation = 2;
        cluster.putTenant(t);
        return { cluster, d };
      },
    },
  ];
  for (const k of cases) {
    const { cluster, d } = await k.setup();
    cluster.onApply = refuse;
    await assert.rejects(reconcileTenant('acme', d), /admission webhook "policy\.example\.com" denied the request/, k.name);
    const status = cluster.status();
    const reconciled = condition(status, Cond.Reconciled);
    assert.equal(reconciled?.status, 'False', k.name);
    assert.equal(reconciled?.reason, Reason.ReconcileFailed, k.name);
    assert.match(reconciled?.message ?? '', /denied the request/, k.name);
    assert.equal(status?.phase, 'Degraded', k.name);
  }
});

test('several concurrent writes that fail: the error and the Reconciled condition name every one, not only the first', async () => {
  const refuse = (m: Manifest, stored: Obj) => {
    if (m.kind === 'Deployment' || m.kind === 'Service') throw new Error(`admission webhook denied ${m.kind} ${m.metadata.name}`);
    return stored;
  };
  const cluster = new FakeCluster(tenant());
  cluster.onApply = refuse;
  const err = await reconcileTenant('acme', deps(cluster, config())).then(
    () => assert.fail('the pass must fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AggregateError, 'an AggregateError carries every failure');
  assert.equal(
    err.errors.length,
    cluster.calls.filter((c) => c.op === 'apply' && (c.kind === 'Deployment' || c.kind === 'Service')).length,
  );
  for (const kind of ['Deployment', 'Service']) {
    assert.match(err.message, new RegExp(`denied ${kind} app`), `the error names the ${kind}`);
    assert.match(
      condition(cluster.status(), Cond.Reconciled)?.message ?? '',
      new RegExp(`denied ${kind} app`),
      `the condition names the ${kind}`,
    );
  }
  assert.equal(condition(cluster.status(), Cond.Reconciled)?.reason, Reason.ReconcileFailed);
});

test('several failed writes are retried as the first of them alone would be: its HTTP status and headers', async () => {
  const refusals: Record<string, Error> = {
    Deployment: Object.assign(new Error('the object has been modified'), { code: 409, headers: { 'retry-after': '3' } }),
    Service: Object.assign(new Error('etcd leader changed'), { code: 503, headers: { 'retry-after': '7' } }),
  };
  const cluster = new FakeCluster(tenant());
  cluster.onApply = (m, stored) => {
    const refusal = refusals[m.kind];
    if (refusal) throw refusal;
    return stored;
  };
  const err = await reconcileTenant('acme', deps(cluster, config())).then(
    () => assert.fail('the pass must fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WritesFailed);
  const firstKind = cluster.calls.find((c) => c.op === 'apply' && refusals[c.kind ?? ''])?.kind ?? '';
  const first = refusals[firstKind] as Error & { code: number };
  assert.equal(err.errors[0], first, 'the failures in write order');
  assert.equal(httpStatusOf(err), first.code);
  assert.equal(isConflict(err), first.code === 409);
  assert.equal(retryAfterMs(err, 0), firstKind === 'Deployment' ? 3000 : 7000);
});

test('a failed pass sends one Warning ReconcileFailed Event, not one per failing pass; failing to send it hides nothing', async () => {
  // The Deployment is refused before it is stored, so every pass tries it again and fails again.
  const refuse = (c: FakeCluster) => {
    const apply = c.apply.bind(c);
    c.apply = async (m) => {
      if (m.kind === 'Deployment') throw new Error('admission webhook "policy.example.com" denied the request');
      return apply(m);
    };
  };
  const cluster = new FakeCluster(tenant());
  const d = deps(cluster, config());
  refuse(cluster);
  await assert.rejects(reconcileTenant('acme', d), /denied the request/);
  assert.deepEqual(
    cluster.events.filter((e) => e.type === 'Warning').map((e) => e.reason),
    [EventReason.ReconcileFailed],
  );
  assert.match(cluster.events.find((e) => e.reason === EventReason.ReconcileFailed)?.message ?? '', /denied the request/);
  cluster.reset();
  await assert.rejects(reconcileTenant('acme', d), /denied the request/);
  assert.deepEqual(cluster.events, [], 'the standing failure is not announced again');

  const quiet = new FakeCluster(tenant());
  refuse(quiet);
  const event = quiet.event.bind(quiet);
  quiet.event = async (t, type, reason, message) => {
    if (reason === EventReason.ReconcileFailed) throw new Error('events are refused too');
    return event(t, type, reason, message);
  };
  await assert.rejects(reconcileTenant('acme', deps(quiet, config())), /denied the request/, 'the error of the pass, not of its Event');
  assert.match(condition(quiet.status(), Cond.Reconciled)?.message ?? '', /denied the request/);
});

test('a tenant whose context cannot be built for another reason than its region: NamespaceReady carries that reason, not RegionNotServed', async () => {
  const t = tenant();
  delete t.metadata.uid;
  const cluster = new FakeCluster(t);
  await reconcileTenant('acme', deps(cluster, config()));
  const ns = condition(cluster.status(), Cond.NamespaceReady);
  assert.equal(ns?.status, 'False');
  assert.equal(ns?.reason, Reason.ReconcileFailed);
  assert.match(ns?.message ?? '', /has no name or uid/);
  assert.deepEqual(
    cluster.events.map((e) => [e.type, e.reason]),
    [['Warning', EventReason.ReconcileFailed]],
  );
  assert.deepEqual(
    cluster.writes().map((c) => c.op),
    ['status'],
    'nothing but the status',
  );
});

/** Kinds that route traffic to a tenant or certify its host: none may exist for a host the tenant may not have. */
const ROUTING_KINDS = ['Ingress', 'IngressRoute', 'Middleware', 'TLSOption', 'HTTPRoute', 'ListenerSet', 'ReferenceGrant', 'Certificate'];
const PROVIDERS = ['nginx', 'traefik', 'gateway'] as const;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Asserts that a pass routed nothing and certified nothing, but built the rest of the tenant. */
function assertNoRoute(cluster: FakeCluster, label: string): void {
  const kinds = kindsOf(cluster.calls, 'apply');
  for (const kind of ROUTING_KINDS) assert.ok(!kinds.has(kind), `${label}: ${kind} applied`);
  for (const kind of ['Namespace', 'NetworkPolicy', 'StatefulSet', 'Deployment', 'Service'])
    assert.ok(kinds.has(kind), `${label}: ${kind} still applied`);
  assert.equal(cluster.status()?.url, undefined, `${label}: no URL`);
}

test('review 9: a host outside baseDomain and allowedDomains: no route, no certificate, HostConflict HostNotAllowed, warned once', async () => {
  // The first is another team's host; the others only look like names under baseDomain.
  for (const host of ['admin.example.com', 'eviltenants.example.com', 'tenants.example.com.attacker.io']) {
    for (const provider of PROVIDERS) {
      const label = `${provider} ${host}`;
      const cluster = new FakeCluster(tenant('acme', { host }));
      const d = deps(cluster, config(provider));
      await reconcileTenant('acme', d);
      assertNoRoute(cluster, label);
      const status = cluster.status();
      const hc = condition(status, Cond.HostConflict);
      assert.equal(hc?.status, 'True', label);
      assert.equal(hc?.reason, Reason.HostNotAllowed, label);
      assert.match(hc?.message ?? '', new RegExp(`host ${escapeRe(host)} is outside .*tenants\\.example\\.com.*allowedDomains`), label);
      assert.equal(condition(status, Cond.IngressReady)?.status, 'False', label);
      assert.equal(condition(status, Cond.IngressReady)?.reason, Reason.HostNotAllowed, label);
      assert.equal(condition(status, Cond.Ready)?.status, 'False', label);
      assert.deepEqual(
        cluster.events.filter((e) => e.type === 'Warning').map((e) => e.reason),
        [EventReason.HostNotAllowed],
        `${label}: warned once`,
      );
      cluster.reset();
      assert.equal((await reconcileTenant('acme', d)).writes, 0, `${label}: the refusal is stable`);
      assert.deepEqual(cluster.events, [], `${label}: and not announced again`);
    }
  }
});

test('review 9: allowedDomains admits a custom domain and the names under it, not a look-alike', async () => {
  for (const provider of PROVIDERS) {
    const cfg = config(provider, {}, { allowedDomains: ['acme-corp.com'] });
    for (const host of ['acme-corp.com', 'shop.acme-corp.com', 'acme.tenants.example.com']) {
      const cluster = new FakeCluster(tenant('acme', { host }));
      await reconcileTenant('acme', deps(cluster, cfg));
      const kinds = kindsOf(cluster.calls, 'apply');
      assert.ok(
        kinds.has('Certificate') && kinds.has(provider === 'nginx' ? 'Ingress' : provider === 'traefik' ? 'IngressRoute' : 'HTTPRoute'),
        `${provider} ${host}: routed`,
      );
      assert.equal(condition(cluster.status(), Cond.HostConflict)?.status, 'False', `${provider} ${host}`);
      assert.equal(cluster.status()?.url, `https://${host}`, `${provider} ${host}`);
    }
    const cluster = new FakeCluster(tenant('acme', { host: 'evilacme-corp.com' }));
    await reconcileTenant('acme', deps(cluster, cfg));
    assertNoRoute(cluster, `${provider} evilacme-corp.com`);
    assert.equal(condition(cluster.status(), Cond.HostConflict)?.reason, Reason.HostNotAllowed);
    assert.match(
      condition(cluster.status(), Cond.HostConflict)?.message ?? '',
      /tenants\.example\.com, acme-corp\.com/,
      'the message lists what is allowed',
    );
  }
});

test('review 9: routes and certificate of ours are pruned when the host stops being allowed', async () => {
  const host = 'acme.tenants.example.com';
  const cluster = new FakeCluster(tenant('acme', { host }));
  await reconcileTenant('acme', deps(cluster, config()));
  assert.ok(kindsOf(cluster.calls, 'apply').has('Ingress'), 'control: routed under the old baseDomain');
  cluster.reset();
  // The operator now serves tenants on another domain only.
  const moved = parseConfig({ ...config(), baseDomain: 'apps.example.com' });
  await reconcileTenant('acme', deps(cluster, moved));
  assert.deepEqual(kindsOf(cluster.calls, 'delete'), new Set(['Ingress', 'Certificate']));
  assert.deepEqual(kindsOf(cluster.calls, 'apply'), new Set(), 'nothing else changes');
  assert.equal(condition(cluster.status(), Cond.HostConflict)?.reason, Reason.HostNotAllowed);
  assert.equal(cluster.status()?.url, undefined);
});

test('review 9: a host already served by a route Tenantry does not own: no route, no certificate, that route untouched', async () => {
  const host = 'shop.tenants.example.com';
  const theirs: Record<Provider, Obj> = {
    nginx: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'shop', namespace: 'team-b' },
      spec: {
        rules: [
          { host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'shop', port: { number: 80 } } } }] } },
        ],
      },
    },
    traefik: {
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'IngressRoute',
      metadata: { name: 'shop', namespace: 'team-b' },
      spec: { routes: [{ kind: 'Rule', match: `Host(\`${host}\`)`, services: [{ name: 'shop', port: 80 }] }] },
    },
    gateway: {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'shop', namespace: 'team-b' },
      spec: { hostnames: [host], rules: [{ backendRefs: [{ name: 'shop', port: 80 }] }] },
    },
  };
  for (const provider of PROVIDERS) {
    const route = theirs[provider];
    const cluster = new FakeCluster(tenant('acme', { host }));
    // On the server, not in the owned caches: it carries none of Tenantry's labels.
    cluster.server.set(objectKey(route), clone(route));
    cluster.routes.push({ kind: route.kind ?? '', namespace: 'team-b', name: 'shop', createdAt: '2024-01-01T00:00:00Z', hosts: [host] });
    const d = deps(cluster, config(provider));
    await reconcileTenant('acme', d);
    assertNoRoute(cluster, provider);
    const status = cluster.status();
    const hc = condition(status, Cond.HostConflict);
    assert.equal(hc?.status, 'True', provider);
    assert.equal(hc?.reason, Reason.HostClaimedByForeignRoute, provider);
    assert.match(
      hc?.message ?? '',
      new RegExp(`host ${escapeRe(host)} is already served by ${route.kind} team-b/shop, which Tenantry does not manage`),
      provider,
    );
    assert.equal(condition(status, Cond.IngressReady)?.reason, Reason.HostClaimedByForeignRoute, provider);
    assert.ok(!cluster.calls.some((c) => c.key === objectKey(route)), `${provider}: nothing was done to their route`);
    assert.deepEqual(cluster.server.get(objectKey(route)), route, `${provider}: their route is as it was`);
    assert.deepEqual(
      cluster.events.filter((e) => e.type === 'Warning').map((e) => e.reason),
      [EventReason.HostConflict],
      provider,
    );
    cluster.reset();
    assert.equal((await reconcileTenant('acme', d)).writes, 0, `${provider}: stable`);
    assert.deepEqual(cluster.events, [], `${provider}: warned once`);
  }
});

test('review 9: a route of a tenant this operator does not serve is a claim; the routes of the tenants it serves are not', async () => {
  const host = 'shop.tenants.example.com';
  const cases: { name: string; claim: FakeCluster['routes'][number]; routed: boolean }[] = [
    {
      name: "the tenant's own route",
      claim: { kind: 'Ingress', namespace: 'tenant-acme', name: 'app', tenant: 'acme', createdAt: '2024-01-01T00:00:00Z', hosts: [host] },
      routed: true,
    },
    // globex is served here and now claims another host; its old route is about to be rewritten.
    {
      name: 'a stale route of a tenant served here',
      claim: {
        kind: 'Ingress',
        namespace: 'tenant-globex',
        name: 'app',
        tenant: 'globex',
        createdAt: '2024-01-01T00:00:00Z',
        hosts: [host],
      },
      routed: true,
    },
    // initech is served by another operator (another shard): its route is as binding as anyone's.
    {
      name: "another shard's tenant",
      claim: {
        kind: 'Ingress',
        namespace: 'tenant-initech',
        name: 'app',
        tenant: 'initech',
        createdAt: '2024-01-01T00:00:00Z',
        hosts: [host],
      },
      routed: false,
    },
  ];
  for (const k of cases) {
    const cluster = new FakeCluster(tenant('acme', { host }), tenant('globex', {}, { uid: 'globex-uid' }));
    cluster.routes.push(k.claim);
    await reconcileTenant('acme', deps(cluster, config()));
    assert.equal(kindsOf(cluster.calls, 'apply').has('Ingress'), k.routed, k.name);
    assert.equal(condition(cluster.status(), Cond.HostConflict)?.status, k.routed ? 'False' : 'True', k.name);
    if (!k.routed) assert.match(condition(cluster.status(), Cond.HostConflict)?.message ?? '', /Ingress tenant-initech\/app/, k.name);
  }
});

test('review 9: a route Tenantry does not own, created after the tenant was routed, is reported and touches nothing', async () => {
  const host = 'acme.tenants.example.com';
  const ingressKey = 'networking.k8s.io/v1/Ingress/tenant-acme/app';
  const later = { kind: 'Ingress', namespace: 'team-b', name: 'grab', createdAt: '2025-02-01T00:00:00Z', hosts: [host] };
  {
    const { cluster, d } = await converged();
    cluster.edit(ingressKey, (o) => (o.metadata = { ...o.metadata, creationTimestamp: '2025-01-02T00:00:00Z' as unknown as Date }));
    cluster.reset();
    cluster.routes.push(later);
    await reconcileTenant('acme', d);
    assert.deepEqual(keysOf(cluster.calls, 'delete'), [], 'the first route stays');
    assert.deepEqual(keysOf(cluster.calls, 'apply'), [], 'and nothing is rewritten');
    const status = cluster.status();
    const hc = condition(status, Cond.HostConflict);
    assert.equal(hc?.status, 'True');
    assert.equal(hc?.reason, Reason.HostSharedWithForeignRoute);
    assert.match(hc?.message ?? '', /Ingress team-b\/grab also routes host acme\.tenants\.example\.com/);
    assert.equal(condition(status, Cond.IngressReady)?.status, 'True', 'the route is still ours');
    assert.equal(status?.url, `https://${host}`);
    assert.deepEqual(
      cluster.events.map((e) => [e.type, e.reason]),
      [['Warning', EventReason.HostConflict]],
    );
    cluster.reset();
    assert.equal((await reconcileTenant('acme', d)).writes, 0, 'stable');
    assert.deepEqual(cluster.events, [], 'warned once');
  }
  {
    // Control: the same route, but there before ours (a cache that missed it when ours was made).
    const { cluster, d } = await converged();
    cluster.edit(ingressKey, (o) => (o.metadata = { ...o.metadata, creationTimestamp: '2025-01-02T00:00:00Z' as unknown as Date }));
    cluster.reset();
    cluster.routes.push({ ...later, createdAt: '2025-01-01T00:00:00Z' });
    await reconcileTenant('acme', d);
    assert.deepEqual(kindsOf(cluster.calls, 'delete'), new Set(['Ingress', 'Certificate']), 'the earlier claim wins');
    assert.equal(condition(cluster.status(), Cond.HostConflict)?.reason, Reason.HostClaimedByForeignRoute);
  }
});
