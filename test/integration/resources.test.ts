// Integration test of the resource builders against a real API server: for every ingress provider ×
// database engine, the manifests of a real Tenant (with a real uid) are accepted by the API server
// and by the upstream CRD schemas (cert-manager, Traefik, Gateway API), come back exactly as built
// (canonical: the reconciler's zero-write comparison depends on it), and the pods they template
// are admitted by Pod Security "restricted", by the ServiceAccount admission and by the quota.
// Names carry a suffix unique to this run, so the file can run next to others on one cluster.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Tenant } from '../../src/api/generated/index.js';
import {
  buildContext,
  buildDatabaseSecret,
  buildDesiredState,
  buildPersistentVolumeClaims,
  isBuildContextError,
  type BuildContext,
  type Manifest,
} from '../../src/resources/index.js';
import { cacheDir } from '../env/paths.js';
import { repoRoot } from '../env/paths.js';
import { ensureUpstreamCrds } from '../env/upstream-crds.js';
import { kubectl, kubectlOk } from '../support/kubectl.js';
import { apply, assertStoredAsBuilt, mismatch, waitForQuota } from '../support/stored.js';
import {
  ENGINES,
  fixtureConfig,
  fixtureTenant,
  GITOPS_ANNOTATIONS,
  GITOPS_LABELS,
  INGRESS_VARIANTS,
} from '../support/resources-fixture.js';

type Json = Record<string, unknown>;

const RUN = randomBytes(3).toString('hex');
const FIELD_MANAGER = 'tenantry';
/** App egress to everywhere but the cut-out ranges, IPv4 and IPv6: the API server checks every `except` lies inside its `cidr`. */
const EGRESS_CONFIG = {
  egress: [
    { description: 'web APIs', cidr: '0.0.0.0/0', ports: [{ port: 443, protocol: 'TCP' }] },
    { description: 'web APIs over IPv6', cidr: '::/0', ports: [{ port: 443, protocol: 'TCP' }] },
    { description: 'mail relay', cidr: '192.0.2.25/32', ports: [{ port: 587, protocol: 'TCP' }] },
  ],
  clusterCidrs: ['10.96.0.0/12', '198.18.0.0/15'],
};
/** Created for real and removed at the end: Tenants (their namespaces go with them) and namespaces. */
const createdTenants: string[] = [];
const createdNamespaces: string[] = [];

const CRDS = [
  'tenants.tenantry.io',
  'certificates.cert-manager.io',
  'middlewares.traefik.io',
  'tlsoptions.traefik.io',
  'ingressroutes.traefik.io',
  'httproutes.gateway.networking.k8s.io',
  'listenersets.gateway.networking.k8s.io',
  'referencegrants.gateway.networking.k8s.io',
];

/** Creates a Tenant for real and returns it as stored (with its uid). */
async function createTenant(tenant: Tenant): Promise<Tenant> {
  const { uid: _uid, generation: _generation, ...metadata } = tenant.metadata;
  const out = await kubectlOk(['create', '-o', 'json', '-f', '-'], JSON.stringify({ ...tenant, metadata }));
  createdTenants.push(tenant.metadata.name!);
  return JSON.parse(out) as Tenant;
}

/** Returns a Pod made from a workload's pod template. */
function podFrom(workload: Manifest, name: string): Json {
  const template = (workload.spec as { template: { metadata: Json; spec: Json } }).template;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: workload.metadata.namespace, labels: template.metadata.labels },
    spec: template.spec,
  };
}

