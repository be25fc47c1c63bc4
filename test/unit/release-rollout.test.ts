// The ReleaseChannel rollout engine as table tests on a fake clock: revisions and the stable one,
// wave order and soak (a millisecond either side of each deadline), empty waves, readiness
// timeouts, the failure budget, halt and exact rollback, resume, maintenance windows, pinned and
// inactive tenants, counts, idempotence (no write when nothing changed), requeue delays and the
// metric inputs. A small fake of the Tenant reconciler moves tenants as the channel releases them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ReleaseChannel, ReleaseChannelSpec, ReleaseChannelStatus, TenantStatusRelease } from '../../src/api/generated/index.js';
import {
  evaluateChannel,
  imagesHash,
  MAX_REQUEUE_MS,
  RESUME_ANNOTATION,
  waveIndexOf,
  type ChannelEvaluation,
  type ReleaseTenantFacts,
} from '../../src/release/index.js';

const T0 = Date.parse('2026-12-02T10:00:00Z');
/** `s` seconds (and `ms` milliseconds) after T0. */
const at = (s: number, ms = 0) => new Date(T0 + s * 1000 + ms);
const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');
const CH = 'stable';

const WAVES = [
  { name: 'canary', selector: { matchLabels: { ring: 'canary' } } },
  { name: 'early', selector: { matchLabels: { ring: 'early' } } },
  { name: 'rest', percent: 100 },
];

interface ChannelOptions {
  images?: ReleaseChannelSpec['images'];
  security?: boolean;
  rollout?: NonNullable<ReleaseChannelSpec['rollout']>;
  status?: ReleaseChannelStatus;
  resume?: string;
}

function channel(o: ChannelOptions = {}): ReleaseChannel {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'ReleaseChannel',
    metadata: { name: CH, generation: 3, ...(o.resume === undefined ? {} : { annotations: { [RESUME_ANNOTATION]: o.resume } }) },
    spec: {
      images: o.images ?? { app: 'registry/app:2.0.0' },
      ...(o.security === undefined ? {} : { security: o.security }),
      rollout: o.rollout ?? { waves: WAVES, soakSeconds: 600, readinessTimeoutSeconds: 900, failureBudget: 0 },
    },
    ...(o.status === undefined ? {} : { status: o.status }),
  };
}

/** The channel with the status an evaluation returned (what the reconciler writes). */
const written = (ch: ReleaseChannel, e: ChannelEvaluation): ReleaseChannel => ({ ...ch, status: e.status });

function tenant(name: string, ring: string | undefined, extra: Partial<ReleaseTenantFacts> = {}): ReleaseTenantFacts {
  return { name, labels: ring === undefined ? {} : { ring }, pinned: false, inactive: false, ...extra };
}

function release(revision: number, updatedAt: Date, readySince?: Date, extra: Partial<TenantStatusRelease> = {}): TenantStatusRelease {
  return {
    channel: CH,
    revision,
    updatedAt: iso(updatedAt),
    state: readySince === undefined ? 'Updating' : 'Ready',
    ...(readySince === undefined ? {} : { readySince: iso(readySince) }),
    ...extra,
  };
}

/**
 * What the Tenant reconciler would write at `now`: a released tenant gets the revision (updatedAt
 * kept while the revision is the same), a rolled-back one the stable revision; it is Ready unless
 * named in `notReady`. Pinned and inactive tenants are left alone.
 */
function follow(ch: ReleaseChannel, tenants: readonly ReleaseTenantFacts[], now: Date, notReady: ReadonlySet<string> = new Set()) {
  const s = ch.status ?? {};
  const waves = ch.spec.rollout?.waves ?? WAVES;
  return tenants.map((t): ReleaseTenantFacts => {
    if (t.pinned || t.inactive) return t;
    const back = (s.rolledBack ?? []).includes(t.name);
    const released = waveIndexOf(CH, t, waves) < (s.releasedWaves ?? 0);
    if (!back && !released) return t;
    const revision = back ? (s.stable?.revision ?? 0) : (s.revision ?? 0);
    const prev = t.release;
    const updatedAt = prev?.revision === revision && prev.updatedAt ? new Date(prev.updatedAt) : now;
    const ready = !notReady.has(t.name);
    const readySince = ready ? (prev?.revision === revision && prev.readySince ? new Date(prev.readySince) : now) : undefined;
    return { ...t, release: release(revision, updatedAt, readySince, back ? { state: 'RolledBack' } : {}) };
  });
}

const FLEET = [tenant('c1', 'canary'), tenant('e1', 'early'), tenant('e2', 'early'), tenant('r1', undefined), tenant('r2', undefined)];
const reasons = (e: ChannelEvaluation) => e.events.map((ev) => ev.reason);
const ready = (e: ChannelEvaluation) => e.status.conditions?.find((c) => c.type === 'Ready');

