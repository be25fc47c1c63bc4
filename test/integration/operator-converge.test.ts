// A Tenant becomes every object it needs, for each ingress provider and each database engine,
// and the API server (with the cert-manager, Traefik and Gateway API schemas) accepts them all.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Tenant } from '../../src/api/generated/index.js';
import { parseConfig } from '../../src/config.js';
import { isSubset } from '../../src/controller/diff.js';
import { buildContext, buildDesiredState, buildPersistentVolumeClaims, isBuildContextError } from '../../src/resources/index.js';
import { applyObjects, condition, eventually, getJson, listJson, testTenant } from '../support/cluster.js';
import { kubectl } from '../support/kubectl.js';
import { startOperator, testConfig, type TestOperator } from '../support/operator.js';
import { ENCRYPTED_CLASS, installPrerequisites } from '../support/prerequisites.js';
import { sleep } from '../env/proc.js';

const RUN = randomBytes(3).toString('hex');
const PROVIDERS = ['nginx', 'traefik', 'gateway'] as const;
const ENGINES = ['postgres', 'mariadb'] as const;

/** The kubectl name of a manifest's kind (kind.group; kubectl resolves singular names), for `kubectl get`. */
function resourceOf(m: { apiVersion: string; kind: string }): string {
  const group = m.apiVersion.includes('/') ? m.apiVersion.split('/')[0] : '';
  return group ? `${m.kind.toLowerCase()}.${group}` : m.kind.toLowerCase();
}

