// A Tenant gets a route and a certificate only for a host under the domains the operator serves
// tenants on, and never for a host that a route Tenantry does not own already serves; nothing of
// theirs is touched.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Tenant } from '../../src/api/generated/index.js';
import { applyObjects, condition, eventually, getJson, listJson, testTenant } from '../support/cluster.js';
import { kubectlOk } from '../support/kubectl.js';
import { startOperator, testConfig, type TestOperator } from '../support/operator.js';
import { ENCRYPTED_CLASS, installPrerequisites } from '../support/prerequisites.js';
import { sleep } from '../env/proc.js';

const RUN = randomBytes(3).toString('hex');
const SELECTOR = `tenantry.io/test=${RUN}-hosts`;
const [LABEL_KEY, LABEL_VALUE] = SELECTOR.split('=') as [string, string];
const LABELS = { [LABEL_KEY]: LABEL_VALUE };
/** testConfig's baseDomain. */
const BASE_DOMAIN = 'tenants.test';
const CUSTOM_DOMAIN = `custom-${RUN}.test`;
/** A namespace of another team, with their own Ingresses. */
const TEAM_NS = `team-${RUN}`;

/** Waits until a tenant's condition has the given status, and returns the tenant. */
async function waitCondition(name: string, type: string, status: string): Promise<Tenant> {
  return eventually(`${name} ${type}=${status}`, async () => {
    const t = await getJson<Tenant>('tenant', name);
    return condition(t, type)?.status === status ? t : undefined;
  });
}

/** Another team's Ingress for a host: no Tenantry label. */
function theirIngress(name: string, host: string): KubernetesObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: TEAM_NS, labels: { team: 'b' } },
    spec: {
      ingressClassName: 'nginx',
      rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'shop', port: { number: 80 } } } }] } }],
    },
  } as KubernetesObject;
}

/** Counts the routing objects and certificates in a tenant's namespace. */
async function routed(name: string): Promise<{ ingresses: number; certificates: number }> {
  const ns = ['-n', `tenant-${name}`];
  return { ingresses: (await listJson('ingresses', ns)).length, certificates: (await listJson('certificates.cert-manager.io', ns)).length };
}

