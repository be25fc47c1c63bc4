// The Tenant side of a release channel (P12), case by case: which images a tenant runs and what
// its status.release says, from the tenant, its channel, the configured images, the readiness of
// its workloads and the time; and when those workloads count as rolled out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Deployment, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { ReleaseChannel, ReleaseChannelStatus, Tenant, TenantStatusRelease } from '../../src/api/generated/index.js';
import { observeRollout } from '../../src/release/readiness.js';
import { pinnedMessage, releaseStatus, releaseTarget, type ReleaseTarget } from '../../src/release/target.js';
import type { ResolvedImages } from '../../src/release/types.js';
import { waveIndexOf } from '../../src/release/waves.js';

const CONFIG: ResolvedImages = { app: 'registry/app:1.0.0', postgres: 'postgres:17', mariadb: 'mariadb:11' };
const REV2 = { app: 'registry/app:2.0.0', postgres: 'postgres:17.2' };
const STABLE = { revision: 1, images: { app: 'registry/app:1.5.0' } };
const T0 = new Date('2026-12-01T10:00:00Z');
const T1 = new Date('2026-12-01T11:00:00Z');

function tenant(
  name = 'acme',
  opts: { image?: string; channel?: string; suspend?: boolean; labels?: Record<string, string> } = {},
): Tenant {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Tenant',
    metadata: { name, uid: `uid-${name}`, generation: 1, ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: {
      plan: 'paid',
      region: 'eu-west-1',
      app: { ...(opts.image ? { image: opts.image } : {}), ...(opts.channel ? { channel: opts.channel } : {}) },
      database: { engine: 'postgres' },
      ...(opts.suspend ? { suspend: true } : {}),
    },
  };
}

function withRelease(t: Tenant, release: TenantStatusRelease): Tenant {
  return { ...t, status: { ...t.status, release } };
}

function channel(
  status: ReleaseChannelStatus | undefined,
  waves?: NonNullable<ReleaseChannel['spec']['rollout']>['waves'],
): ReleaseChannel {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'ReleaseChannel',
    metadata: { name: 'stable' },
    spec: { images: { app: REV2.app, postgres: REV2.postgres }, ...(waves ? { rollout: { waves } } : {}) },
    ...(status ? { status } : {}),
  };
}

/** A channel whose revision 2 (REV2) is released to `releasedWaves` waves. */
const released = (releasedWaves: number, more: Partial<ReleaseChannelStatus> = {}) =>
  channel({ revision: 2, images: REV2, releasedWaves, phase: 'Progressing', ...more });

const HELD: TenantStatusRelease = {
  channel: 'stable',
  revision: 1,
  images: { app: 'registry/app:1.5.0', postgres: 'postgres:17.1', mariadb: 'mariadb:11' },
  state: 'Ready',
  updatedAt: '2026-11-30T00:00:00Z',
  readySince: '2026-11-30T00:05:00Z',
  message: 'revision 1 ready',
};

interface Case {
  name: string;
  tenant: Tenant;
  channelName: string | undefined;
  channel: ReleaseChannel | undefined;
  want: Partial<ReleaseTarget> | undefined;
}

