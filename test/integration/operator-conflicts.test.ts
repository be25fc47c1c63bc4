// Conflicts are reported with a message a person can act on, and nothing of theirs is touched:
// a namespace that is not ours, a host another tenant claimed first, an unencrypted or missing
// StorageClass, a region this operator does not serve.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Tenant } from '../../src/api/generated/index.js';
import { applyObjects, condition, eventually, getJson, listJson, testTenant } from '../support/cluster.js';
import { startOperator, testConfig, type TestOperator } from '../support/operator.js';
import { ENCRYPTED_CLASS, installPrerequisites, PLAIN_CLASS } from '../support/prerequisites.js';
import { sleep } from '../env/proc.js';

const RUN = randomBytes(3).toString('hex');
const SELECTOR = `tenantry.io/test=${RUN}-conflicts`;
const [LABEL_KEY, LABEL_VALUE] = SELECTOR.split('=') as [string, string];
const LABELS = { [LABEL_KEY]: LABEL_VALUE };

/** Waits until a tenant's condition has the given status, and returns the tenant. */
async function waitCondition(name: string, type: string, status: string): Promise<Tenant> {
  return eventually(`${name} ${type}=${status}`, async () => {
    const t = await getJson<Tenant>('tenant', name);
    return condition(t, type)?.status === status ? t : undefined;
  });
}

describe('conflicts', () => {
  let op: TestOperator;

  before(async () => {
    await installPrerequisites();
    op = await startOperator({ identity: `conflicts-${RUN}`, config: testConfig('nginx', ENCRYPTED_CLASS), tenantSelector: SELECTOR });
  });
  after(async () => {
    await op?.stop();
  });

  test('a namespace of that name that is not ours: NamespaceConflict, and it is left untouched', async () => {
    const name = `f-${RUN}`;
    await applyObjects([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `tenant-${name}`, labels: { team: 'payments' } } }]);
    const before = await getJson<KubernetesObject>('namespace', `tenant-${name}`);
    await applyObjects([testTenant(name, LABELS)]);
    const t = await waitCondition(name, 'NamespaceConflict', 'True');
    assert.match(condition(t, 'NamespaceConflict')?.message ?? '', /namespace tenant-.* already exists and is not owned by this tenant/);
    assert.equal(condition(t, 'Ready')?.status, 'False');
    assert.equal(t.status?.phase, 'Degraded');
    await sleep(1000);
    const after = await getJson<KubernetesObject>('namespace', `tenant-${name}`);
    assert.equal(after?.metadata?.resourceVersion, before?.metadata?.resourceVersion, 'the foreign namespace was not written');
    assert.equal((await listJson('networkpolicies', ['-n', `tenant-${name}`])).length, 0, 'nothing was created inside it');
    const events = await listJson<{ reason: string; type: string }>('events', [
      '-n',
      'default',
      '--field-selector',
      `involvedObject.name=${name}`,
    ]);
    assert.ok(events.some((e) => e.reason === 'NamespaceConflict' && e.type === 'Warning'));
  });

  test('two tenants claiming one host: the later one gets HostConflict and no route', async () => {
    const host = `shop-${RUN}.tenants.test`;
    const first = `h1-${RUN}`;
    const second = `h2-${RUN}`;
    await applyObjects([testTenant(first, LABELS, { host })]);
    await waitCondition(first, 'IngressReady', 'True');
    await applyObjects([testTenant(second, LABELS, { host })]);
    const t = await waitCondition(second, 'HostConflict', 'True');
    assert.match(condition(t, 'HostConflict')?.message ?? '', new RegExp(`host ${host} is already served for tenant ${first}`));
    assert.equal(condition(t, 'IngressReady')?.status, 'False');
    assert.equal(t.status?.url, undefined, 'no URL while the host is not ours');
    const blocked = await waitCondition(second, 'Reconciled', 'False');
    assert.equal(condition(blocked, 'Reconciled')?.reason, 'Blocked', 'everything else is applied; only the route is held back');
    await waitCondition(second, 'NamespaceReady', 'True');
    await sleep(1000);
    assert.equal((await listJson('ingresses', ['-n', `tenant-${second}`])).length, 0, 'no route for the later claim');
    assert.equal(
      (await listJson('certificates.cert-manager.io', ['-n', `tenant-${second}`])).length,
      0,
      'no certificate for the later claim',
    );
    const firstNow = await getJson<Tenant>('tenant', first);
    assert.equal(condition(firstNow, 'HostConflict')?.status, 'False', 'the first claim keeps its host');
    assert.equal((await listJson('ingresses', ['-n', `tenant-${first}`])).length, 1);
  });

  test('an unencrypted StorageClass: StorageEncrypted=False, no volume and no workload', async () => {
    const name = `p-${RUN}`;
    await applyObjects([testTenant(name, LABELS, { storage: { storageClassName: PLAIN_CLASS } })]);
    const t = await waitCondition(name, 'StorageEncrypted', 'False');
    assert.equal(condition(t, 'StorageEncrypted')?.reason, 'StorageClassNotEncrypted');
    assert.match(condition(t, 'StorageEncrypted')?.message ?? '', new RegExp(PLAIN_CLASS));
    await waitCondition(name, 'NamespaceReady', 'True');
    await sleep(1000);
    assert.equal((await listJson('persistentvolumeclaims', ['-n', `tenant-${name}`])).length, 0);
    assert.equal((await listJson('statefulsets', ['-n', `tenant-${name}`])).length, 0);
    assert.equal((await listJson('deployments', ['-n', `tenant-${name}`])).length, 0);
    const sc = await getJson<KubernetesObject & { parameters?: Record<string, string> }>('storageclass', PLAIN_CLASS);
    assert.equal(sc?.parameters?.encrypted, undefined, 'the class itself was not touched');
  });

  test('a StorageClass that does not exist: StorageClassNotFound', async () => {
    const name = `m-${RUN}`;
    await applyObjects([testTenant(name, LABELS, { storage: { storageClassName: 'no-such-class' } })]);
    const t = await waitCondition(name, 'StorageEncrypted', 'False');
    assert.equal(condition(t, 'StorageEncrypted')?.reason, 'StorageClassNotFound');
  });

  test('a region this operator does not serve is refused without creating anything', async () => {
    const name = `r-${RUN}`;
    await applyObjects([testTenant(name, LABELS, { region: 'ap-northeast-1' })]);
    const t = await waitCondition(name, 'NamespaceReady', 'False');
    assert.equal(condition(t, 'NamespaceReady')?.reason, 'RegionNotServed');
    assert.equal(await getJson('namespace', `tenant-${name}`), undefined);
  });
});