describe('hosts', () => {
  let op: TestOperator;

  before(async () => {
    await installPrerequisites();
    await applyObjects([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: TEAM_NS } }]);
    op = await startOperator({
      identity: `hosts-${RUN}`,
      config: { ...testConfig('nginx', ENCRYPTED_CLASS), allowedDomains: [CUSTOM_DOMAIN] },
      tenantSelector: SELECTOR,
    });
  });
  after(async () => {
    await op?.stop();
    await kubectlOk(['delete', 'namespace', TEAM_NS, '--wait=false', '--ignore-not-found']);
  });

  test('review 9: a host outside baseDomain and allowedDomains gets HostConflict HostNotAllowed, no Ingress and no Certificate', async () => {
    const name = `o-${RUN}`;
    await applyObjects([testTenant(name, LABELS, { host: `admin-${RUN}.example.com` })]);
    const t = await waitCondition(name, 'HostConflict', 'True');
    assert.equal(condition(t, 'HostConflict')?.reason, 'HostNotAllowed');
    assert.match(
      condition(t, 'HostConflict')?.message ?? '',
      new RegExp(`host admin-${RUN}\\.example\\.com is outside .*${BASE_DOMAIN.replace('.', '\\.')}`),
    );
    assert.equal(condition(t, 'IngressReady')?.reason, 'HostNotAllowed');
    assert.equal(t.status?.url, undefined);
    await waitCondition(name, 'NamespaceReady', 'True');
    await eventually(
      `${name} database and app`,
      async () => (await listJson('deployments', ['-n', `tenant-${name}`])).length === 1,
      30_000,
    );
    await sleep(1000);
    assert.deepEqual(await routed(name), { ingresses: 0, certificates: 0 }, 'no route and no certificate');
    const events = await listJson<{ reason: string; type: string }>('events', [
      '-n',
      'default',
      '--field-selector',
      `involvedObject.name=${name}`,
    ]);
    assert.ok(
      events.some((e) => e.reason === 'HostNotAllowed' && e.type === 'Warning'),
      'a Warning Event says why',
    );
  });

  test('review 9: a host served by an Ingress Tenantry does not own: no route, no certificate, that Ingress untouched; once it is gone the tenant gets the host', async () => {
    const name = `f-${RUN}`;
    const host = `shop-${RUN}.${BASE_DOMAIN}`;
    await applyObjects([theirIngress('shop', host)]);
    const theirs = await getJson<KubernetesObject>('ingress', 'shop', TEAM_NS);
    await applyObjects([testTenant(name, LABELS, { host })]);
    const t = await waitCondition(name, 'HostConflict', 'True');
    assert.equal(condition(t, 'HostConflict')?.reason, 'HostClaimedByForeignRoute');
    assert.match(
      condition(t, 'HostConflict')?.message ?? '',
      new RegExp(`already served by Ingress ${TEAM_NS}/shop, which Tenantry does not manage`),
    );
    assert.equal(t.status?.url, undefined);
    await waitCondition(name, 'NamespaceReady', 'True');
    await sleep(1000);
    assert.deepEqual(await routed(name), { ingresses: 0, certificates: 0 }, 'no route and no certificate');
    const now = await getJson<KubernetesObject>('ingress', 'shop', TEAM_NS);
    assert.equal(now?.metadata?.resourceVersion, theirs?.metadata?.resourceVersion, 'their Ingress was not written');

    // Their Ingress goes: the watch of routes wakes the tenant up at once (resync is minutes away).
    await kubectlOk(['delete', 'ingress', 'shop', '-n', TEAM_NS, '--wait=true']);
    const free = await waitCondition(name, 'IngressReady', 'True');
    assert.equal(condition(free, 'HostConflict')?.status, 'False');
    assert.equal(free.status?.url, `https://${host}`);
    assert.deepEqual(await routed(name), { ingresses: 1, certificates: 1 });
  });

  test("review 9: an Ingress made later for a tenant's host is reported on the tenant, and neither route is touched", async () => {
    const name = `l-${RUN}`;
    const host = `late-${RUN}.${BASE_DOMAIN}`;
    await applyObjects([testTenant(name, LABELS, { host })]);
    await waitCondition(name, 'IngressReady', 'True');
    const ours = await getJson<KubernetesObject>('ingress', 'app', `tenant-${name}`);
    // Created a second later than ours, so the creation times differ.
    await sleep(1100);
    await applyObjects([theirIngress('late', host)]);
    const theirs = await getJson<KubernetesObject>('ingress', 'late', TEAM_NS);
    const t = await waitCondition(name, 'HostConflict', 'True');
    assert.equal(condition(t, 'HostConflict')?.reason, 'HostSharedWithForeignRoute');
    assert.match(
      condition(t, 'HostConflict')?.message ?? '',
      new RegExp(`Ingress ${TEAM_NS}/late also routes host ${host.replace(/\./g, '\\.')}`),
    );
    assert.equal(condition(t, 'IngressReady')?.status, 'True', 'the first route stays');
    await sleep(1000);
    assert.equal(
      (await getJson<KubernetesObject>('ingress', 'app', `tenant-${name}`))?.metadata?.uid,
      ours?.metadata?.uid,
      'ours is still there',
    );
    assert.equal(
      (await getJson<KubernetesObject>('ingress', 'late', TEAM_NS))?.metadata?.resourceVersion,
      theirs?.metadata?.resourceVersion,
      'theirs was not written',
    );
  });

  test('review 9: allowedDomains lets a custom domain through', async () => {
    const name = `c-${RUN}`;
    const host = `shop.${CUSTOM_DOMAIN}`;
    await applyObjects([testTenant(name, LABELS, { host })]);
    const t = await waitCondition(name, 'IngressReady', 'True');
    assert.equal(condition(t, 'HostConflict')?.status, 'False');
    assert.equal(t.status?.url, `https://${host}`);
    const ingress = await eventually(`${name} Ingress`, async () =>
      getJson<{ spec: { rules: { host: string }[] } }>('ingress', 'app', `tenant-${name}`),
    );
    assert.deepEqual(
      ingress.spec.rules.map((r) => r.host),
      [host],
    );
    assert.equal((await routed(name)).certificates, 1);
  });
});
