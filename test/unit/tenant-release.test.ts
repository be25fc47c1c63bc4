// The Tenant reconciler with release channels (P12), on an in-memory cluster: the images its
// channel gives a tenant reach its Deployment and StatefulSet, status.release reports the rollout
// as the channel reconciler reads it, and a pass over an unchanged tenant still writes nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Deployment, StatefulSet } from 'kubernetes-types/apps/v1.js';
import { Cond, Reason } from '../../src/api/conditions.js';
import type { ReleaseChannel, ReleaseChannelStatus, Tenant, TenantStatus } from '../../src/api/generated/index.js';
import type { OperatorConfig } from '../../src/config.js';
import { DesiredCache, reconcileTenant, type ReconcileDeps } from '../../src/controller/tenant.js';
import { clone, clusterConfig, FakeCluster, storedTenant, tenantKey } from '../support/fake-cluster.js';

const T0 = new Date('2026-12-01T10:00:00Z');
const HOUR = 3_600_000;
const DEPLOYMENT = 'apps/v1/Deployment/tenant-acme/app';
const STATEFULSET = 'apps/v1/StatefulSet/tenant-acme/database';
const REV2 = { app: 'registry.example.com/app:2.0.1', postgres: 'postgres:17.2' };

function channel(status: ReleaseChannelStatus | undefined, name = 'stable'): ReleaseChannel {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'ReleaseChannel',
    metadata: { name },
    spec: { images: REV2 },
    ...(status ? { status } : {}),
  };
}

/** A cluster holding `t`, and deps whose clock and channel cache the test moves. */
function setup(t: Tenant, cfg: OperatorConfig = clusterConfig(), extra: Partial<ReconcileDeps> = {}) {
  const cluster = new FakeCluster(t);
  const channels = new Map<string, ReleaseChannel>();
  let now = T0;
  let n = 0;
  const d: ReconcileDeps = {
    config: cfg,
    view: cluster,
    writer: cluster,
    now: () => now,
    newPassword: () => `password-${++n}`,
    releaseChannel: (name) => channels.get(name),
    ...extra,
  };
  return {
    cluster,
    channels,
    d,
    advance: (ms: number) => (now = new Date(now.getTime() + ms)),
    pass: () => reconcileTenant('acme', d),
  };
}

const appImage = (c: FakeCluster) => (c.server.get(DEPLOYMENT) as Deployment | undefined)?.spec?.template?.spec?.containers?.[0]?.image;
const dbImage = (c: FakeCluster) => (c.server.get(STATEFULSET) as StatefulSet | undefined)?.spec?.template?.spec?.containers?.[0]?.image;
const condition = (s: TenantStatus | undefined, type: string) => s?.conditions?.find((c) => c.type === type);

/** Makes the cached Deployment and StatefulSet report a finished rollout of what is stored. */
function rollOut(cluster: FakeCluster): void {
  cluster.edit(DEPLOYMENT, (o) => {
    const replicas = (o.spec as { replicas: number }).replicas;
    o.status = { observedGeneration: 0, replicas, updatedReplicas: replicas, availableReplicas: replicas, readyReplicas: replicas };
  });
  cluster.edit(STATEFULSET, (o) => {
    o.status = { observedGeneration: 0, replicas: 1, readyReplicas: 1, currentRevision: 'r1', updateRevision: 'r1' };
  });
}

test('no channel: no status.release, no PatchPinned, the configured images (as before channels)', async () => {
  const { cluster, pass } = setup(storedTenant());
  await pass();
  assert.equal(cluster.status()?.release, undefined);
  assert.equal(condition(cluster.status(), Cond.PatchPinned), undefined);
  assert.equal(appImage(cluster), clusterConfig().images.app);
});

test('a released channel: its images reach the workloads; status.release Updating, then Ready; then zero writes', async () => {
  const { cluster, channels, pass, advance } = setup(storedTenant('acme', { app: { replicas: 2, channel: 'stable' } }));
  channels.set('stable', channel({ revision: 2, images: REV2, releasedWaves: 1, phase: 'Progressing' }));
  await pass();
  assert.equal(appImage(cluster), REV2.app);
  assert.equal(dbImage(cluster), REV2.postgres);
  const first = cluster.status()?.release;
  assert.deepEqual(first, {
    channel: 'stable',
    revision: 2,
    images: { ...REV2, mariadb: clusterConfig().images.mariadb },
    wave: 'all',
    state: 'Updating',
    updatedAt: '2026-12-01T10:00:00Z',
    message: `updating to revision 2: app 0/2 available on ${REV2.app}, 0 updated, 0 in all; database 0/1 ready on ${REV2.postgres}`,
  });
  assert.equal(condition(cluster.status(), Cond.PatchPinned), undefined, 'not pinned: no PatchPinned');

  cluster.reset();
  advance(HOUR);
  assert.equal((await pass()).writes, 0, 'nothing changed: zero writes an hour later');

  rollOut(cluster);
  advance(60_000);
  await pass();
  const ready = cluster.status()?.release;
  assert.equal(ready?.state, 'Ready');
  assert.equal(ready?.readySince, '2026-12-01T11:01:00Z');
  assert.equal(ready?.updatedAt, first?.updatedAt, 'updatedAt stays: same images');

  cluster.reset();
  advance(HOUR);
  for (let i = 0; i < 2; i++) assert.equal((await pass()).writes, 0, 'ready and unchanged: zero writes, readySince kept');
  assert.deepEqual(cluster.status()?.release, ready);
});