/** Runs a first evaluation at T0 and lets the tenants follow, Ready, at `followAt` seconds. */
function started(o: ChannelOptions = {}, tenants = FLEET, followAt = 60) {
  const e = evaluateChannel(channel(o), tenants, at(0));
  const ch = written(channel(o), e);
  return { e, ch, tenants: follow(ch, tenants, at(followAt)) };
}

describe('revisions', () => {
  test('a first evaluation starts revision 1 and releases wave 1 at once', () => {
    const e = evaluateChannel(channel(), FLEET, at(0));
    assert.equal(e.status.revision, 1);
    assert.equal(e.status.revisionSince, iso(at(0)));
    assert.deepEqual(e.status.images, { app: 'registry/app:2.0.0' });
    assert.equal(e.status.security, false);
    assert.equal(e.status.imagesHash, imagesHash(channel().spec));
    assert.equal(e.status.stable, undefined);
    assert.equal(e.status.releasedWaves, 1);
    assert.equal(e.status.waveName, 'canary');
    assert.equal(e.status.waveStartedAt, iso(at(0)));
    assert.equal(e.status.phase, 'Progressing');
    assert.deepEqual(reasons(e), ['RolloutStarted', 'WaveReleased']);
    assert.equal(e.events[1]?.message, 'wave canary (1 tenant) released to revision 1');
    assert.equal(e.status.observedGeneration, 3);
  });

  const same: [string, Partial<ChannelOptions>, boolean][] = [
    ['new app image', { images: { app: 'registry/app:2.0.1' } }, true],
    ['a database image added', { images: { app: 'registry/app:2.0.0', postgres: 'pg:17' } }, true],
    ['security set', { security: true }, true],
    ['security false written out (the default)', { security: false }, false],
    ['soak and budget changed', { rollout: { waves: WAVES, soakSeconds: 1, failureBudget: 5 } }, false],
  ];
  for (const [name, change, isNew] of same)
    test(`${name}: ${isNew ? 'a new revision' : 'the same revision'}`, () => {
      const { ch } = started();
      const e = evaluateChannel(channel({ ...change, status: ch.status }), FLEET, at(30));
      assert.equal(e.status.revision, isNew ? 2 : 1);
      assert.equal(reasons(e).includes('RolloutStarted'), isNew);
      assert.equal(e.status.revisionSince, iso(at(isNew ? 30 : 0)));
    });

  test('imagesHash ignores key order and is 16 hex characters', () => {
    const a = imagesHash({ images: { app: 'a:1', postgres: 'p:1' } });
    const b = imagesHash({ images: { postgres: 'p:1', app: 'a:1' }, security: false });
    assert.equal(a, b);
    assert.match(a, /^[0-9a-f]{16}$/);
    assert.notEqual(a, imagesHash({ images: { app: 'a:1', postgres: 'p:1' }, security: true }));
  });

  test('a new revision resets the rollout, keeps stable and the resume token', () => {
    const status: ReleaseChannelStatus = {
      ...started().e.status,
      phase: 'Halted',
      stable: { revision: 1, images: { app: 'registry/app:1.0.0' } },
      revision: 2,
      releasedWaves: 2,
      rolledBack: ['e1'],
      failed: [{ tenant: 'e1', wave: 'early', reason: 'NotReady', message: 'x' }],
      soakingSince: iso(at(5)),
      resumeToken: 'r1',
    };
    const e = evaluateChannel(channel({ images: { app: 'registry/app:3.0.0' }, status }), FLEET, at(100));
    assert.equal(e.status.revision, 3);
    assert.deepEqual(e.status.stable, { revision: 1, images: { app: 'registry/app:1.0.0' } });
    assert.equal(e.status.releasedWaves, 1);
    assert.equal(e.status.waveName, 'canary');
    assert.equal(e.status.waveStartedAt, iso(at(100)));
    assert.deepEqual(e.status.rolledBack, []);
    assert.deepEqual(e.status.failed, []);
    assert.equal(e.status.soakingSince, undefined);
    assert.equal(e.status.resumeToken, 'r1');
    assert.equal(e.status.phase, 'Progressing');
    assert.deepEqual(e.status.images, { app: 'registry/app:3.0.0' });
  });

  test('stable is set at completion, unchanged by the next revision until it completes', () => {
    const rollout = { waves: [{ name: 'all', percent: 100 }], soakSeconds: 60 };
    let ch = written(channel({ rollout }), evaluateChannel(channel({ rollout }), FLEET, at(0)));
    let tenants = follow(ch, FLEET, at(10));
    let e = evaluateChannel(ch, tenants, at(10));
    assert.equal(e.status.soakingSince, iso(at(10)));
    assert.equal(e.status.stable, undefined);
    ch = written(ch, e);
    e = evaluateChannel(ch, tenants, at(70));
    assert.equal(e.status.phase, 'Complete');
    assert.deepEqual(e.status.stable, { revision: 1, images: { app: 'registry/app:2.0.0' } });
    assert.deepEqual(reasons(e), ['RolloutComplete']);
    assert.equal(ready(e)?.status, 'True');
    assert.equal(ready(e)?.reason, 'RolloutComplete');
    ch = written(channel({ rollout, images: { app: 'registry/app:2.1.0' } }), e);
    e = evaluateChannel(ch, tenants, at(100));
    assert.equal(e.status.revision, 2);
    assert.deepEqual(e.status.stable, { revision: 1, images: { app: 'registry/app:2.0.0' } });
    ch = written(ch, e);
    tenants = follow(ch, tenants, at(110));
    ch = written(ch, evaluateChannel(ch, tenants, at(110)));
    e = evaluateChannel(ch, tenants, at(170));
    assert.deepEqual(e.status.stable, { revision: 2, images: { app: 'registry/app:2.1.0' } });
  });
});