const cases: Case[] = [
  {
    name: 'no channel: undefined (the configured images, as without channels)',
    tenant: tenant(),
    channelName: undefined,
    channel: undefined,
    want: undefined,
  },
  {
    name: 'no channel, pinned: still undefined (spec.app.image as without channels)',
    tenant: tenant('acme', { image: 'mine:1' }),
    channelName: undefined,
    channel: undefined,
    want: undefined,
  },
  {
    name: 'pinned: its own app image, the configured database images, revision 0',
    tenant: tenant('acme', { image: 'mine:1' }),
    channelName: 'stable',
    channel: released(1),
    want: { state: 'Pinned', revision: 0, images: { ...CONFIG, app: 'mine:1' }, pinnedImage: 'mine:1', wave: 'all' },
  },
  {
    name: 'pinned after a revision: keeps the held database images and revision',
    tenant: withRelease(tenant('acme', { image: 'mine:1' }), HELD),
    channelName: 'stable',
    channel: released(1),
    want: { state: 'Pinned', revision: 1, images: { ...HELD.images, app: 'mine:1' } as ResolvedImages },
  },
  {
    name: 'channel not in the cache: Pending on the configured images',
    tenant: tenant(),
    channelName: 'stable',
    channel: undefined,
    want: { state: 'Pending', revision: 0, images: CONFIG, message: 'waiting for ReleaseChannel stable', wave: undefined },
  },
  {
    name: 'channel not in the cache: the held images stay',
    tenant: withRelease(tenant(), HELD),
    channelName: 'stable',
    channel: undefined,
    want: { state: 'Pending', revision: 1, images: HELD.images as ResolvedImages },
  },
  {
    name: 'channel without a revision yet: Pending',
    tenant: tenant(),
    channelName: 'stable',
    channel: channel(undefined),
    want: { state: 'Pending', revision: 0, images: CONFIG, message: 'channel stable has no revision yet' },
  },
  {
    name: 'released: the revision images, the configured mariadb filled in',
    tenant: tenant(),
    channelName: 'stable',
    channel: released(1),
    want: { state: 'Released', revision: 2, images: { ...REV2, mariadb: CONFIG.mariadb }, wave: 'all', failed: undefined },
  },
  {
    name: 'released and listed as failed: marked failed',
    tenant: tenant(),
    channelName: 'stable',
    channel: released(1, { failed: [{ tenant: 'acme', wave: 'all', reason: 'NotReady', message: '' }] }),
    want: { state: 'Released', revision: 2, failed: true },
  },
  {
    name: 'wave not released, nothing held: the stable revision',
    tenant: tenant(),
    channelName: 'stable',
    channel: released(0, { stable: STABLE }),
    want: { state: 'Pending', revision: 1, images: { ...CONFIG, app: STABLE.images.app } },
  },
  {
    name: 'wave not released, no stable: the configured images, revision 0',
    tenant: tenant(),
    channelName: 'stable',
    channel: released(0),
    want: { state: 'Pending', revision: 0, images: CONFIG },
  },
  {
    name: 'wave not released: the held revision stays (never backwards to stable)',
    tenant: withRelease(tenant(), { ...HELD, revision: 3, images: { app: 'registry/app:3' } }),
    channelName: 'stable',
    channel: released(0, { stable: STABLE }),
    want: { state: 'Pending', revision: 3, images: { ...CONFIG, app: 'registry/app:3' } },
  },
  {
    name: 'wave not released, held from another channel: its images, revision 0',
    tenant: withRelease(tenant(), { ...HELD, channel: 'beta', revision: 7 }),
    channelName: 'stable',
    channel: released(0),
    want: { state: 'Pending', revision: 0, images: HELD.images as ResolvedImages },
  },
  {
    name: 'wave not released, previously pinned: the pinned app image is not held',
    tenant: withRelease(tenant(), { ...HELD, state: 'Pinned', images: { ...HELD.images, app: 'mine:1' } }),
    channelName: 'stable',
    channel: released(0, { stable: STABLE }),
    want: { state: 'Pending', revision: 1, images: { ...CONFIG, app: STABLE.images.app } },
  },
  {
    name: 'rolled back: the stable revision even though its wave is released',
    tenant: withRelease(tenant(), { ...HELD, revision: 2, images: { ...REV2, mariadb: CONFIG.mariadb } }),
    channelName: 'stable',
    channel: released(1, { phase: 'Halted', rolledBack: ['acme'], stable: STABLE }),
    want: { state: 'RolledBack', revision: 1, images: { ...CONFIG, app: STABLE.images.app } },
  },
  {
    name: 'rolled back without a stable revision: the configured images',
    tenant: tenant(),
    channelName: 'stable',
    channel: released(1, { phase: 'Halted', rolledBack: ['acme'] }),
    want: {
      state: 'RolledBack',
      revision: 0,
      images: CONFIG,
      message: "rolled back to the operator's configured images: the rollout of revision 2 halted",
    },
  },
  {
    name: 'suspended: Held on the images it has, even with its wave released',
    tenant: withRelease(tenant('acme', { suspend: true }), HELD),
    channelName: 'stable',
    channel: released(1),
    want: { state: 'Held', revision: 1, images: HELD.images as ResolvedImages },
  },
  {
    name: 'suspended with nothing held: the stable revision',
    tenant: tenant('acme', { suspend: true }),
    channelName: 'stable',
    channel: released(1, { stable: STABLE }),
    want: { state: 'Held', revision: 1, images: { ...CONFIG, app: STABLE.images.app } },
  },
  {
    name: 'closed (lifecycle phase): Held on the configured images when there is no stable',
    tenant: { ...tenant(), status: { lifecycle: { phase: 'Closed' } } },
    channelName: 'stable',
    channel: released(1),
    want: { state: 'Held', revision: 0, images: CONFIG },
  },
];