void describe('resource builders against the API server', () => {
  before(async () => {
    await kubectlOk(['apply', '--server-side', '--force-conflicts', '--field-manager=tenantry-crds', '-f', join(repoRoot(), 'crds')]);
    for (const f of await ensureUpstreamCrds(join(cacheDir(), 'upstream-crds')))
      await kubectlOk(['apply', '--server-side', '--field-manager=tenantry-tests', '-f', f]);
    await kubectlOk(['wait', '--for', 'condition=established', '--timeout=60s', ...CRDS.map((c) => `crd/${c}`)]);
  });

  after(async () => {
    for (const name of createdTenants) await kubectl(['delete', 'tenant', name, '--ignore-not-found', '--wait=false']);
    for (const ns of createdNamespaces) await kubectl(['delete', 'namespace', ns, '--ignore-not-found', '--wait=false']);
  });

  for (const variant of INGRESS_VARIANTS) {
    for (const engine of ENGINES) {
      test(`${variant} × ${engine}: accepted, stored as built, pods admitted as restricted`, async () => {
        const name = `res-${RUN}-${variant.replace('gateway-', 'gw-').replace('listenerset', 'ls')}-${engine === 'postgres' ? 'pg' : 'my'}`;
        // Two replicas, so the app's PodDisruptionBudget is among what the API server checks.
        const stored = await createTenant(fixtureTenant(name, engine, { app: { replicas: 2 } }));
        // The builders read what the API server stored, GitOps labels and all.
        assert.equal(stored.metadata.labels?.['app.kubernetes.io/instance'], GITOPS_LABELS['app.kubernetes.io/instance']);
        assert.ok(stored.metadata.uid);
        const built = buildContext(stored, fixtureConfig(variant, EGRESS_CONFIG));
        if (isBuildContextError(built)) throw new Error(built.error);
        const ctx: BuildContext = built;
        const desired = buildDesiredState(ctx);
        assert.ok(
          desired.some((m) => m.kind === 'PodDisruptionBudget'),
          'the desired state holds the app budget',
        );
        const all = [
          ...desired,
          buildDatabaseSecret(ctx, { databasePassword: 'integration-password', rootPassword: 'integration-root' }),
          ...buildPersistentVolumeClaims(ctx),
        ];
        for (const m of all) {
          const text = JSON.stringify(m.metadata);
          for (const key of [...Object.keys(GITOPS_LABELS), ...Object.keys(GITOPS_ANNOTATIONS)])
            assert.ok(!text.includes(key), `${m.kind}/${m.metadata.name} carries ${key}`);
        }

        // The Namespace for real, owned by the cluster-scoped Tenant.
        const [namespace, ...rest] = all;
        assert.equal(namespace!.kind, 'Namespace');
        createdNamespaces.push(ctx.namespace);
        assertStoredAsBuilt([namespace!], await apply([namespace!], false));

        // Real too: what admission of the pods below depends on (ServiceAccounts, LimitRange, quota).
        const real = rest.filter((m) => ['ServiceAccount', 'LimitRange', 'ResourceQuota'].includes(m.kind));
        assertStoredAsBuilt(real, await apply(real, false));

        // Everything else as a server-side dry run: the API server and the CRD schemas validate it.
        const dry = rest.filter((m) => !real.includes(m));
        assertStoredAsBuilt(dry, await apply(dry, true));
        // Applying the same again changes nothing: what is stored is what we built.
        assertStoredAsBuilt(real, await apply(real, false));

        // Pod Security "restricted", ServiceAccount and quota admission admit the pods of both workloads.
        await waitForQuota(ctx.namespace, 'plan');
        for (const workload of desired.filter((m) => m.kind === 'StatefulSet' || m.kind === 'Deployment')) {
          const r = await kubectl(
            ['create', '--dry-run=server', '-o', 'json', '-f', '-'],
            JSON.stringify(podFrom(workload, `${workload.metadata.name}-probe`)),
          );
          assert.equal(r.code, 0, `${workload.kind}/${workload.metadata.name}: pod refused: ${r.stderr}`);
          assert.doesNotMatch(r.stderr, /violate|PodSecurity/i, `${workload.kind}/${workload.metadata.name}: admitted with a warning`);
          const pod = JSON.parse(r.stdout) as Json;
          // The LimitRange filled in what the workload leaves open, and quota accepted it.
          for (const c of (pod.spec as { containers: Json[] }).containers) {
            const limits = (c.resources as Json | undefined)?.limits as Json | undefined;
            assert.ok(limits?.memory, `${String(c.name)} has a memory limit`);
            // The quota counts node disk too: a pod without an ephemeral-storage limit would be refused.
            assert.ok(limits?.['ephemeral-storage'], `${String(c.name)} has an ephemeral-storage limit`);
          }
        }

        // The check can fail: a privileged pod is refused by the namespace's enforce label.
        const deployment = desired.find((m) => m.kind === 'Deployment')!;
        const bad = podFrom(deployment, 'privileged-probe') as { spec: { containers: Json[] } };
        // allowPrivilegeEscalation must go too, or validation refuses the pod before Pod Security sees it.
        bad.spec.containers[0]!.securityContext = {
          ...(bad.spec.containers[0]!.securityContext as Json),
          privileged: true,
          allowPrivilegeEscalation: true,
        };
        const refused = await kubectl(['create', '--dry-run=server', '-f', '-'], JSON.stringify(bad));
        assert.notEqual(refused.code, 0, 'a privileged pod was admitted');
        assert.match(refused.stderr, /restricted/);
        assert.match(refused.stderr, /privileged/);
      });
    }
  }

  test('the canonical-form check has teeth: a quantity the server rewrites is reported', async () => {
    const ns = `res-${RUN}-canonical`;
    await kubectlOk(['create', 'namespace', ns]);
    createdNamespaces.push(ns);
    const pvc: Manifest = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'files', namespace: ns, labels: { 'tenantry.io/test': 'canonical' } },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1.5Gi' } } },
    };
    const [stored] = await apply([pvc], true);
    assert.equal(mismatch(pvc, stored), '.spec.resources.requests.storage: want "1.5Gi", stored "1536Mi"');
  });

  test('an invalid manifest is refused by the CRD schema (the dry runs above validate for real)', async () => {
    const r = await kubectl(
      ['apply', '--server-side', '--dry-run=server', `--field-manager=${FIELD_MANAGER}`, '-f', '-'],
      JSON.stringify({
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: `bad-${RUN}`, namespace: 'default' },
        spec: { secretName: 'x', issuerRef: { name: 'y' }, privateKey: { algorithm: 'ECDSA', rotationPolicy: 'Sometimes' } },
      }),
    );
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /rotationPolicy/);
  });
});
