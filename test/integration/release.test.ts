// Fleet rollouts (P12) against the real API server and controllers: 20 tenants follow a
// ReleaseChannel with three waves (canary by label, half and all by share). Their Pods are reported
// Ready by a stand-in for the kubelet's status reports, so Deployments and StatefulSets become
// available through the real controllers and the tenants' readiness is what the operator observes.
// A revision rolls out wave by wave (no tenant of a wave is updated before the previous wave is Ready
// and soaked); one broken tenant within the failure budget does not stop it; two beyond it halt the
// rollout and roll back exactly those two, and a resume finishes it. A maintenance window holds a
// release until it is a security release; a pinned tenant is never updated and is flagged.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ReleaseChannel, ReleaseChannelSpec, Tenant } from '../../src/api/generated/index.js';
import { tenantNamespace } from '../../src/api/names.js';
import { RESUME_ANNOTATION } from '../../src/release/types.js';
import { waveIndexOf } from '../../src/release/waves.js';
import { applyObjects, condition, eventually, getJson, listJson, testTenant } from '../support/cluster.js';
import { kubectlOk, testKubeconfig } from '../support/kubectl.js';
import { startOperator, testConfig, type TestOperator } from '../support/operator.js';
import { startPodReady, type PodReady } from '../support/pod-ready.js';
import { ENCRYPTED_CLASS, installPrerequisites } from '../support/prerequisites.js';
import { sleep } from '../env/proc.js';

/**
 * A run id whose channel splits the non-canary tenants at least 3 / 1 between the half and all waves:
 * the split is a hash of the names, so about one id in 1,500 would not, and the wave-order test needs both waves.
 */
function pickRun(): string {
  for (;;) {
    const run = randomBytes(3).toString('hex');
    const waves = Array.from({ length: 18 }, (_, i) =>
      waveIndexOf(`rc-${run}`, { name: `r${String(i + 2).padStart(2, '0')}-${run}`, labels: {} }, [
        { name: 'half', percent: 50 },
        { name: 'all', percent: 100 },
      ]),
    );
    if (waves.filter((w) => w === 0).length >= 3 && waves.filter((w) => w === 1).length >= 1) return run;
  }
}

const RUN = pickRun();
const SELECTOR = `tenantry.io/test=${RUN}-release`;
const [LABEL_KEY, LABEL_VALUE] = SELECTOR.split('=') as [string, string];
const CHANNEL = `rc-${RUN}`;
const WINDOW_CHANNEL = `rcw-${RUN}`;
/** The operator's configured app image (testConfig keeps the default): what a tenant runs before any revision reaches it. */
const CONFIG_APP = 'ghcr.io/example/saas-app:1.0.0';
const SOAK_SECONDS = 3;
const READINESS_TIMEOUT_SECONDS = 15;
const WAVES = [
  { name: 'canary', selector: { matchLabels: { [`canary-${RUN}`]: 'yes' } } },
  { name: 'half', percent: 50 },
  { name: 'all', percent: 100 },
];
const FLEET = 20;
const CANARIES = 2;
const PINNED = `pinned-${RUN}`;
const PINNED_IMAGE = `registry.test/saas-app:pinned-${RUN}`;
const WINDOW_TENANTS = [`w0-${RUN}`, `w1-${RUN}`];

const appImage = (revision: number) => `registry.test/saas-app:r${revision}-${RUN}`;
const nameOf = (i: number) => `r${String(i).padStart(2, '0')}-${RUN}`;
const labelsOf = (i: number): Record<string, string> => ({
  [LABEL_KEY]: LABEL_VALUE,
  ...(i < CANARIES ? { [`canary-${RUN}`]: 'yes' } : {}),
});

/** The fleet that follows CHANNEL (the pinned tenant aside), with each tenant's wave. */
const FLEET_TENANTS = Array.from({ length: FLEET }, (_, i) => ({
  name: nameOf(i),
  labels: labelsOf(i),
  // A few MariaDB tenants: their database StatefulSet must be ready as well.
  engine: i % 5 === 3 ? 'mariadb' : 'postgres',
  wave: waveIndexOf(CHANNEL, { name: nameOf(i), labels: labelsOf(i) }, WAVES),
}));
const inWave = (k: number) => FLEET_TENANTS.filter((t) => t.wave === k).map((t) => t.name);