test('a wave not released yet: the configured images, Pending; its release then updates the workloads (with the desired memo)', async () => {
  const { cluster, channels, pass, advance } = setup(storedTenant('acme', { app: { replicas: 2, channel: 'stable' } }), clusterConfig(), {
    desired: new DesiredCache(),
  });
  channels.set('stable', channel({ revision: 2, images: REV2, releasedWaves: 0, phase: 'Waiting' }));
  await pass();
  assert.equal(appImage(cluster), clusterConfig().images.app);
  assert.deepEqual([cluster.status()?.release?.state, cluster.status()?.release?.revision], ['Pending', 0]);
  assert.equal(cluster.status()?.release?.message, 'wave all is not released to revision 2 yet; running revision 0');

  // The channel releases the wave: same Tenant generation, new images.
  channels.set('stable', channel({ revision: 2, images: REV2, releasedWaves: 1, phase: 'Progressing' }));
  cluster.reset();
  advance(HOUR);
  await pass();
  assert.equal(appImage(cluster), REV2.app, 'the memo of desired manifests is keyed by the images too');
  assert.deepEqual(
    cluster.calls
      .filter((c) => c.op === 'apply')
      .map((c) => c.key)
      .sort(),
    [DEPLOYMENT, STATEFULSET],
    'only the workloads change',
  );
  assert.deepEqual([cluster.status()?.release?.state, cluster.status()?.release?.updatedAt], ['Updating', '2026-12-01T11:00:00Z']);
});

test('a pinned tenant on a channel: its own image, status.release Pinned, PatchPinned True; Ready unaffected', async () => {
  const t = storedTenant('acme', { app: { replicas: 2, channel: 'stable', image: 'registry.example.com/app:1.9-custom' } });
  const { cluster, channels, pass } = setup(t);
  channels.set('stable', channel({ revision: 2, images: REV2, releasedWaves: 1, phase: 'Progressing' }));
  await pass();
  assert.equal(appImage(cluster), 'registry.example.com/app:1.9-custom');
  assert.equal(dbImage(cluster), clusterConfig().images.postgres, 'no held database image: the configured one');
  const status = cluster.status();
  assert.equal(status?.release?.state, 'Pinned');
  const pinned = condition(status, Cond.PatchPinned);
  assert.deepEqual(
    [pinned?.status, pinned?.reason, pinned?.message],
    [
      'True',
      Reason.ImagePinned,
      'spec.app.image pins the app to registry.example.com/app:1.9-custom: no rollout of channel stable updates it; remove spec.app.image to follow the channel',
    ],
  );
  rollOut(cluster);
  await pass();
  assert.equal(condition(cluster.status(), Cond.Ready)?.status, 'True', 'PatchPinned does not hold back Ready');

  // Unpinned: the channel's images, and PatchPinned goes.
  const unpinned = clone(cluster.serverTenants.get(tenantKey('acme'))!);
  unpinned.spec.app = { replicas: 2, channel: 'stable' };
  unpinned.metadata.generation = 2;
  cluster.putTenant(unpinned);
  await pass();
  assert.equal(appImage(cluster), REV2.app);
  assert.equal(condition(cluster.status(), Cond.PatchPinned), undefined);
  assert.equal(cluster.status()?.release?.state, 'Updating');
});

test('release.defaultChannel: a tenant without spec.app.channel follows it; a missing channel is waited for', async () => {
  const cfg = clusterConfig('nginx', {}, { release: { defaultChannel: 'main' } });
  const { cluster, channels, pass } = setup(storedTenant(), cfg);
  await pass();
  assert.deepEqual(
    [cluster.status()?.release?.channel, cluster.status()?.release?.state, cluster.status()?.release?.message],
    ['main', 'Pending', 'waiting for ReleaseChannel main'],
  );
  assert.equal(appImage(cluster), cfg.images.app);
  channels.set('main', channel({ revision: 1, images: REV2, releasedWaves: 1, phase: 'Progressing' }, 'main'));
  await pass();
  assert.equal(appImage(cluster), REV2.app);
  assert.deepEqual([cluster.status()?.release?.channel, cluster.status()?.release?.revision], ['main', 1]);
});

test('a tenant that stops following a channel: its status.release is removed and it runs the configured images', async () => {
  const { cluster, channels, pass } = setup(storedTenant('acme', { app: { replicas: 2, channel: 'stable' } }));
  channels.set('stable', channel({ revision: 2, images: REV2, releasedWaves: 1, phase: 'Progressing' }));
  await pass();
  assert.ok(cluster.status()?.release);
  const t = clone(cluster.serverTenants.get(tenantKey('acme'))!);
  t.spec.app = { replicas: 2 };
  t.metadata.generation = 2;
  cluster.putTenant(t);
  await pass();
  assert.equal(cluster.status()?.release, undefined);
  assert.equal(appImage(cluster), clusterConfig().images.app);
});

test('rolled back after a halt: the stable images, state RolledBack', async () => {
  const { cluster, channels, pass } = setup(storedTenant('acme', { app: { replicas: 2, channel: 'stable' } }));
  channels.set('stable', channel({ revision: 2, images: REV2, releasedWaves: 1, phase: 'Progressing' }));
  await pass();
  channels.set(
    'stable',
    channel({
      revision: 2,
      images: REV2,
      releasedWaves: 1,
      phase: 'Halted',
      rolledBack: ['acme'],
      stable: { revision: 1, images: { app: 'registry.example.com/app:2.0.0' } },
    }),
  );
  await pass();
  assert.equal(appImage(cluster), 'registry.example.com/app:2.0.0');
  assert.equal(dbImage(cluster), clusterConfig().images.postgres, 'the stable revision sets no database image: the configured one');
  assert.deepEqual([cluster.status()?.release?.state, cluster.status()?.release?.revision], ['RolledBack', 1]);
});
