// The ReleaseChannel reconciler (P12) on an in-memory cache and writer: which tenants it hands the
// engine, that it writes the status only when it changed, announces each transition once (an Event
// and an audit log line), sets and forgets the release metrics, and says when to look again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import type { ReleaseChannel, ReleaseChannelStatus, Tenant } from '../../src/api/generated/index.js';
import {
  followersToRequeue,
  followersOf,
  reconcileReleaseChannel,
  releaseStatusChanged,
  SECURITY_AGE_REFRESH_MS,
  type ReleaseChannelDeps,
} from '../../src/controller/release-channel.js';
import { createLogger, getLogger, setLogger } from '../../src/log.js';
import { metricsRegistry } from '../../src/metrics.js';
import { evaluateChannel } from '../../src/release/rollout.js';
import type { ChannelEvaluation, EvaluateChannel, ReleaseTenantFacts } from '../../src/release/types.js';

const NOW = new Date('2026-12-02T10:00:00Z');

function channel(name: string, status?: ReleaseChannelStatus): ReleaseChannel {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'ReleaseChannel',
    metadata: { name, uid: `uid-${name}`, generation: 1 },
    spec: { images: { app: 'registry.example/app:2.1.1' }, security: true },
    ...(status ? { status } : {}),
  };
}

function tenant(name: string, app: { channel?: string; image?: string } = {}, extra: Partial<Tenant['spec']> = {}): Tenant {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Tenant',
    metadata: { name, uid: `uid-${name}`, labels: { tier: name } },
    spec: { plan: 'paid', region: 'eu-central-1', database: { engine: 'postgres' }, app, ...extra },
  } as Tenant;
}

const progressing: ReleaseChannelStatus = {
  observedGeneration: 1,
  revision: 1,
  revisionSince: NOW.toISOString(),
  imagesHash: 'abcdef0123456789',
  images: { app: 'registry.example/app:2.1.1' },
  security: true,
  phase: 'Progressing',
  releasedWaves: 1,
  waveName: 'all',
  waveStartedAt: NOW.toISOString(),
  counts: { total: 2, pinned: 0, skipped: 0, updated: 0, healthy: 0, failed: 0, pending: 2 },
  message: 'revision 1: wave all (2 tenants) released; 0/2 updated',
  conditions: [
    {
      type: 'Ready',
      status: 'False',
      reason: 'Progressing',
      message: 'revision 1: wave all (2 tenants) released; 0/2 updated',
      lastTransitionTime: NOW.toISOString(),
      observedGeneration: 1,
    },
  ],
};

/** An engine double: returns `next` (as the real engine would for this situation) and records what it was given. */
function engine(next: () => Omit<ChannelEvaluation, 'status'> & { status: ReleaseChannelStatus }) {
  const calls: { channel: ReleaseChannel; tenants: readonly ReleaseTenantFacts[]; now: Date }[] = [];
  const evaluate: EvaluateChannel = (c, tenants, now) => {
    calls.push({ channel: c, tenants, now });
    return structuredClone(next());
  };
  return { evaluate, calls };
}

/** An in-memory channel cache and writer; a written status lands in the cache as the informer would bring it. */
function fakeCluster(
  channels: ReleaseChannel[],
  tenants: Tenant[],
  evaluate: EvaluateChannel,
  opts: { failEvents?: boolean; failWrite?: boolean } = {},
) {
  const writes: { name: string; status: ReleaseChannelStatus }[] = [];
  const events: { type: string; reason: string; message: string; on: string | undefined }[] = [];
  const deps: ReleaseChannelDeps = {
    view: { releaseChannel: (n) => channels.find((c) => c.metadata.name === n), tenants: () => tenants },
    writer: {
      patchReleaseChannelStatus: (name, status) => {
        if (opts.failWrite) return Promise.reject(new Error('409 conflict'));
        writes.push({ name, status });
        const c = channels.find((x) => x.metadata.name === name);
        if (c) c.status = structuredClone(status);
        return Promise.resolve();
      },
      objectEvent: (o, type, reason, message) => {
        if (opts.failEvents) return Promise.reject(new Error('events are forbidden'));
        events.push({ type, reason, message, on: o.metadata?.name });
        return Promise.resolve();
      },
    },
    now: () => NOW,
    evaluate,
  };
  return { deps, writes, events };
}