/** A tenant of this run's shard following `channel`. */
function tenant(name: string, labels: Record<string, string>, engine: string, channel: string, image?: string): Tenant {
  return testTenant(
    name,
    { [LABEL_KEY]: LABEL_VALUE, ...labels },
    {
      database: { engine: engine as 'postgres' | 'mariadb' },
      app: { channel, ...(image ? { image } : {}) },
    },
  );
}

/** A ReleaseChannel of this run's shard. */
function channel(name: string, spec: ReleaseChannelSpec): ReleaseChannel {
  return { apiVersion: 'tenantry.io/v1alpha1', kind: 'ReleaseChannel', metadata: { name, labels: { [LABEL_KEY]: LABEL_VALUE } }, spec };
}

/** The main channel at a revision's app image. */
function mainChannel(revision: number): ReleaseChannel {
  return channel(CHANNEL, {
    images: { app: appImage(revision) },
    rollout: { waves: WAVES, soakSeconds: SOAK_SECONDS, readinessTimeoutSeconds: READINESS_TIMEOUT_SECONDS, failureBudget: 1 },
  });
}

/** Waits until a channel's status satisfies `ok`. */
async function waitChannel(name: string, what: string, ok: (c: ReleaseChannel) => boolean, timeoutMs = 60_000): Promise<ReleaseChannel> {
  return eventually(
    `channel ${name}: ${what}`,
    async () => {
      const c = await getJson<ReleaseChannel>('releasechannel', name);
      return c?.status && ok(c) ? c : undefined;
    },
    timeoutMs,
    300,
  );
}

/** Waits until a channel's current revision is `revision` and its rollout is Complete. */
function waitComplete(name: string, revision: number, timeoutMs = 90_000): Promise<ReleaseChannel> {
  return waitChannel(
    name,
    `revision ${revision} Complete`,
    (c) => c.status?.revision === revision && c.status.phase === 'Complete',
    timeoutMs,
  );
}

/** This run's tenants by name. */
async function tenants(): Promise<Map<string, Tenant>> {
  const list = await listJson<Tenant>('tenants', ['-l', SELECTOR]);
  return new Map(list.map((t) => [t.metadata.name!, t]));
}

/** The app Deployment's image of each tenant of this run that has one, by tenant name. */
async function appImages(): Promise<Map<string, string>> {
  const list = await listJson<{ metadata: { namespace: string }; spec: { template: { spec: { containers: { image: string }[] } } } }>(
    'deployments.apps',
    ['-A', '--field-selector', 'metadata.name=app'],
  );
  const out = new Map<string, string>();
  for (const d of list) {
    const ns = d.metadata.namespace;
    if (ns.startsWith('tenant-') && ns.endsWith(`-${RUN}`)) out.set(ns.slice('tenant-'.length), d.spec.template.spec.containers[0]!.image);
  }
  return out;
}

/** Whether the tenant is Ready on the channel's revision, as the channel judges health. */
function healthyOn(t: Tenant | undefined, revision: number): boolean {
  const r = t?.status?.release;
  return r?.channel === CHANNEL && r.revision === revision && r.state === 'Ready' && r.readySince !== undefined;
}

/** Reads one series of the operator's /metrics by its exact labels. */
async function series(port: number, name: string, labels: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

/**
 * Watches a revision roll out: on each look it lists the Deployments, then the tenants. A tenant of
 * wave k counts as updated once its Deployment or its status.release shows the revision. Since a
 * wave is only released once every tenant of the previous wave is Ready (and stays so while
 * soaking), a look that shows a tenant of wave k updated while one of wave k-1 is not Ready on the
 * revision is a violation. It also records that each wave was seen updated while the next was
 * not yet, so a rollout that updated everyone at once fails.
 */
class WaveOrderWatch {
  readonly violations: string[] = [];
  /** staged[k]: a look saw wave k all updated and wave k+1 not at all. */
  readonly staged: boolean[] = WAVES.map(() => false);
  readonly failedLooks: string[] = [];
  private running = true;
  private readonly done: Promise<void>;

  constructor(private readonly revision: number) {
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        const images = await appImages();
        const byName = await tenants();
        this.look(images, byName);
      } catch (e) {
        // A failed look (kubectl under load) is skipped; the next one judges the same invariant.
        this.failedLooks.push((e as Error).message);
      }
      await sleep(250);
    }
  }

  private look(images: Map<string, string>, byName: Map<string, Tenant>): void {
    const updated = (n: string) => images.get(n) === appImage(this.revision) || byName.get(n)?.status?.release?.revision === this.revision;
    for (let k = 1; k < WAVES.length; k++) {
      const early = inWave(k).filter(updated);
      const notReady = inWave(k - 1).filter((n) => !healthyOn(byName.get(n), this.revision));
      if (early.length > 0 && notReady.length > 0)
        this.violations.push(
          `wave ${WAVES[k]!.name}: ${early.join(', ')} updated while ${notReady.join(', ')} of the wave before is not Ready`,
        );
    }
    for (let k = 0; k + 1 < WAVES.length; k++) {
      if (inWave(k).every(updated) && !inWave(k + 1).some(updated)) this.staged[k] = true;
    }
  }
}