describe('waves', () => {
  test('wave k+1 starts only when wave k is done and has soaked soakSeconds (>= at the end)', () => {
    const { ch, tenants } = started();
    const done = evaluateChannel(ch, tenants, at(60));
    assert.equal(done.status.soakingSince, iso(at(60)));
    assert.equal(done.status.releasedWaves, 1);
    const soaking = written(ch, done);
    const before = evaluateChannel(soaking, tenants, at(660, -1));
    assert.equal(before.status.releasedWaves, 1);
    assert.deepEqual(before.events, []);
    const after = evaluateChannel(soaking, tenants, at(660));
    assert.equal(after.status.releasedWaves, 2);
    assert.equal(after.status.waveName, 'early');
    assert.equal(after.status.waveStartedAt, iso(at(660)));
    assert.equal(after.status.soakingSince, undefined);
    assert.deepEqual(reasons(after), ['WaveReleased']);
    assert.equal(after.events[0]?.message, 'wave early (2 tenants) released to revision 1');
  });

  test('a wave with a tenant still updating is not done: no soak, no next wave', () => {
    const { ch } = started();
    const tenants = follow(ch, FLEET, at(60), new Set(['c1']));
    for (const s of [60, 600, 899]) {
      const e = evaluateChannel(ch, tenants, at(s));
      assert.equal(e.status.soakingSince, undefined, `at ${s}s`);
      assert.equal(e.status.releasedWaves, 1, `at ${s}s`);
    }
  });

  test('empty waves are passed in one evaluation without a soak', () => {
    const tenants = [tenant('r1', undefined), tenant('r2', undefined)];
    const e = evaluateChannel(channel(), tenants, at(0));
    assert.equal(e.status.releasedWaves, 3);
    assert.equal(e.status.waveName, 'rest');
    assert.deepEqual(reasons(e), ['RolloutStarted', 'WaveReleased', 'WaveReleased', 'WaveReleased']);
    assert.equal(e.status.soakingSince, undefined);
  });

  test('a fleet with no eligible tenant completes at once', () => {
    const tenants = [tenant('p', 'canary', { pinned: true }), tenant('s', undefined, { inactive: true })];
    const e = evaluateChannel(channel(), tenants, at(0));
    assert.equal(e.status.phase, 'Complete');
    assert.deepEqual(e.status.stable, { revision: 1, images: { app: 'registry/app:2.0.0' } });
    assert.equal(e.requeueAfterMs, undefined);
  });

  test('the soak restarts when a tenant stops being Ready', () => {
    const { ch, tenants } = started();
    const soaking = written(ch, evaluateChannel(ch, tenants, at(60)));
    const dropped = follow(soaking, tenants, at(300), new Set(['c1']));
    const e1 = evaluateChannel(soaking, dropped, at(300));
    assert.equal(e1.status.soakingSince, undefined);
    const back = follow(written(soaking, e1), dropped, at(400));
    const e2 = evaluateChannel(written(soaking, e1), back, at(400));
    assert.equal(e2.status.soakingSince, iso(at(400)));
    const e3 = evaluateChannel(written(soaking, e2), back, at(660));
    assert.equal(e3.status.releasedWaves, 1, 'the soak counts from the restart, not the first start');
    assert.equal(evaluateChannel(written(soaking, e2), back, at(1000)).status.releasedWaves, 2);
  });

  test('a full rollout over three waves with soakSeconds 0', () => {
    const rollout = { waves: WAVES, soakSeconds: 0 };
    let ch = channel({ rollout });
    let tenants = FLEET;
    const seen: string[] = [];
    for (let s = 0; s <= 40; s += 10) {
      const e = evaluateChannel(ch, tenants, at(s));
      seen.push(`${e.status.releasedWaves}:${e.status.phase}`);
      ch = written(ch, e);
      tenants = follow(ch, tenants, at(s + 5));
    }
    assert.deepEqual(seen, ['1:Progressing', '2:Progressing', '3:Progressing', '3:Complete', '3:Complete']);
  });
});