/** Captures the JSON log lines written while `fn` runs. */
async function captureLog(fn: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const previous = getLogger();
  setLogger(createLogger('info', { stream }));
  try {
    await fn();
  } finally {
    setLogger(previous);
  }
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function gauge(name: string, channel: string): Promise<number | undefined> {
  const metric = (await metricsRegistry.getMetricsAsJSON()).find((m) => m.name === name);
  return metric?.values.find((v) => v.labels['channel'] === channel)?.value;
}

test('followersOf: tenants naming the channel, and those naming none when it is the default channel', () => {
  const tenants = [
    tenant('a', { channel: 'stable' }),
    tenant('b', { channel: 'edge' }),
    tenant('c'),
    tenant('d', { channel: 'stable', image: 'own/app:1' }),
    tenant('e', { channel: 'stable' }, { suspend: true }),
  ];
  assert.deepEqual(
    followersOf('stable', tenants, undefined).map((f) => [f.name, f.pinned, f.inactive]),
    [
      ['a', false, false],
      ['d', true, false],
      ['e', false, true],
    ],
  );
  assert.deepEqual(
    followersOf('stable', tenants, 'stable').map((f) => f.name),
    ['a', 'c', 'd', 'e'],
  );
  assert.deepEqual(
    followersOf('edge', tenants, 'stable').map((f) => f.name),
    ['b'],
  );
  assert.deepEqual(followersOf('none', tenants, undefined), []);
});

test('releaseStatusChanged: a moved lastTransitionTime alone is no change; anything else is', () => {
  const moved = structuredClone(progressing);
  moved.conditions![0]!.lastTransitionTime = '2026-12-02T11:00:00Z';
  assert.equal(releaseStatusChanged(progressing, moved), false);
  assert.equal(releaseStatusChanged(progressing, structuredClone(progressing)), false);
  assert.equal(releaseStatusChanged(undefined, progressing), true);
  assert.equal(releaseStatusChanged(progressing, { ...progressing, releasedWaves: 2 }), true);
  assert.equal(releaseStatusChanged(progressing, { ...progressing, counts: { ...progressing.counts, updated: 1 } }), true);
  const flipped = structuredClone(progressing);
  flipped.conditions![0]!.status = 'True';
  assert.equal(releaseStatusChanged(progressing, flipped), true);
});

test('reconcileReleaseChannel: writes and announces once, then makes no write while nothing changes', async () => {
  const c = channel('stable');
  const { evaluate, calls } = engine(() => ({
    status: progressing,
    events: [
      { type: 'Normal', reason: 'RolloutStarted', message: 'revision 1 started' },
      { type: 'Normal', reason: 'WaveReleased', message: 'wave all (2 tenants) released to revision 1' },
    ],
    requeueAfterMs: 900_000,
    outdated: 2,
    securityPatchAgeSeconds: 0,
  }));
  const tenants = [tenant('a', { channel: 'stable' }), tenant('b', { channel: 'stable' }), tenant('x', { channel: 'other' })];
  const { deps, writes, events } = fakeCluster([c], tenants, evaluate);

  const lines = await captureLog(async () => {
    const first = await reconcileReleaseChannel('stable', deps);
    assert.deepEqual(first, { writes: 1, requeueAfterMs: 900_000 });
  });
  assert.equal(calls.length, 1);
  assert.deepEqual(
    calls[0]?.tenants.map((t) => t.name),
    ['a', 'b'],
  );
  assert.equal(calls[0]?.now, NOW);
  assert.deepEqual(writes, [{ name: 'stable', status: progressing }]);
  assert.deepEqual(
    events.map((e) => [e.on, e.type, e.reason, e.message]),
    [
      ['stable', 'Normal', 'RolloutStarted', 'revision 1 started'],
      ['stable', 'Normal', 'WaveReleased', 'wave all (2 tenants) released to revision 1'],
    ],
  );
  const audit = lines.filter((l) => l['message'] === 'release audit');
  assert.deepEqual(
    audit.map((l) => [l['channel'], l['reason'], l['detail'], l['revision'], l['audit']]),
    [
      ['stable', 'RolloutStarted', 'revision 1 started', 1, true],
      ['stable', 'WaveReleased', 'wave all (2 tenants) released to revision 1', 1, true],
    ],
  );

  // The status is now in the cache; the engine finds the same situation (a double that still
  // reports the events proves they are tied to a written change, not repeated every pass).
  const again = await captureLog(async () => {
    const second = await reconcileReleaseChannel('stable', deps);
    assert.deepEqual(second, { writes: 0, requeueAfterMs: 900_000 });
  });
  assert.equal(writes.length, 1, 'an unchanged status is not written again');
  assert.equal(events.length, 2, 'nothing new to announce');
  assert.equal(again.filter((l) => l['message'] === 'release audit').length, 0);
  assert.equal(calls[1]?.channel.status?.revision, 1, 'the engine is given the stored status');
});

test('reconcileReleaseChannel: a Warning transition is a Warning Event and a warn audit line', async () => {
  const halted: ReleaseChannelStatus = {
    ...progressing,
    phase: 'Halted',
    rolledBack: ['a'],
    failed: [{ tenant: 'a', wave: 'all', reason: 'NotReady', message: 'app 0/1 available' }],
  };
  const { evaluate } = engine(() => ({
    status: halted,
    events: [
      { type: 'Warning', reason: 'RolloutHalted', message: 'wave all: 1 failed tenant (a) exceeds the failure budget 0; rolled back' },
    ],
    outdated: 2,
    securityPatchAgeSeconds: 3600,
  }));
  const { deps, events } = fakeCluster([channel('stable', progressing)], [], evaluate);
  const lines = await captureLog(() => reconcileReleaseChannel('stable', deps));
  assert.deepEqual(
    events.map((e) => [e.type, e.reason]),
    [['Warning', 'RolloutHalted']],
  );
  const audit = lines.find((l) => l['message'] === 'release audit');
  assert.equal(audit?.['level'], 'warn');
  assert.equal(await gauge('tenantry_release_halted', 'stable'), 1);
});

test('reconcileReleaseChannel: sets the metrics from the evaluation, and forgets them when the channel is deleted', async () => {
  let outdated = 5;
  const { evaluate } = engine(() => ({
    status: { ...progressing, counts: { ...progressing.counts, pending: outdated } },
    events: [],
    outdated,
    securityPatchAgeSeconds: outdated > 0 ? 7200 : 0,
  }));
  const channels = [channel('metrics-ch')];
  const { deps } = fakeCluster(channels, [], evaluate);
  await reconcileReleaseChannel('metrics-ch', deps);
  assert.equal(await gauge('tenantry_release_outdated_tenants', 'metrics-ch'), 5);
  assert.equal(await gauge('tenantry_release_security_patch_age_seconds', 'metrics-ch'), 7200);
  assert.equal(await gauge('tenantry_release_halted', 'metrics-ch'), 0);

  outdated = 0;
  await reconcileReleaseChannel('metrics-ch', deps);
  assert.equal(await gauge('tenantry_release_outdated_tenants', 'metrics-ch'), 0);
  assert.equal(await gauge('tenantry_release_security_patch_age_seconds', 'metrics-ch'), 0);

  channels.length = 0;
  assert.deepEqual(await reconcileReleaseChannel('metrics-ch', deps), { writes: 0, deleted: true });
  assert.equal(await gauge('tenantry_release_outdated_tenants', 'metrics-ch'), undefined);
  assert.equal(await gauge('tenantry_release_security_patch_age_seconds', 'metrics-ch'), undefined);
  assert.equal(await gauge('tenantry_release_halted', 'metrics-ch'), undefined);
});

test('reconcileReleaseChannel: a deleted channel is not evaluated and writes nothing', async () => {
  const { evaluate, calls } = engine(() => ({ status: progressing, events: [], outdated: 0, securityPatchAgeSeconds: 0 }));
  const { deps, writes, events } = fakeCluster([channel('other')], [], evaluate);
  assert.deepEqual(await reconcileReleaseChannel('gone', deps), { writes: 0, deleted: true });
  assert.equal(calls.length, 0);
  assert.equal(writes.length + events.length, 0);
});

test('reconcileReleaseChannel: an Event that cannot be recorded does not fail the pass; a failed write announces nothing', async () => {
  const evaluation = () => ({
    status: progressing,
    events: [{ type: 'Normal' as const, reason: 'RolloutStarted', message: 'revision 1 started' }],
    outdated: 1,
    securityPatchAgeSeconds: 0,
  });
  const noEvents = fakeCluster([channel('stable')], [], engine(evaluation).evaluate, { failEvents: true });
  const lines = await captureLog(async () => assert.deepEqual(await reconcileReleaseChannel('stable', noEvents.deps), { writes: 1 }));
  assert.equal(noEvents.writes.length, 1);
  assert.ok(
    lines.some((l) => l['message'] === 'release audit'),
    'the audit line is kept',
  );
  assert.ok(lines.some((l) => l['message'] === 'could not record an Event on a release channel'));

  const noWrite = fakeCluster([channel('stable')], [], engine(evaluation).evaluate, { failWrite: true });
  await assert.rejects(reconcileReleaseChannel('stable', noWrite.deps), /409 conflict/);
  assert.equal(noWrite.events.length, 0, 'a transition not recorded is not announced; the retry will');
});

test('reconcileReleaseChannel: a requeue beyond what a timer holds is capped', async () => {
  const { evaluate } = engine(() => ({
    status: progressing,
    events: [],
    requeueAfterMs: 2 ** 40,
    outdated: 0,
    securityPatchAgeSeconds: 0,
  }));
  const { deps } = fakeCluster([channel('stable', progressing)], [], evaluate);
  assert.deepEqual(await reconcileReleaseChannel('stable', deps), { writes: 0, requeueAfterMs: 2 ** 31 - 1 });
});

test('followersToRequeue: every follower on a new channel, spec, revision, images or stable; none on progress alone', () => {
  const fleet = ['a', 'b', 'c'].map((n) => tenant(n, { channel: 'stable' }));
  const names = (ts: Tenant[]) => ts.map((t) => t.metadata.name).sort();
  const before = channel('stable', progressing);
  assert.deepEqual(names(followersToRequeue(undefined, before, fleet)), ['a', 'b', 'c']);
  assert.deepEqual(followersToRequeue(before, structuredClone(before), fleet), []);
  const progress = channel('stable', {
    ...progressing,
    counts: { ...progressing.counts, updated: 2, healthy: 1 },
    message: 'revision 1: 1/2 healthy',
    soakingSince: NOW.toISOString(),
    conditions: [{ ...progressing.conditions![0]!, message: 'revision 1: 1/2 healthy' }],
  });
  assert.deepEqual(followersToRequeue(before, progress, fleet), [], 'a tenant getting ready does not re-enqueue every follower');
  const whole: Partial<ReleaseChannelStatus>[] = [
    { revision: 2 },
    { images: { app: 'registry.example/app:2.1.2' } },
    { stable: { revision: 1, images: { app: 'registry.example/app:2.1.1' } } },
  ];
  for (const row of whole)
    assert.deepEqual(
      names(followersToRequeue(before, channel('stable', { ...progressing, ...row }), fleet)),
      ['a', 'b', 'c'],
      JSON.stringify(row),
    );
  const respec = channel('stable', progressing);
  respec.spec.rollout = {
    waves: [
      { name: 'canary', percent: 10 },
      { name: 'rest', percent: 100 },
    ],
  };
  assert.deepEqual(names(followersToRequeue(before, respec, fleet)), ['a', 'b', 'c']);
});

test('followersToRequeue: only the tenants of newly released waves and those entering or leaving failed or rolledBack', () => {
  const waves = [
    { name: 'canary', selector: { matchLabels: { tier: 'a' } } },
    { name: 'b-only', selector: { matchLabels: { tier: 'b' } } },
    { name: 'rest', percent: 100 },
  ];
  const fleet = ['a', 'b', 'c'].map((n) => tenant(n, { channel: 'stable' }));
  const names = (ts: Tenant[]) => ts.map((t) => t.metadata.name).sort();
  const at = (status: Partial<ReleaseChannelStatus>) => {
    const c = channel('stable', { ...progressing, ...status });
    c.spec.rollout = { waves };
    return c;
  };
  assert.deepEqual(names(followersToRequeue(at({ releasedWaves: 1 }), at({ releasedWaves: 2 }), fleet)), ['b']);
  assert.deepEqual(names(followersToRequeue(at({ releasedWaves: 1 }), at({ releasedWaves: 3 }), fleet)), ['b', 'c']);
  assert.deepEqual(names(followersToRequeue(at({ releasedWaves: 3 }), at({ releasedWaves: 3, rolledBack: ['c'] }), fleet)), ['c']);
  assert.deepEqual(names(followersToRequeue(at({ releasedWaves: 3, rolledBack: ['c'] }), at({ releasedWaves: 3 }), fleet)), ['c']);
  const failedA = { failed: [{ tenant: 'a', wave: 'canary', reason: 'NotReady' }] };
  assert.deepEqual(names(followersToRequeue(at({ releasedWaves: 2 }), at({ releasedWaves: 2, ...failedA }), fleet)), ['a']);
  assert.deepEqual(
    followersToRequeue(at({ releasedWaves: 2, ...failedA }), at({ releasedWaves: 2, ...failedA, phase: 'Halted' }), fleet),
    [],
  );
});

test('reconcileReleaseChannel with the rollout engine: a new channel gets revision 1 once, then no write', async () => {
  const c = channel('engine');
  const tenants = [tenant('a', { channel: 'engine' }), tenant('p', { channel: 'engine', image: 'own/app:1' })];
  const { deps, writes, events } = fakeCluster([c], tenants, evaluateChannel);
  delete deps.evaluate;
  const first = await reconcileReleaseChannel('engine', deps);
  assert.equal(first.writes, 1);
  assert.equal(writes[0]?.status.revision, 1);
  assert.equal(writes[0]?.status.images?.app, 'registry.example/app:2.1.1');
  assert.equal(writes[0]?.status.counts?.total, 2);
  assert.equal(writes[0]?.status.counts?.pinned, 1);
  assert.ok(events.some((e) => e.reason === 'RolloutStarted'));
  assert.equal(await gauge('tenantry_release_outdated_tenants', 'engine'), 1);
  assert.equal(await gauge('tenantry_release_security_patch_age_seconds', 'engine'), 0, 'no time has passed since the revision');
  const again = await reconcileReleaseChannel('engine', deps);
  assert.equal(again.writes, 0, 'the stored status is what the engine computes again');
  assert.equal(writes.length, 1);
});

test('reconcileReleaseChannel: while a security revision is not everywhere, its age is refreshed at least each minute', async () => {
  const rows: { engineMs?: number; age: number; want?: number }[] = [
    { age: 0 },
    { engineMs: 5000, age: 0, want: 5000 },
    { age: 3600, want: SECURITY_AGE_REFRESH_MS },
    { engineMs: 5000, age: 3600, want: 5000 },
    { engineMs: 600_000, age: 3600, want: SECURITY_AGE_REFRESH_MS },
  ];
  for (const { engineMs, age, want } of rows) {
    const { evaluate } = engine(() => ({
      status: progressing,
      events: [],
      ...(engineMs !== undefined ? { requeueAfterMs: engineMs } : {}),
      outdated: age > 0 ? 1 : 0,
      securityPatchAgeSeconds: age,
    }));
    const { deps } = fakeCluster([channel('stable', progressing)], [], evaluate);
    assert.equal((await reconcileReleaseChannel('stable', deps)).requeueAfterMs, want, JSON.stringify({ engineMs, age }));
  }
  assert.equal(SECURITY_AGE_REFRESH_MS, 60_000);
});