/** Asserts from the tenants' status.release that each wave was updated only after the one before was Ready for the soak time. */
function assertSoakedBeforeNext(byName: Map<string, Tenant>): void {
  const ms = (s: string | undefined) => (s ? new Date(s).getTime() : NaN);
  for (let k = 1; k < WAVES.length; k++) {
    const readyBefore = Math.max(...inWave(k - 1).map((n) => ms(byName.get(n)?.status?.release?.readySince)));
    const firstUpdate = Math.min(...inWave(k).map((n) => ms(byName.get(n)?.status?.release?.updatedAt)));
    // Times in status are RFC 3339, possibly to the second: one second of slack.
    assert.ok(
      firstUpdate >= readyBefore + SOAK_SECONDS * 1000 - 1000,
      `wave ${WAVES[k]!.name} first updated at ${new Date(firstUpdate).toISOString()}, ` +
        `wave ${WAVES[k - 1]!.name} all Ready at ${new Date(readyBefore).toISOString()} (soak ${SOAK_SECONDS} s)`,
    );
  }
}

/** Asserts every tenant of the fleet runs `revision` and is Ready on it, its Deployment on the revision's image. */
async function assertFleetOn(revision: number, except: string[] = []): Promise<void> {
  const [images, byName] = [await appImages(), await tenants()];
  for (const { name } of FLEET_TENANTS) {
    if (except.includes(name)) continue;
    assert.equal(images.get(name), appImage(revision), `${name} Deployment image`);
    assert.ok(
      healthyOn(byName.get(name), revision),
      `${name} Ready on revision ${revision}: ${JSON.stringify(byName.get(name)?.status?.release)}`,
    );
  }
}

/** Asserts the pinned tenant kept its own image and is flagged. */
async function assertPinned(): Promise<void> {
  const t = await getJson<Tenant>('tenant', PINNED);
  assert.equal((await appImages()).get(PINNED), PINNED_IMAGE, 'the pinned tenant keeps its own image');
  assert.equal(t?.status?.release?.state, 'Pinned');
  const c = condition(t, 'PatchPinned');
  assert.equal(c?.status, 'True');
  assert.equal(c?.reason, 'ImagePinned');
  assert.match(c?.message ?? '', new RegExp(CHANNEL));
}

/**
 * Asserts that exactly `failing` of the half wave went back to revision 3: the rest of the wave and the
 * canaries keep 4, the last wave is untouched.
 */
async function assertRolledBackExactly(failing: string[]): Promise<void> {
  const rolledBack = await eventually('the failing tenants rolled back', async () => {
    const [images, byName] = [await appImages(), await tenants()];
    return failing.every((n) => images.get(n) === appImage(3) && byName.get(n)?.status?.release?.state === 'RolledBack')
      ? byName
      : undefined;
  });
  for (const n of failing) assert.equal(rolledBack.get(n)?.status?.release?.revision, 3, `${n} back on the stable revision`);
  const images = await appImages();
  for (const n of inWave(0)) assert.equal(images.get(n), appImage(4), `canary ${n} keeps revision 4`);
  for (const n of inWave(1).filter((x) => !failing.includes(x)))
    assert.equal(images.get(n), appImage(4), `${n} of the halted wave keeps revision 4`);
  for (const n of inWave(2)) {
    assert.equal(images.get(n), appImage(3), `${n} of a later wave is untouched`);
    assert.equal(rolledBack.get(n)?.status?.release?.state, 'Pending');
  }
}