test('releaseTarget: which images a tenant runs, case by case', () => {
  for (const c of cases) {
    const got = releaseTarget(c.tenant, c.channelName, c.channel, CONFIG);
    if (c.want === undefined) {
      assert.equal(got, undefined, c.name);
      continue;
    }
    assert.ok(got, c.name);
    for (const [k, v] of Object.entries(c.want)) assert.deepEqual(got[k as keyof ReleaseTarget], v, `${c.name}: ${k}`);
    assert.equal(got.channel, c.channelName, `${c.name}: channel`);
  }
});

test('releaseTarget: a selector wave (canaries) is released first; the other tenants wait on what they run', () => {
  const waves = [
    { name: 'canary', selector: { matchLabels: { ring: 'canary' } } },
    { name: 'rest', percent: 100 },
  ];
  const ch = channel({ revision: 2, images: REV2, releasedWaves: 1, stable: STABLE }, waves);
  const canary = releaseTarget(tenant('c1', { labels: { ring: 'canary' } }), 'stable', ch, CONFIG);
  const other = releaseTarget(tenant('o1'), 'stable', ch, CONFIG);
  assert.deepEqual([canary?.state, canary?.wave, canary?.revision, canary?.images.app], ['Released', 'canary', 2, REV2.app]);
  assert.deepEqual([other?.state, other?.wave, other?.revision, other?.images.app], ['Pending', 'rest', 1, STABLE.images.app]);
  assert.equal(other?.message, 'wave rest is not released to revision 2 yet; running revision 1');
  // Both waves released: everyone gets revision 2.
  const all = releaseTarget(tenant('o1'), 'stable', { ...ch, status: { ...ch.status, releasedWaves: 2 } }, CONFIG);
  assert.equal(all?.state, 'Released');
});

test('releaseTarget: percent waves release exactly the tenants whose wave index is below releasedWaves', () => {
  const waves = [
    { name: 'ten', percent: 10 },
    { name: 'half', percent: 50 },
    { name: 'all', percent: 100 },
  ];
  for (const releasedWaves of [0, 1, 2, 3]) {
    const ch = channel({ revision: 2, images: REV2, releasedWaves }, waves);
    for (let i = 0; i < 60; i++) {
      const t = tenant(`t${i}`);
      const index = waveIndexOf('stable', { name: `t${i}`, labels: {} }, waves);
      const got = releaseTarget(t, 'stable', ch, CONFIG);
      assert.equal(got?.wave, waves[index]!.name);
      assert.equal(got?.state, index < releasedWaves ? 'Released' : 'Pending', `t${i} wave ${index}, ${releasedWaves} released`);
    }
  }
});