describe('failures and the budget', () => {
  const timeouts: [string, (ch: ReleaseChannel) => ReleaseTenantFacts[], number, 'NotReady' | 'NotUpdated' | undefined][] = [
    ['on revision, 1 ms before updatedAt + timeout', (ch) => follow(ch, FLEET, at(100), new Set(['c1'])), 1000 * 1000 - 1, undefined],
    ['on revision, at updatedAt + timeout', (ch) => follow(ch, FLEET, at(100), new Set(['c1'])), 1000 * 1000, 'NotReady'],
    ['not updated, 1 ms before waveStartedAt + timeout', () => FLEET, 900 * 1000 - 1, undefined],
    ['not updated, at waveStartedAt + timeout', () => FLEET, 900 * 1000, 'NotUpdated'],
  ];
  for (const [name, tenantsOf, afterMs, reason] of timeouts)
    test(`readiness timeout: ${name}`, () => {
      const ch = written(channel(), evaluateChannel(channel(), FLEET, at(0)));
      const e = evaluateChannel(ch, tenantsOf(ch), at(0, afterMs));
      const failed = e.status.failed ?? [];
      if (reason === undefined) {
        assert.deepEqual(failed, []);
        assert.equal(e.status.phase, 'Progressing');
      } else {
        assert.deepEqual(
          failed.map((f) => [f.tenant, f.wave, f.reason]),
          [['c1', 'canary', reason]],
        );
        assert.equal(e.status.counts?.failed, 1);
        assert.ok(reasons(e).includes('TenantFailed'));
      }
    });

  test('failures within the budget: the wave soaks and the rollout goes on, the failed stay listed', () => {
    const rollout = { waves: WAVES, soakSeconds: 60, failureBudget: 1, readinessTimeoutSeconds: 100 };
    let ch = channel({ rollout });
    let tenants = FLEET;
    // Canary released at 0, soaking from 10, early released at 70 and updated at 75.
    for (const s of [0, 10, 70]) {
      ch = written(ch, evaluateChannel(ch, tenants, at(s)));
      tenants = follow(ch, tenants, at(s + 5), new Set(['e1']));
    }
    assert.equal(ch.status?.waveName, 'early');
    const e = evaluateChannel(ch, tenants, at(175));
    assert.deepEqual(
      e.status.failed?.map((f) => f.tenant),
      ['e1'],
    );
    assert.equal(e.status.phase, 'Progressing');
    assert.equal(e.status.soakingSince, iso(at(175)));
    const next = evaluateChannel(written(ch, e), tenants, at(235));
    assert.equal(next.status.releasedWaves, 3);
    assert.deepEqual(
      next.status.failed?.map((f) => f.tenant),
      ['e1'],
    );
    assert.deepEqual(next.status.rolledBack, []);
    assert.ok(!reasons(next).includes('TenantFailed'), 'TenantFailed once');
  });

  function earlyWave(budget: number, notReady: string[], tenants = FLEET) {
    const rollout = { waves: WAVES, soakSeconds: 0, failureBudget: budget, readinessTimeoutSeconds: 100 };
    let ch = written(channel({ rollout }), evaluateChannel(channel({ rollout }), tenants, at(0)));
    let facts = follow(ch, tenants, at(1));
    ch = written(ch, evaluateChannel(ch, facts, at(2)));
    assert.equal(ch.status?.waveName, 'early');
    facts = follow(ch, facts, at(3), new Set(notReady));
    return { ch, facts };
  }

  const budgets: [number, number, boolean][] = [
    [0, 1, true],
    [1, 1, false],
    [1, 2, true],
    [2, 2, false],
  ];
  for (const [budget, failures, halts] of budgets)
    test(`budget ${budget}, ${failures} failed in the wave: ${halts ? 'halts' : 'goes on'}`, () => {
      const tenants = [...FLEET, tenant('e3', 'early')];
      const { ch, facts } = earlyWave(budget, ['e1', 'e2', 'e3'].slice(0, failures), tenants);
      const e = evaluateChannel(ch, facts, at(103));
      assert.equal(e.status.phase, halts ? 'Halted' : 'Progressing');
      assert.equal(reasons(e).includes('RolloutHalted'), halts);
    });

  test('a halt rolls back exactly the failed tenants of the wave', () => {
    const tenants = [...FLEET, tenant('e3', 'early'), tenant('e4', 'early')];
    const { ch, facts } = earlyWave(0, ['e1', 'e2'], tenants);
    // e4 is updated later than the others: still within its timeout when e1 and e2 fail.
    const late = facts.map((t) => (t.name === 'e4' ? { ...t, release: release(1, at(50)) } : t));
    const e = evaluateChannel(ch, late, at(103));
    assert.equal(e.status.phase, 'Halted');
    assert.deepEqual(e.status.rolledBack, ['e1', 'e2']);
    assert.deepEqual(
      e.status.failed?.map((f) => f.tenant),
      ['e1', 'e2'],
    );
    assert.equal(ready(e)?.reason, 'Halted');
    assert.match(
      e.status.message ?? '',
      /halted: 2 tenants of wave early \(4 tenants\) failed .* budget of 0 .*configured images: e1, e2;/,
    );
    assert.deepEqual(reasons(e), ['RolloutHalted', 'TenantFailed', 'TenantFailed']);
    assert.equal(e.events[0]?.type, 'Warning');
    const after = evaluateChannel(written(ch, e), follow(written(ch, e), late, at(104)), at(104));
    assert.equal(after.status.counts?.pending, 2, 'r1 and r2; rolled-back tenants are not pending');
    assert.equal(after.status.counts?.updated, 3);
  });

  test('the halt message lists 20 names and how many more', () => {
    const many = Array.from({ length: 23 }, (_, i) => tenant(`e${String(i).padStart(2, '0')}`, 'early'));
    const { ch, facts } = earlyWave(
      0,
      many.map((t) => t.name),
      [tenant('c1', 'canary'), ...many],
    );
    const e = evaluateChannel(ch, facts, at(103));
    assert.equal(e.status.rolledBack?.length, 23);
    assert.match(e.status.message ?? '', /e19 and 3 more;/);
  });

  test('Halted stays Halted when the rest becomes healthy and time passes', () => {
    const { ch, facts } = earlyWave(0, ['e1']);
    let halted = written(ch, evaluateChannel(ch, facts, at(103)));
    const healed = follow(halted, facts, at(200));
    for (const s of [200, 10_000, 100_000]) {
      const e = evaluateChannel(halted, healed, at(s));
      assert.equal(e.status.phase, 'Halted');
      assert.equal(e.status.releasedWaves, 2);
      assert.deepEqual(e.events, []);
      halted = written(halted, e);
    }
  });

  test('a tenant of the halted wave that fails later is rolled back too; one healthy in time is not', () => {
    const tenants = [...FLEET, tenant('e3', 'early')];
    const { ch, facts } = earlyWave(0, ['e1', 'e3'], tenants);
    const later = facts.map((t) => (t.name === 'e3' ? { ...t, release: release(1, at(50)) } : t));
    const halted = written(ch, evaluateChannel(ch, later, at(103)));
    assert.deepEqual(halted.status?.rolledBack, ['e1']);
    const e = evaluateChannel(halted, follow(halted, later, at(104), new Set(['e3'])), at(150));
    assert.deepEqual(e.status.rolledBack, ['e1', 'e3']);
    assert.equal(e.status.phase, 'Halted');
  });

  test('resume by annotation: the rolled-back tenants get the revision again with a fresh timeout', () => {
    const { ch, facts } = earlyWave(0, ['e1']);
    const halted = written(ch, evaluateChannel(ch, facts, at(103)));
    const back = follow(halted, facts, at(104));
    const resumed = evaluateChannel(
      { ...halted, metadata: { ...halted.metadata, annotations: { [RESUME_ANNOTATION]: 'go' } } },
      back,
      at(500),
    );
    assert.equal(resumed.status.phase, 'Progressing');
    assert.equal(resumed.status.resumeToken, 'go');
    assert.deepEqual(resumed.status.rolledBack, []);
    assert.deepEqual(resumed.status.failed, []);
    assert.equal(resumed.status.waveStartedAt, iso(at(500)));
    assert.equal(resumed.status.releasedWaves, 2);
    assert.deepEqual(reasons(resumed), ['RolloutResumed']);
    assert.equal(resumed.status.counts?.pending, 3, 'e1 again, r1 and r2');
    // The same token again does nothing more; e1 has until waveStartedAt + timeout.
    const again = written(halted, resumed);
    const withToken = { ...again, metadata: { ...again.metadata, annotations: { [RESUME_ANNOTATION]: 'go' } } };
    assert.deepEqual(evaluateChannel(withToken, back, at(599, 999)).events, []);
    assert.equal(evaluateChannel(withToken, back, at(600)).status.phase, 'Halted');
  });

  test('a resume token while not Halted is only recorded', () => {
    const { ch, tenants } = started();
    const e = evaluateChannel({ ...ch, metadata: { ...ch.metadata, annotations: { [RESUME_ANNOTATION]: 'x' } } }, tenants, at(60));
    assert.equal(e.status.resumeToken, 'x');
    assert.equal(e.status.phase, 'Progressing');
    assert.deepEqual(reasons(e), []);
  });

  test('a new revision while Halted starts over at wave 1', () => {
    const { ch, facts } = earlyWave(0, ['e1']);
    const halted = written(ch, evaluateChannel(ch, facts, at(103)));
    const e = evaluateChannel({ ...halted, spec: { ...halted.spec, images: { app: 'registry/app:2.0.1' } } }, facts, at(200));
    assert.equal(e.status.revision, 2);
    assert.equal(e.status.phase, 'Progressing');
    assert.equal(e.status.releasedWaves, 1);
    assert.deepEqual(e.status.rolledBack, []);
  });

  test('a tenant listed as failed stays failed until it is healthy', () => {
    const rollout = { waves: WAVES, soakSeconds: 600, failureBudget: 1, readinessTimeoutSeconds: 100 };
    const ch = written(channel({ rollout }), evaluateChannel(channel({ rollout }), FLEET, at(0)));
    const sick = follow(ch, FLEET, at(1), new Set(['c1']));
    const failed = written(ch, evaluateChannel(ch, sick, at(101)));
    assert.equal(failed.status?.failed?.length, 1);
    // Re-updated (a new updatedAt) but not Ready: still failed, no second event.
    const retried = sick.map((t) => (t.name === 'c1' ? { ...t, release: release(1, at(150)) } : t));
    const e = evaluateChannel(failed, retried, at(160));
    assert.equal(e.status.failed?.length, 1);
    assert.deepEqual(reasons(e), []);
    const healed = evaluateChannel(failed, follow(failed, retried, at(170)), at(170));
    assert.deepEqual(healed.status.failed, []);
  });
});