describe('fleet rollouts (P12)', () => {
  let op: TestOperator;
  let kubelet: PodReady;
  const names = [...FLEET_TENANTS.map((t) => t.name), PINNED, ...WINDOW_TENANTS];

  before(async () => {
    await installPrerequisites();
    kubelet = await startPodReady({
      kubeconfig: testKubeconfig(),
      namespaces: (ns) => ns.startsWith('tenant-') && ns.endsWith(`-${RUN}`),
    });
    op = await startOperator({ identity: `release-${RUN}`, config: testConfig('nginx', ENCRYPTED_CLASS), tenantSelector: SELECTOR });
    await applyObjects([
      ...FLEET_TENANTS.map((t) => tenant(t.name, t.labels, t.engine, CHANNEL)),
      tenant(PINNED, {}, 'postgres', CHANNEL, PINNED_IMAGE),
      ...WINDOW_TENANTS.map((n) => tenant(n, {}, 'postgres', WINDOW_CHANNEL)),
    ]);
  });
  after(async () => {
    await op?.stop();
    await kubelet?.stop();
    await kubectlOk(['delete', 'releasechannels', '-l', SELECTOR, '--wait=false', '--ignore-not-found']);
    for (const n of names) await kubectlOk(['delete', 'tenant', n, '--wait=false', '--ignore-not-found']);
  });

  test('a revision rolls out wave by wave, each wave Ready and soaked before the next; the pinned tenant is untouched', async () => {
    assert.ok(
      inWave(0).length === CANARIES && inWave(1).length >= 3 && inWave(2).length >= 1,
      `waves ${WAVES.map((_, k) => inWave(k).length)}`,
    );
    await applyObjects([mainChannel(1)]);
    const first = await waitComplete(CHANNEL, 1, 120_000);
    assert.equal(first.status?.stable?.revision, 1);
    await assertFleetOn(1);
    await assertPinned();

    await applyObjects([mainChannel(2)]);
    const watch = new WaveOrderWatch(2);
    const outdated = await eventually('outdated tenants reported during the rollout', async () => {
      const v = await series(op.healthPort, 'tenantry_release_outdated_tenants', `channel="${CHANNEL}"`);
      return v !== undefined && v > 0 ? v : undefined;
    });
    assert.ok(outdated <= FLEET, `outdated ${outdated}`);
    const done = await waitComplete(CHANNEL, 2, 90_000);
    await watch.stop();
    assert.deepEqual(watch.violations, [], 'no wave updated before the one before it was Ready');
    assert.deepEqual(watch.staged.slice(0, 2), [true, true], 'canary and half were each seen updated alone');
    assertSoakedBeforeNext(await tenants());
    await assertFleetOn(2);
    await assertPinned();
    assert.equal(await series(op.healthPort, 'tenantry_release_outdated_tenants', `channel="${CHANNEL}"`), 0);
    assert.deepEqual(done.status?.stable, { revision: 2, images: { app: appImage(2) } });
    assert.deepEqual(
      {
        total: done.status?.counts?.total,
        pinned: done.status?.counts?.pinned,
        updated: done.status?.counts?.updated,
        healthy: done.status?.counts?.healthy,
      },
      { total: FLEET + 1, pinned: 1, updated: FLEET, healthy: FLEET },
    );
  });

  test('one failing tenant within the failure budget: the rollout completes and reports it', async () => {
    const broken = inWave(1)[0]!;
    kubelet.breakImage(tenantNamespace(broken), appImage(3));
    await applyObjects([mainChannel(3)]);
    const done = await waitComplete(CHANNEL, 3, 90_000);
    assert.deepEqual(
      (done.status?.failed ?? []).map((f) => [f.tenant, f.wave, f.reason]),
      [[broken, 'half', 'NotReady']],
    );
    assert.equal(done.status?.counts?.failed, 1);
    await assertFleetOn(3, [broken]);
    const t = await eventually('the broken tenant shown Failed', async () => {
      const x = await getJson<Tenant>('tenant', broken);
      return x?.status?.release?.state === 'Failed' ? x : undefined;
    });
    assert.equal(t.status?.release?.revision, 3, 'a failed tenant within budget stays on the revision');
    assert.equal((await appImages()).get(broken), appImage(3));
    kubelet.fixImage(tenantNamespace(broken), appImage(3));
    await eventually('the fixed tenant Ready', async () => healthyOn(await getJson<Tenant>('tenant', broken), 3));
  });

  test('failures beyond the budget halt the rollout and roll back exactly the failing tenants; a resume completes it', async () => {
    const [a, b] = inWave(1).slice(-2) as [string, string];
    for (const n of [a, b]) kubelet.breakImage(tenantNamespace(n), appImage(4));
    await applyObjects([mainChannel(4)]);
    const halted = await waitChannel(CHANNEL, 'revision 4 Halted', (c) => c.status?.revision === 4 && c.status.phase === 'Halted', 90_000);
    assert.deepEqual(halted.status?.rolledBack, [a, b].sort());
    assert.equal(halted.status?.waveName, 'half');
    assert.match(halted.status?.message ?? '', new RegExp(a));

    await assertRolledBackExactly([a, b]);
    assert.equal(await series(op.healthPort, 'tenantry_release_halted', `channel="${CHANNEL}"`), 1);
    // Outdated: every tenant not Ready on revision 4, the rolled back and the later wave.
    await eventually(
      'outdated: the rolled back tenants and the later wave',
      async () => {
        const v = await series(op.healthPort, 'tenantry_release_outdated_tenants', `channel="${CHANNEL}"`);
        return v === 2 + inWave(2).length;
      },
      5_000,
    );
    await sleep(2000);
    assert.equal((await getJson<ReleaseChannel>('releasechannel', CHANNEL))?.status?.phase, 'Halted', 'a halted rollout stays halted');

    for (const n of [a, b]) kubelet.fixImage(tenantNamespace(n), appImage(4));
    await kubectlOk(['annotate', 'releasechannel', CHANNEL, `${RESUME_ANNOTATION}=${RUN}-1`, '--overwrite']);
    const done = await waitComplete(CHANNEL, 4, 90_000);
    assert.equal(done.status?.resumeToken, `${RUN}-1`);
    assert.deepEqual(done.status?.rolledBack ?? [], []);
    await assertFleetOn(4);
    assert.equal(await series(op.healthPort, 'tenantry_release_halted', `channel="${CHANNEL}"`), 0);
    assert.equal(await series(op.healthPort, 'tenantry_release_outdated_tenants', `channel="${CHANNEL}"`), 0);
    await assertPinned();
  });

  test('a release waits for its maintenance window; as a security release it goes at once', async () => {
    // A window that opens once a day, twelve hours from now.
    const now = new Date();
    const hour = (now.getUTCHours() + 12) % 24;
    const spec = (security: boolean): ReleaseChannelSpec => ({
      images: { app: appImage(100) },
      security,
      rollout: {
        soakSeconds: 0,
        readinessTimeoutSeconds: READINESS_TIMEOUT_SECONDS,
        maintenanceWindows: [{ schedule: `0 ${hour} * * *`, durationMinutes: 30, timeZone: 'UTC' }],
      },
    });
    await applyObjects([channel(WINDOW_CHANNEL, spec(false))]);
    const waiting = await waitChannel(WINDOW_CHANNEL, 'Waiting', (c) => c.status?.phase === 'Waiting');
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hour));
    if (next.getTime() <= now.getTime()) next.setUTCDate(next.getUTCDate() + 1);
    assert.equal(new Date(waiting.status?.nextWindow ?? '').getTime(), next.getTime(), `nextWindow ${waiting.status?.nextWindow}`);
    await sleep(2000);
    const images = await appImages();
    for (const n of WINDOW_TENANTS) {
      assert.equal(images.get(n), CONFIG_APP, `${n} not updated outside the window`);
      assert.equal((await getJson<Tenant>('tenant', n))?.status?.release?.state, 'Pending');
    }

    await applyObjects([channel(WINDOW_CHANNEL, spec(true))]);
    const done = await waitComplete(WINDOW_CHANNEL, (waiting.status?.revision ?? 0) + 1, 60_000);
    assert.equal(done.status?.security, true);
    const after = await appImages();
    for (const n of WINDOW_TENANTS) assert.equal(after.get(n), appImage(100), `${n} updated by the security release`);
    assert.equal(await series(op.healthPort, 'tenantry_release_security_patch_age_seconds', `channel="${WINDOW_CHANNEL}"`), 0);
  });

  test('what kubectl shows', async () => {
    // For the runbook: the channel's printer columns and each tenant's revision and state.
    console.log(await kubectlOk(['get', 'rch', CHANNEL, WINDOW_CHANNEL]));
    console.log(
      await kubectlOk([
        'get',
        'tenants',
        '-l',
        SELECTOR,
        '-o',
        'custom-columns=NAME:.metadata.name,CHANNEL:.status.release.channel,REVISION:.status.release.revision,WAVE:.status.release.wave,STATE:.status.release.state',
      ]),
    );
  });
});