for (const provider of PROVIDERS) {
  describe(`operator with the ${provider} ingress provider`, () => {
    const selector = `tenantry.io/test=${RUN}-${provider}`;
    const [labelKey, labelValue] = selector.split('=') as [string, string];
    const config = testConfig(provider, ENCRYPTED_CLASS);
    let op: TestOperator;

    before(async () => {
      await installPrerequisites();
      op = await startOperator({ identity: `converge-${provider}`, config, tenantSelector: selector });
    });
    after(async () => {
      await op?.stop();
    });

    for (const engine of ENGINES) {
      test(`a ${engine} tenant converges: every object present and as built, status filled in`, async () => {
        const name = `c-${RUN}-${provider.slice(0, 2)}-${engine.slice(0, 2)}`;
        // GitOps tracking labels on the Tenant must not be copied onto its children.
        const t = testTenant(name, { [labelKey]: labelValue, 'app.kubernetes.io/instance': 'argo-app' }, { database: { engine } });
        t.metadata.annotations = { 'argocd.argoproj.io/tracking-id': 'argo-app:tenantry.io/Tenant:/x' };
        await applyObjects([t]);
        const converged = await eventually(`${name} Reconciled`, async () => {
          const got = await getJson<Tenant>('tenant', name);
          return condition(got, 'Reconciled')?.status === 'True' ? got : undefined;
        });
        assert.equal(converged.status?.namespace, `tenant-${name}`);
        assert.equal(converged.status?.url, `https://${name}.tenants.test`);
        assert.equal(converged.status?.observedGeneration, converged.metadata.generation);
        assert.equal(converged.status?.phase, 'Provisioning', 'no kubelet here: workloads exist but their pods never run');
        for (const type of ['NamespaceReady', 'StorageEncrypted', 'IngressReady'])
          assert.equal(condition(converged, type)?.status, 'True', type);
        for (const type of ['NamespaceConflict', 'HostConflict']) assert.equal(condition(converged, type)?.status, 'False', type);
        assert.equal(condition(converged, 'AppReady')?.reason, 'PodsNotReady');
        assert.equal(condition(converged, 'Ready')?.status, 'False');

        const ctx = buildContext(converged, parseConfig(config));
        assert.ok(!isBuildContextError(ctx));
        const expected = [...buildDesiredState(ctx), ...buildPersistentVolumeClaims(ctx)];
        assert.ok(expected.length >= 15, `expected at least 15 objects, the builders give ${expected.length}`);
        for (const m of expected) {
          const got = await getJson<KubernetesObject>(resourceOf(m), m.metadata.name, m.metadata.namespace);
          assert.ok(got, `${m.kind} ${m.metadata.name} exists`);
          assert.ok(isSubset(m, got), `${m.kind} ${m.metadata.name} is stored as built`);
          assert.equal(got.metadata?.labels?.['app.kubernetes.io/instance'], undefined, `${m.kind} carries no GitOps instance label`);
          assert.ok(
            !Object.keys(got.metadata?.annotations ?? {}).some((a) => a.startsWith('argocd.argoproj.io/')),
            `${m.kind} carries no Argo CD annotation`,
          );
        }
        const secret = await getJson<{ data: Record<string, string> }>('secret', 'database-credentials', `tenant-${name}`);
        assert.ok(secret && Object.keys(secret.data).length > 0, 'credentials were generated');
        const ns = await getJson<KubernetesObject>('namespace', `tenant-${name}`);
        assert.equal(ns?.metadata?.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
        const events = await listJson<{ reason: string; involvedObject: { name: string } }>('events', [
          '-n',
          'default',
          '--field-selector',
          `involvedObject.name=${name}`,
        ]);
        assert.ok(
          events.some((e) => e.reason === 'CreatingObject'),
          'an Event records the objects created',
        );
      });
    }

    // The budget depends on the app alone, not on the provider: one provider suffices.
    if (provider === 'nginx') {
      test('review 15: a PodDisruptionBudget (maxUnavailable 1) exists for two app replicas and is removed for one', async () => {
        const name = `c-${RUN}-${provider.slice(0, 2)}-pdb`;
        const ns = `tenant-${name}`;
        interface Pdb {
          spec: { maxUnavailable: number; selector: unknown };
        }
        await applyObjects([testTenant(name, { [labelKey]: labelValue }, { app: { replicas: 2 } })]);
        const pdb = await eventually(`PodDisruptionBudget ${ns}/app`, async () => getJson<Pdb>('poddisruptionbudget.policy', 'app', ns));
        assert.equal(pdb.spec.maxUnavailable, 1);
        const deployment = await getJson<{ spec: { selector: unknown } }>('deployment.apps', 'app', ns);
        assert.deepEqual(pdb.spec.selector, deployment?.spec.selector, 'the budget selects the app pods');
        // Down to one replica: the budget is pruned.
        const patched = await kubectl([
          'patch',
          'tenant',
          name,
          '--type',
          'merge',
          '-p',
          JSON.stringify({ spec: { app: { replicas: 1 } } }),
        ]);
        assert.equal(patched.code, 0, patched.stderr);
        await eventually(
          `PodDisruptionBudget ${ns}/app removed`,
          async () => (await getJson('poddisruptionbudget.policy', 'app', ns)) === undefined,
        );
        const converged = await eventually(`${name} Reconciled at generation 2`, async () => {
          const got = await getJson<Tenant>('tenant', name);
          return got?.status?.observedGeneration === 2 && condition(got, 'Reconciled')?.status === 'True' ? got : undefined;
        });
        assert.equal(converged.spec.app?.replicas, 1);
        assert.equal((await getJson<{ spec: { replicas: number } }>('deployment.apps', 'app', ns))?.spec.replicas, 1);
      });
    }

    test('deleting a Tenant keeps its namespace and everything in it until its erasure date: Closed, reason Deleted', async () => {
      const name = `c-${RUN}-${provider.slice(0, 2)}-del`;
      await applyObjects([testTenant(name, { [labelKey]: labelValue })]);
      await eventually(`${name} Reconciled`, async () => condition(await getJson<Tenant>('tenant', name), 'Reconciled')?.status === 'True');
      const del = await kubectl(['delete', 'tenant', name, '--wait=false']);
      assert.equal(del.code, 0, del.stderr);
      const closed = await eventually(`${name} Closed after its deletion`, async () => {
        const t = await getJson<Tenant>('tenant', name);
        return t?.status?.lifecycle?.phase === 'Closed' && t.status.lifecycle.reason === 'Deleted' ? t : undefined;
      });
      assert.ok(closed.metadata.deletionTimestamp, 'the Tenant is being deleted');
      assert.deepEqual(closed.metadata.finalizers, ['tenantry.io/lifecycle']);
      // A paid tenant deleted without a rule of its own is erased 90 days after its deletion.
      const due = new Date(closed.status!.lifecycle!.eraseAt!).getTime() - new Date(closed.metadata.deletionTimestamp!).getTime();
      assert.equal(Math.round(due / 86_400_000), 90);
      await sleep(3000);
      const ns = await getJson<{ metadata: { deletionTimestamp?: string } }>('namespace', `tenant-${name}`);
      assert.ok(ns, 'the namespace is kept');
      assert.equal(ns.metadata.deletionTimestamp, undefined, 'the namespace is not terminating');
      assert.ok(await getJson('statefulset.apps', 'database', `tenant-${name}`), 'the database is kept');
    });
  });
}