describe('maintenance windows', () => {
  // Daily 02:00-04:00 in Berlin (UTC+1 in December): 01:00Z-03:00Z.
  const windows = [{ schedule: '0 2 * * *', durationMinutes: 120, timeZone: 'Europe/Berlin' }];
  const rollout = { waves: WAVES, soakSeconds: 0, maintenanceWindows: windows };

  test('closed: Waiting with nextWindow, RolloutWaiting once; the wave starts when the window opens', () => {
    const e = evaluateChannel(channel({ rollout }), FLEET, at(0));
    assert.equal(e.status.phase, 'Waiting');
    assert.equal(e.status.releasedWaves, 0);
    assert.equal(e.status.nextWindow, '2026-12-03T01:00:00Z');
    assert.deepEqual(reasons(e), ['RolloutStarted', 'RolloutWaiting']);
    assert.equal(ready(e)?.reason, 'WaitingForWindow');
    assert.equal(e.requeueAfterMs, MAX_REQUEUE_MS);
    const ch = written(channel({ rollout }), e);
    const still = evaluateChannel(ch, FLEET, new Date(Date.parse('2026-12-03T00:59:59.999Z')));
    assert.deepEqual(still.status, e.status);
    assert.deepEqual(still.events, []);
    assert.equal(still.requeueAfterMs, 1);
    const open = evaluateChannel(ch, FLEET, new Date('2026-12-03T01:00:00Z'));
    assert.equal(open.status.phase, 'Progressing');
    assert.equal(open.status.releasedWaves, 1);
    assert.equal(open.status.nextWindow, undefined);
  });

  test('inside a window waves go on; at its end the next wave waits for the next day', () => {
    let ch = channel({ rollout });
    let tenants = FLEET;
    const start = Date.parse('2026-12-03T01:00:00Z');
    ch = written(ch, evaluateChannel(ch, tenants, new Date(start)));
    tenants = follow(ch, tenants, new Date(start + 1000));
    const inside = evaluateChannel(ch, tenants, new Date(start + 119 * 60_000));
    assert.equal(inside.status.releasedWaves, 2);
    ch = written(ch, inside);
    tenants = follow(ch, tenants, new Date(start + 119 * 60_000 + 1000));
    const closed = evaluateChannel(ch, tenants, new Date(start + 120 * 60_000));
    assert.equal(closed.status.phase, 'Waiting');
    assert.equal(closed.status.releasedWaves, 2);
    assert.equal(closed.status.nextWindow, '2026-12-04T01:00:00Z');
    assert.match(closed.status.message ?? '', /wave rest waits for the maintenance window opening at 2026-12-04T01:00:00Z/);
  });

  test('a security release ignores the windows', () => {
    const e = evaluateChannel(channel({ rollout, security: true }), FLEET, at(0));
    assert.equal(e.status.phase, 'Progressing');
    assert.equal(e.status.releasedWaves, 1);
  });

  const invalid: [string, typeof windows, RegExp][] = [
    ['a bad schedule', [{ schedule: '0 25 * * *', durationMinutes: 60, timeZone: 'UTC' }], /maintenanceWindows\[0\]\.schedule .*hour/],
    [
      'an unknown zone',
      [...windows, { schedule: '0 2 * * *', durationMinutes: 60, timeZone: 'Mars/Olympus' }],
      /maintenanceWindows\[1\]\.timeZone "Mars\/Olympus"/,
    ],
  ];
  for (const [name, bad, message] of invalid)
    test(`${name}: no crash, the rollout waits and says why (InvalidWindow)`, () => {
      const e = evaluateChannel(channel({ rollout: { waves: WAVES, maintenanceWindows: bad } }), FLEET, new Date('2026-12-03T01:30:00Z'));
      assert.equal(e.status.phase, 'Waiting');
      assert.equal(e.status.releasedWaves, 0);
      assert.equal(e.status.nextWindow, undefined);
      assert.equal(ready(e)?.reason, 'InvalidWindow');
      assert.match(e.status.message ?? '', message);
      const sec = evaluateChannel(channel({ security: true, rollout: { waves: WAVES, maintenanceWindows: bad } }), FLEET, at(0));
      assert.equal(sec.status.releasedWaves, 1, 'a security release does not wait for a window');
    });
});