test('pinnedMessage names the image and the channel and says how to follow it again', () => {
  assert.equal(
    pinnedMessage('mine:1', 'stable'),
    'spec.app.image pins the app to mine:1: no rollout of channel stable updates it; remove spec.app.image to follow the channel',
  );
});

const target = (over: Partial<ReleaseTarget> = {}): ReleaseTarget => ({
  channel: 'stable',
  images: { ...REV2, mariadb: CONFIG.mariadb },
  revision: 2,
  state: 'Released',
  wave: 'all',
  message: 'revision 2',
  ...over,
});
const READY = { ready: true, message: 'app 2/2 available on registry/app:2.0.0; database 1/1 ready on postgres:17.2' };
const NOT_READY = { ready: false, message: 'app 0/2 available on registry/app:2.0.0' };

test('releaseStatus: the state of a released tenant follows its readiness and the channel failed list', () => {
  assert.equal(releaseStatus(target(), undefined, READY, T0).state, 'Ready');
  assert.equal(releaseStatus(target(), undefined, NOT_READY, T0).state, 'Updating');
  assert.equal(releaseStatus(target({ failed: true }), undefined, NOT_READY, T0).state, 'Failed');
  // Ready wins over a stale failed listing: the channel takes it off once it sees it healthy.
  assert.equal(releaseStatus(target({ failed: true }), undefined, READY, T0).state, 'Ready');
  assert.equal(releaseStatus(target(), undefined, undefined, T0).state, 'Updating');
  assert.match(releaseStatus(target(), undefined, NOT_READY, T0).message ?? '', /app 0\/2 available on registry\/app:2\.0\.0/);
  // Other states keep their own message whatever the readiness.
  const pending = releaseStatus(target({ state: 'Pending', message: 'wave all is not released' }), undefined, READY, T0);
  assert.deepEqual([pending.state, pending.message], ['Pending', 'wave all is not released']);
});

test('releaseStatus: updatedAt changes only with the images; readySince is kept while ready, dropped when not', () => {
  const first = releaseStatus(target(), undefined, NOT_READY, T0);
  assert.deepEqual(first, {
    channel: 'stable',
    revision: 2,
    images: { ...REV2, mariadb: CONFIG.mariadb },
    wave: 'all',
    state: 'Updating',
    updatedAt: '2026-12-01T10:00:00Z',
    message: `updating to revision 2: ${NOT_READY.message}`,
  });
  // Same images, later: nothing moves (a pass over an unchanged tenant writes nothing).
  assert.deepEqual(releaseStatus(target(), first, NOT_READY, T1), first);
  const ready = releaseStatus(target(), first, READY, T1);
  assert.equal(ready.updatedAt, first.updatedAt);
  assert.equal(ready.readySince, '2026-12-01T11:00:00Z');
  const later = new Date('2026-12-01T12:00:00Z');
  assert.deepEqual(releaseStatus(target(), ready, READY, later), ready, 'readySince kept while ready');
  const lost = releaseStatus(target(), ready, NOT_READY, later);
  assert.equal(lost.readySince, undefined, 'readySince dropped when not ready');
  assert.equal(lost.updatedAt, first.updatedAt);
  // New images: updatedAt now, and readiness on the old images does not carry over.
  const next = releaseStatus(target({ revision: 3, images: { ...CONFIG, app: 'registry/app:3' } }), ready, READY, later);
  assert.equal(next.updatedAt, '2026-12-01T12:00:00Z');
  assert.equal(next.readySince, '2026-12-01T12:00:00Z');
  // A previous status.release without updatedAt gets one.
  const { updatedAt: _u, ...noUpdatedAt } = first;
  assert.equal(releaseStatus(target(), noUpdatedAt, NOT_READY, T1).updatedAt, '2026-12-01T11:00:00Z');
});

