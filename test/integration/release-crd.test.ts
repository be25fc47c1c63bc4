// The ReleaseChannel CRD against a real API server: it installs and is established, a minimal
// channel gets its defaults (one wave of everyone, a 600 s soak, a 900 s readiness timeout, a
// failure budget of 0, not a security release, windows in UTC), each invalid channel and a Tenant
// with a bad spec.app.channel are refused with a message naming the field and the rule, status is
// written only through the status subresource, and `kubectl get releasechannels` shows the
// engine's status.
// Objects get names unique to this run, so the file can run next to others on one cluster.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ReleaseChannel, Tenant } from '../../src/api/generated/index.js';
import { evaluateChannel, type ReleaseTenantFacts } from '../../src/release/index.js';
import { kubectl, kubectlOk } from '../support/kubectl.js';
import { installTenantryCrds } from '../support/prerequisites.js';

const RUN = randomBytes(3).toString('hex');
const created: string[] = [];

function channel(name: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'ReleaseChannel',
    metadata: { name },
    spec: { images: { app: 'registry.example.com/app:2.0.0' }, ...spec },
  };
}

function rollout(extra: Record<string, unknown>): Record<string, unknown> {
  return { rollout: extra };
}

function tenant(name: string, app: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Tenant',
    metadata: { name },
    spec: { plan: 'trial', region: 'eu-west-1', host: `${name}.release-test.example.com`, database: { engine: 'postgres' }, app },
  };
}

async function dryRun(obj: Record<string, unknown>): Promise<string> {
  return kubectlOk(['create', '--dry-run=server', '-o', 'json', '-f', '-'], JSON.stringify(obj));
}