describe('pinned and inactive tenants', () => {
  test('counted but never waited for', () => {
    const tenants = [
      tenant('c1', 'canary'),
      tenant('c2', 'canary', { pinned: true, release: { channel: CH, revision: 0, state: 'Pinned' } }),
      tenant('c3', 'canary', { inactive: true }),
      tenant('c4', 'canary', { inactive: true, pinned: true }),
    ];
    const ch = written(channel(), evaluateChannel(channel(), tenants, at(0)));
    const facts = follow(ch, tenants, at(10));
    const e = evaluateChannel(ch, facts, at(10));
    assert.equal(e.status.soakingSince, iso(at(10)));
    assert.deepEqual(e.status.counts, { total: 4, updated: 1, healthy: 1, failed: 0, pending: 0, pinned: 2, skipped: 1 });
    assert.equal(e.outdated, 0);
    const late = evaluateChannel(written(ch, e), facts, at(100_000));
    assert.deepEqual(late.status.failed, [], 'never failed by the timeout');
  });
});

describe('counts, message and metrics', () => {
  test('counts over a rollout in progress', () => {
    const { ch, tenants } = started({}, [...FLEET, tenant('p', undefined, { pinned: true })]);
    const soaking = written(ch, evaluateChannel(ch, tenants, at(60)));
    const e = evaluateChannel(soaking, follow(soaking, tenants, at(60)), at(660));
    const facts = follow(written(soaking, e), tenants, at(700), new Set(['e2']));
    const now = evaluateChannel(written(soaking, e), facts, at(700));
    assert.deepEqual(now.status.counts, { total: 6, updated: 3, healthy: 2, failed: 0, pending: 2, pinned: 1, skipped: 0 });
    assert.equal(now.status.message, 'revision 1: wave early (2 tenants) updating (1 healthy, 0 failed); 3/5 updated');
    assert.equal(now.outdated, 3);
    assert.equal(now.securityPatchAgeSeconds, 0);
  });

  test('the soaking message names the soak end', () => {
    const { ch, tenants } = started();
    const e = evaluateChannel(ch, tenants, at(60));
    assert.equal(e.status.message, 'revision 1: wave canary (1 tenant) soaking until 2026-12-02T10:11:00Z; 1/5 updated');
    assert.equal(ready(e)?.message, e.status.message);
  });

  test('securityPatchAgeSeconds counts from revisionSince while tenants are outdated', () => {
    const { ch, tenants } = started({ security: true });
    const e = evaluateChannel(ch, tenants, at(90));
    assert.equal(e.outdated, 4);
    assert.equal(e.securityPatchAgeSeconds, 90);
    const all = [tenant('c1', 'canary')];
    const one = started({ security: true, rollout: { waves: WAVES, soakSeconds: 0 } }, all, 5);
    const done = evaluateChannel(one.ch, one.tenants, at(30));
    assert.equal(done.outdated, 0);
    assert.equal(done.securityPatchAgeSeconds, 0);
  });

  test('the failed list is cut at 100; counts.failed has the real number', () => {
    const many = Array.from({ length: 120 }, (_, i) => tenant(`t${String(i).padStart(3, '0')}`, 'canary'));
    const rollout = { waves: WAVES, failureBudget: 1000, readinessTimeoutSeconds: 10 };
    const ch = written(channel({ rollout }), evaluateChannel(channel({ rollout }), many, at(0)));
    const e = evaluateChannel(ch, many, at(10));
    assert.equal(e.status.failed?.length, 100);
    assert.equal(e.status.counts?.failed, 120);
    assert.equal(e.status.failed?.[0]?.reason, 'NotUpdated');
  });
});

