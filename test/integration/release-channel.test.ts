// The ReleaseChannel wiring (P12) against the real API server: the operator watches channels of its
// shard, evaluates one with the tenants that follow it, writes its status once, records the
// transitions as Events and audit log lines, exports the release metrics, and its tenants follow
// the released revision in their status.release. The rollout itself (waves, soak, halts) is tested
// in release.test.ts and, as pure logic, in the unit tests.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ReleaseChannel, Tenant } from '../../src/api/generated/index.js';
import { applyObjects, eventually, getJson, listJson, testTenant } from '../support/cluster.js';
import { kubectlOk } from '../support/kubectl.js';
import { startOperator, testConfig, type TestOperator } from '../support/operator.js';
import { ENCRYPTED_CLASS, installPrerequisites } from '../support/prerequisites.js';
import { sleep } from '../env/proc.js';

const RUN = randomBytes(3).toString('hex');
const SELECTOR = `tenantry.io/test=${RUN}-rc`;
const [LABEL_KEY, LABEL_VALUE] = SELECTOR.split('=') as [string, string];
const APP = 'registry.example/app:2.1.1';

/** Reads one series of a gauge from the operator's /metrics (undefined: not exported). */
async function series(port: number, name: string, labels: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

/** The status of a channel's first evaluation: revision 1 of its images, two followers (one pinned), the wave released. */
function assertFirstRevision(evaluated: ReleaseChannel): void {
  const status = evaluated.status ?? {};
  assert.equal(status.revision, 1);
  assert.equal(status.images?.app, APP);
  assert.equal(status.security, true);
  assert.equal(status.counts?.total, 2, 'the two tenants naming the channel, not the third');
  assert.equal(status.counts?.pinned, 1);
  assert.ok((status.releasedWaves ?? 0) >= 1, 'the only wave is released at once');
}

describe('release channel wiring (P12)', () => {
  let op: TestOperator;
  const tenants: string[] = [];
  const channelName = `stable-${RUN}`;

  before(async () => {
    await installPrerequisites();
    op = await startOperator({ identity: `rc-${RUN}`, config: testConfig('nginx', ENCRYPTED_CLASS), tenantSelector: SELECTOR });
  });
  after(async () => {
    await op?.stop();
    await kubectlOk(['delete', 'releasechannels', '-l', SELECTOR, '--wait=false', '--ignore-not-found']);
    for (const n of tenants) await kubectlOk(['delete', 'tenant', n, '--wait=false', '--ignore-not-found']);
  });

  test('a channel of the shard gets a status once, Events, audit lines and metrics; its tenants follow it', async () => {
    const [a, pinned, other] = [`a-${RUN}`, `p-${RUN}`, `o-${RUN}`];
    tenants.push(a, pinned, other);
    const shard = { [LABEL_KEY]: LABEL_VALUE };
    await applyObjects([
      testTenant(a, shard, { app: { channel: channelName } }),
      testTenant(pinned, shard, { app: { channel: channelName, image: 'registry.example/own:1.0.0' } }),
      testTenant(other, shard),
    ]);
    const channel: ReleaseChannel = {
      apiVersion: 'tenantry.io/v1alpha1',
      kind: 'ReleaseChannel',
      metadata: { name: channelName, labels: shard },
      spec: { images: { app: APP }, security: true, rollout: { waves: [{ name: 'all', percent: 100 }], soakSeconds: 0 } },
    };
    // A channel outside the shard is not this operator's to evaluate.
    const foreign = `foreign-${RUN}`;
    await applyObjects([channel, { ...channel, metadata: { name: foreign, labels: { [LABEL_KEY]: `${RUN}-elsewhere` } } }]);

    const evaluated = await eventually(
      `channel ${channelName} evaluated`,
      async () => {
        const c = await getJson<ReleaseChannel>('releasechannel', channelName);
        return c?.status?.revision !== undefined ? c : undefined;
      },
      30_000,
    );
    assertFirstRevision(evaluated);

    // The follower gets the revision in its status.release; the pinned tenant stays pinned.
    const follower = await eventually(
      `${a} on revision 1`,
      async () => {
        const t = await getJson<Tenant>('tenant', a);
        return t?.status?.release?.revision === 1 ? t : undefined;
      },
      30_000,
    );
    assert.equal(follower.status?.release?.channel, channelName);
    assert.equal(follower.status?.release?.images?.app, APP);
    const p = await getJson<Tenant>('tenant', pinned);
    assert.notEqual(p?.status?.release?.images?.app, APP);

    const events = await listJson<{ reason: string; message: string }>('events', [
      '-n',
      'default',
      '--field-selector',
      `involvedObject.name=${channelName}`,
    ]);
    assert.ok(
      events.some((e) => e.reason === 'RolloutStarted'),
      `a RolloutStarted Event: ${events.map((e) => e.reason).join(', ')}`,
    );
    assert.ok(
      events.some((e) => e.reason === 'WaveReleased'),
      'a WaveReleased Event',
    );
    const audit = op
      .logs()
      .split('\n')
      .filter((l) => l.includes('"release audit"') && l.includes(channelName));
    assert.ok(audit.length >= 2, `audit lines: ${audit.length}`);
    assert.equal(await series(op.healthPort, 'tenantry_release_outdated_tenants', `channel="${foreign}"`), undefined);
    assert.equal((await getJson<ReleaseChannel>('releasechannel', foreign))?.status, undefined, 'another shard’s channel is left alone');

    // The channel sees the follower on its revision (a tenant's status write re-evaluates it).
    const updated = await eventually(
      'counts.updated 1',
      async () => {
        const c = await getJson<ReleaseChannel>('releasechannel', channelName);
        return c?.status?.counts?.updated === 1 ? c : undefined;
      },
      15_000,
    );
    // Settled: an unchanged channel is not rewritten when its tenants change in nothing it reads.
    await sleep(2000);
    const settled = (await getJson<ReleaseChannel>('releasechannel', channelName))?.metadata.resourceVersion;
    assert.equal(settled, updated.metadata.resourceVersion, 'no further write once the follower is on the revision');
    // The follower is outdated until Ready (no kubelet runs its pods here), and the security revision then has an age.
    const outdated = 1 - (updated.status?.counts?.healthy ?? 0);
    assert.equal(await series(op.healthPort, 'tenantry_release_outdated_tenants', `channel="${channelName}"`), outdated);
    const age = (await series(op.healthPort, 'tenantry_release_security_patch_age_seconds', `channel="${channelName}"`)) ?? -1;
    assert.ok(outdated === 0 ? age === 0 : age > 0, `security patch age ${age} s with ${outdated} outdated`);
    assert.equal(await series(op.healthPort, 'tenantry_release_halted', `channel="${channelName}"`), 0);
    await kubectlOk(['label', 'tenant', other, `touched=${RUN}`]);
    await kubectlOk(['label', 'tenant', a, `touched=${RUN}`]);
    await sleep(3000);
    assert.equal((await getJson<ReleaseChannel>('releasechannel', channelName))?.metadata.resourceVersion, settled);

    // Deleted: its series go.
    await kubectlOk(['delete', 'releasechannel', channelName]);
    await eventually(
      'metrics forgotten',
      async () => ((await series(op.healthPort, 'tenantry_release_halted', `channel="${channelName}"`)) === undefined ? true : undefined),
      15_000,
    );
  });
});