test('releaseStatus: no wave while the channel is unknown; the timestamp has whole seconds', () => {
  const s = releaseStatus(target({ wave: undefined, state: 'Pending' }), undefined, undefined, new Date('2026-12-01T10:00:00.123Z'));
  assert.equal('wave' in s, false);
  assert.equal(s.updatedAt, '2026-12-01T10:00:00Z');
});

// observeRollout: the workloads as the caches show them.

function deployment(image: string, status: Deployment['status'], generation = 2): Deployment {
  return {
    metadata: { name: 'app', generation },
    spec: { selector: {}, template: { spec: { containers: [{ name: 'app', image }] } } },
    status: { observedGeneration: generation, ...status },
  };
}
function statefulSet(image: string, status: Partial<NonNullable<StatefulSet['status']>>, generation = 1): StatefulSet {
  return {
    metadata: { name: 'database', generation },
    spec: { selector: {}, serviceName: 'database', template: { spec: { containers: [{ name: 'postgres', image }] } } },
    status: { replicas: 1, observedGeneration: generation, currentRevision: 'r1', updateRevision: 'r1', ...status },
  };
}
const WANTED = { app: { replicas: 2, image: REV2.app }, database: { replicas: 1, image: REV2.postgres } };
const DONE = { replicas: 2, updatedReplicas: 2, availableReplicas: 2 };

test('observeRollout: ready only when every pod runs the wanted spec and is available or ready', () => {
  const sts = statefulSet(REV2.postgres, { readyReplicas: 1 });
  const rows: [string, Deployment | undefined, StatefulSet | undefined, boolean][] = [
    ['all rolled out', deployment(REV2.app, DONE), sts, true],
    ['the Deployment still has the old image', deployment(CONFIG.app, DONE), sts, false],
    ['the Deployment controller has not seen the new spec', deployment(REV2.app, { ...DONE, observedGeneration: 1 }), sts, false],
    ['one pod not updated yet', deployment(REV2.app, { ...DONE, updatedReplicas: 1 }), sts, false],
    ['an old pod still running', deployment(REV2.app, { ...DONE, replicas: 3 }), sts, false],
    ['one pod not available', deployment(REV2.app, { ...DONE, availableReplicas: 1 }), sts, false],
    ['no Deployment yet', undefined, sts, false],
    ['the StatefulSet still has the old image', deployment(REV2.app, DONE), statefulSet(CONFIG.postgres, { readyReplicas: 1 }), false],
    [
      'the database pod is of an older revision',
      deployment(REV2.app, DONE),
      statefulSet(REV2.postgres, { readyReplicas: 1, currentRevision: 'r0' }),
      false,
    ],
    ['the database pod not ready', deployment(REV2.app, DONE), statefulSet(REV2.postgres, { readyReplicas: 0 }), false],
    [
      'the StatefulSet controller has not seen the new spec',
      deployment(REV2.app, DONE),
      statefulSet(REV2.postgres, { readyReplicas: 1, observedGeneration: 0 }),
      false,
    ],
    ['no StatefulSet yet', deployment(REV2.app, DONE), undefined, false],
  ];
  for (const [name, dep, s, ready] of rows) assert.equal(observeRollout(WANTED, dep, s).ready, ready, name);
  assert.equal(
    observeRollout(WANTED, deployment(REV2.app, { ...DONE, availableReplicas: 1 }), sts).message,
    `app 1/2 available on ${REV2.app}, 2 updated, 2 in all; database 1/1 ready on ${REV2.postgres}`,
  );
});

test('observeRollout: a stopped database is not needed; an app at zero replicas is rolled out once its spec is seen', () => {
  const stopped = { app: { replicas: 0, image: REV2.app } };
  assert.equal(observeRollout(stopped, deployment(REV2.app, {}), undefined).ready, true);
  assert.equal(observeRollout(stopped, deployment(CONFIG.app, {}), undefined).ready, false);
  assert.match(observeRollout(stopped, deployment(REV2.app, {}), undefined).message, /database stopped/);
});