describe('determinism and idempotence', () => {
  test('the same inputs give the same output, whatever the order of the tenants', () => {
    const { ch, tenants } = started();
    const a = evaluateChannel(ch, tenants, at(60));
    const b = evaluateChannel(ch, [...tenants].reverse(), at(60));
    assert.deepEqual(a, b);
  });

  const phases: [string, () => { ch: ReleaseChannel; tenants: ReleaseTenantFacts[]; now: Date }][] = [
    ['updating', () => ({ ch: started().ch, tenants: FLEET, now: at(30) })],
    ['soaking', () => ({ ...started(), now: at(60) })],
    [
      'waiting',
      () => ({
        ch: channel({ rollout: { waves: WAVES, maintenanceWindows: [{ schedule: '0 2 * * *', durationMinutes: 60 }] } }),
        tenants: FLEET,
        now: at(0),
      }),
    ],
  ];
  phases.push(
    [
      'halted',
      () => {
        const rollout = { waves: WAVES, soakSeconds: 0, readinessTimeoutSeconds: 100 };
        const ch = written(channel({ rollout }), evaluateChannel(channel({ rollout }), FLEET, at(0)));
        return { ch, tenants: follow(ch, FLEET, at(1), new Set(['c1'])), now: at(101) };
      },
    ],
    [
      'complete',
      () => {
        const rollout = { waves: [{ name: 'all', percent: 100 }], soakSeconds: 0 };
        const ch = written(channel({ rollout }), evaluateChannel(channel({ rollout }), FLEET, at(0)));
        return { ch, tenants: follow(ch, FLEET, at(1)), now: at(2) };
      },
    ],
  );
  for (const [name, setup] of phases)
    test(`${name}: re-evaluating the written status gives the identical status and no events`, () => {
      const { ch, tenants, now } = setup();
      const first = evaluateChannel(ch, tenants, now);
      const second = evaluateChannel(written(ch, first), tenants, new Date(now.getTime() + 1000));
      assert.deepEqual(second.status, first.status);
      assert.deepEqual(second.events, []);
    });

  test('timestamps a client turned into Date objects read as their text: no write', () => {
    const { ch, tenants } = started();
    const first = evaluateChannel(ch, tenants, at(60));
    const s = first.status;
    const asDates = {
      ...s,
      revisionSince: new Date(s.revisionSince ?? '') as unknown as string,
      waveStartedAt: new Date(s.waveStartedAt ?? '') as unknown as string,
      soakingSince: new Date(s.soakingSince ?? '') as unknown as string,
    };
    const dated = tenants.map((t) =>
      t.release ? { ...t, release: { ...t.release, updatedAt: new Date(t.release.updatedAt ?? '') as unknown as string } } : t,
    );
    const second = evaluateChannel({ ...ch, status: asDates }, dated, at(61));
    assert.deepEqual(second.status, s);
  });

  test('the Ready condition moves lastTransitionTime only when its status changes', () => {
    const rollout = { waves: [{ name: 'all', percent: 100 }], soakSeconds: 0 };
    const ch = written(channel({ rollout }), evaluateChannel(channel({ rollout }), FLEET, at(0)));
    const complete = evaluateChannel(ch, follow(ch, FLEET, at(1)), at(2));
    assert.equal(ready(complete)?.lastTransitionTime, iso(at(2)));
    assert.equal(ready(complete)?.observedGeneration, 3);
  });

  test('the Ready condition keeps lastTransitionTime while its status stays', () => {
    const { ch, tenants } = started();
    const first = evaluateChannel(ch, tenants, at(60));
    const second = evaluateChannel(written(ch, first), tenants, at(660));
    assert.equal(second.status.releasedWaves, 2);
    assert.equal(ready(second)?.lastTransitionTime, ready(first)?.lastTransitionTime);
  });
});