void describe('ReleaseChannel CRD', () => {
  before(async () => {
    await installTenantryCrds('releasechannels', 'tenants');
  });

  after(async () => {
    for (const ref of created.reverse()) await kubectl(['delete', ref, '--ignore-not-found', '--wait=false']);
  });

  void test('a minimal ReleaseChannel is accepted with its defaults', async () => {
    const out = JSON.parse(await dryRun(channel(`rc-min-${RUN}`))) as ReleaseChannel;
    assert.equal(out.spec.security, false);
    assert.deepEqual(out.spec.rollout?.waves, [{ name: 'all', percent: 100 }]);
    assert.equal(out.spec.rollout?.soakSeconds, 600);
    assert.equal(out.spec.rollout?.readinessTimeoutSeconds, 900);
    assert.equal(out.spec.rollout?.failureBudget, 0);
    assert.equal(out.spec.rollout?.maintenanceWindows, undefined);
  });

  void test('a full ReleaseChannel is accepted; a window without a zone is in UTC', async () => {
    const spec = {
      images: { app: 'registry.example.com/app:2.0.0', postgres: 'postgres:17.2', mariadb: 'mariadb:11.4' },
      security: true,
      rollout: {
        waves: [
          {
            name: 'canary',
            selector: { matchLabels: { ring: 'canary' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['free'] }] },
          },
          { name: 'ten', percent: 10 },
          { name: 'all', percent: 100 },
        ],
        soakSeconds: 0,
        readinessTimeoutSeconds: 10,
        failureBudget: 3,
        maintenanceWindows: [{ schedule: '0 2 * * 1-5', durationMinutes: 120 }],
      },
    };
    const out = JSON.parse(await dryRun(channel(`rc-full-${RUN}`, spec))) as ReleaseChannel;
    assert.equal(out.spec.rollout?.maintenanceWindows?.[0]?.timeZone, 'UTC');
    assert.equal(out.spec.rollout?.waves?.length, 3);
    assert.equal(out.spec.rollout?.soakSeconds, 0);
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ['no images', { images: undefined }, 'spec.images: Required value'],
    ['no app image', { images: { postgres: 'postgres:17' } }, 'spec.images.app: Required value'],
    ['an empty app image', { images: { app: '' } }, 'spec.images.app'],
    [
      'a wave with selector and percent',
      rollout({ waves: [{ name: 'a', percent: 10, selector: { matchLabels: { ring: 'a' } } }] }),
      'spec.rollout.waves[] must set exactly one of selector and percent',
    ],
    ['a wave with neither', rollout({ waves: [{ name: 'a' }] }), 'spec.rollout.waves[] must set exactly one of selector and percent'],
    [
      'a wave name that is no DNS label',
      rollout({ waves: [{ name: 'Canary_1', percent: 10 }] }),
      'spec.rollout.waves[].name must be a DNS label',
    ],
    ['a percent of 0', rollout({ waves: [{ name: 'a', percent: 0 }] }), 'spec.rollout.waves[0].percent'],
    ['a percent above 100', rollout({ waves: [{ name: 'a', percent: 101 }] }), 'spec.rollout.waves[0].percent'],
    ['no waves', rollout({ waves: [] }), 'spec.rollout.waves'],
    [
      'two waves of one name',
      rollout({
        waves: [
          { name: 'a', percent: 10 },
          { name: 'a', percent: 100 },
        ],
      }),
      'Duplicate value',
    ],
    [
      'In without values',
      rollout({ waves: [{ name: 'a', selector: { matchExpressions: [{ key: 'ring', operator: 'In' }] } }] }),
      'values must be non-empty for In and NotIn',
    ],
    ['a negative soak', rollout({ soakSeconds: -1 }), 'spec.rollout.soakSeconds'],
    ['a soak above 7 days', rollout({ soakSeconds: 604801 }), 'spec.rollout.soakSeconds'],
    ['a readiness timeout under 10 s', rollout({ readinessTimeoutSeconds: 9 }), 'spec.rollout.readinessTimeoutSeconds'],
    ['a negative failure budget', rollout({ failureBudget: -1 }), 'spec.rollout.failureBudget'],
    ['a window of 0 minutes', rollout({ maintenanceWindows: [{ schedule: '0 2 * * *', durationMinutes: 0 }] }), 'durationMinutes'],
    ['a window without a schedule', rollout({ maintenanceWindows: [{ durationMinutes: 60 }] }), 'schedule: Required value'],
    ['a schedule too short to be cron', rollout({ maintenanceWindows: [{ schedule: '* * *', durationMinutes: 60 }] }), 'schedule'],
  ];
  for (const [name, spec, message] of invalid)
    void test(`refused: ${name}`, async () => {
      const r = await kubectl(['create', '--dry-run=server', '-f', '-'], JSON.stringify(channel(`rc-bad-${RUN}`, spec)));
      assert.notEqual(r.code, 0, `accepted:\n${r.stdout}`);
      assert.ok(r.stderr.includes(message), `stderr does not contain "${message}":\n${r.stderr}`);
    });

  void test('a Tenant names its channel by a valid name only', async () => {
    const ok = JSON.parse(await dryRun(tenant(`rc-tenant-${RUN}`, { channel: 'stable.eu-1' }))) as Tenant;
    assert.equal(ok.spec.app?.channel, 'stable.eu-1');
    for (const bad of ['Stable', 'stable_1', '-stable', 'stable.']) {
      const r = await kubectl(['create', '--dry-run=server', '-f', '-'], JSON.stringify(tenant(`rc-tenant-${RUN}`, { channel: bad })));
      assert.notEqual(r.code, 0, `channel ${bad} accepted`);
      assert.ok(r.stderr.includes('spec.app.channel must be a ReleaseChannel name'), r.stderr);
    }
    const empty = await kubectl(['create', '--dry-run=server', '-f', '-'], JSON.stringify(tenant(`rc-tenant-${RUN}`, { channel: '' })));
    assert.notEqual(empty.code, 0);
    assert.ok(empty.stderr.includes('spec.app.channel'), empty.stderr);
  });

  void test('status only through the subresource; kubectl get releasechannels shows the engine status', async () => {
    const name = `rc-status-${RUN}`;
    const obj = JSON.parse(await dryRun(channel(name, { security: true }))) as ReleaseChannel;
    await kubectlOk(['create', '-f', '-'], JSON.stringify(channel(name, { security: true })));
    created.push(`releasechannel/${name}`);
    const tenants: ReleaseTenantFacts[] = [
      { name: 'acme', labels: {}, pinned: false, inactive: false },
      { name: 'beta', labels: {}, pinned: true, inactive: false },
    ];
    const { status } = evaluateChannel({ ...obj, metadata: { ...obj.metadata, name } }, tenants, new Date('2026-12-02T10:00:00Z'));
    await kubectlOk(['patch', 'releasechannel', name, '--type', 'merge', '-p', JSON.stringify({ status })]);
    const ignored = JSON.parse(await kubectlOk(['get', 'releasechannel', name, '-o', 'json'])) as ReleaseChannel;
    assert.equal(ignored.status, undefined, 'a patch of the main resource does not write status');
    await kubectlOk(['patch', 'releasechannel', name, '--subresource=status', '--type', 'merge', '-p', JSON.stringify({ status })]);
    const stored = JSON.parse(await kubectlOk(['get', 'releasechannel', name, '-o', 'json'])) as ReleaseChannel;
    assert.deepEqual(stored.status, status, 'the API server keeps every field the engine writes');
    // Not the short name rc: kubectl resolves it to the core ReplicationController first.
    const table = await kubectlOk(['get', 'releasechannels', name]);
    const [header, row] = table.trim().split('\n');
    assert.match(header ?? '', /^NAME\s+REVISION\s+SECURITY\s+PHASE\s+WAVE\s+UPDATED\s+HEALTHY\s+FAILED\s+PENDING\s+AGE$/);
    assert.match(row ?? '', new RegExp(`^${name}\\s+1\\s+true\\s+Progressing\\s+all\\s+0\\s+0\\s+0\\s+1\\s+`));
  });
});