describe('requeueAfterMs', () => {
  test('the earliest readiness deadline while updating', () => {
    const ch = written(channel(), evaluateChannel(channel(), FLEET, at(0)));
    assert.equal(evaluateChannel(ch, FLEET, at(100)).requeueAfterMs, 800_000);
    const updated = follow(ch, FLEET, at(200), new Set(['c1']));
    assert.equal(evaluateChannel(ch, updated, at(300)).requeueAfterMs, 800_000, 'from updatedAt');
  });

  test('the soak end while soaking', () => {
    const { ch, tenants } = started();
    const e = evaluateChannel(written(ch, evaluateChannel(ch, tenants, at(60))), tenants, at(100));
    assert.equal(e.requeueAfterMs, 560_000);
  });

  test('capped at an hour', () => {
    const rollout = { waves: WAVES, readinessTimeoutSeconds: 86_400 };
    const e = evaluateChannel(channel({ rollout }), FLEET, at(0));
    assert.equal(e.requeueAfterMs, MAX_REQUEUE_MS);
  });

  test('undefined when Complete or Halted with nothing pending', () => {
    const rollout = { waves: [{ name: 'all', percent: 100 }], soakSeconds: 0 };
    const ch = written(channel({ rollout }), evaluateChannel(channel({ rollout }), FLEET, at(0)));
    const e = evaluateChannel(ch, follow(ch, FLEET, at(1)), at(2));
    assert.equal(e.status.phase, 'Complete');
    assert.equal(e.requeueAfterMs, undefined);
  });
});
