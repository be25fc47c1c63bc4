// Shaping objects for the informer caches: what is dropped (managedFields, last-applied, Secret
// values), that what is kept is the same JSON, and which parts many tenants' objects share.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import { shapeForCache, SharedValues } from '../../src/controller/cache-shape.js';

const DEPLOYMENT = { apiVersion: 'apps/v1', kind: 'Deployment' };

/** A tenant's app Deployment as a watch event delivers it (parsed anew each time, like one). */
function deployment(tenant: string, uid: string, image = 'ghcr.io/example/saas-app:1.0.0'): KubernetesObject & Record<string, unknown> {
  const labels = { 'app.kubernetes.io/component': 'app', 'tenantry.io/tenant': tenant, 'tenantry.io/tenant-uid': uid };
  return JSON.parse(
    JSON.stringify({
      metadata: {
        name: 'app',
        namespace: `tenant-${tenant}`,
        uid: `${uid}-own`,
        resourceVersion: '2615',
        creationTimestamp: '2026-12-03T06:03:19Z',
        labels,
        annotations: { 'tenantry.io/applied-hash': `hash-of-${tenant}`, 'kubectl.kubernetes.io/last-applied-configuration': '{"big":1}' },
        ownerReferences: [{ apiVersion: 'tenantry.io/v1alpha1', kind: 'Tenant', name: tenant, uid, controller: true }],
        managedFields: [{ manager: 'tenantry', operation: 'Apply', fieldsV1: { 'f:spec': {} } }],
      },
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/component': 'app', 'tenantry.io/tenant': tenant } },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'app',
                image,
                env: [{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'database-credentials', key: 'DATABASE_URL' } } }],
                terminationMessagePath: '/dev/termination-log',
              },
            ],
            securityContext: { runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          },
        },
      },
      status: { observedGeneration: 1, availableReplicas: 1, conditions: [{ type: 'Available', status: 'True' }] },
    }),
  ) as KubernetesObject & Record<string, unknown>;
}

type Shaped = KubernetesObject & {
  spec: {
    selector: unknown;
    template: { metadata: { labels: unknown }; spec: { containers: { env: unknown }[]; securityContext: unknown } };
  };
  status: unknown;
};

/** The object as the cache held it before sharing: the same minus what is never read. */
function expectedJson(o: KubernetesObject & Record<string, unknown>): string {
  const { managedFields: _m, ...metadata } = o.metadata ?? {};
  const { 'kubectl.kubernetes.io/last-applied-configuration': _l, ...annotations } = metadata.annotations ?? {};
  const { conditions: _c, ...status } = o['status'] as Record<string, unknown>;
  return JSON.stringify({ ...o, ...DEPLOYMENT, metadata: { ...metadata, annotations }, status });
}

void test('a shaped object is the same JSON, key order included, without managedFields and last-applied', () => {
  const shared = new SharedValues();
  for (const t of ['acme', 'globex', 'acme']) {
    const o = deployment(t, `uid-${t}-0000-1111`);
    const want = expectedJson(o);
    const shaped = shapeForCache(o, DEPLOYMENT, shared);
    assert.equal(JSON.stringify(shaped), want);
    assert.equal(shaped.metadata?.managedFields, undefined);
    assert.equal(shaped.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration'], undefined);
  }
});

void test('without a table nothing is shared or frozen (the operator’s own kinds)', () => {
  const a = shapeForCache(deployment('acme', 'uid-acme-0000'), DEPLOYMENT) as Shaped;
  const b = shapeForCache(deployment('globex', 'uid-globex-0000'), DEPLOYMENT) as Shaped;
  assert.notEqual(a.spec.template.spec.securityContext, b.spec.template.spec.securityContext);
  assert.equal(Object.isFrozen(a.spec.template.spec.securityContext), false);
});

void test('what tenants have in common is one frozen copy; what names a tenant is not shared with another', () => {
  const shared = new SharedValues();
  const a = shapeForCache(deployment('acme', 'uid-acme-0000'), DEPLOYMENT, shared) as Shaped;
  const b = shapeForCache(deployment('globex', 'uid-globex-0000'), DEPLOYMENT, shared) as Shaped;
  assert.equal(a.spec.template.spec.securityContext, b.spec.template.spec.securityContext);
  assert.equal(a.spec.template.spec.containers[0]!.env, b.spec.template.spec.containers[0]!.env);
  assert.ok(Object.isFrozen(a.spec.template.spec.containers[0]!.env));
  assert.notEqual(a.spec.selector, b.spec.selector);
  assert.notDeepEqual(a.metadata?.labels, b.metadata?.labels);
  // A reader changing a shared value would change every tenant's object: it fails instead.
  assert.throws(() => {
    (a.spec.template.spec.securityContext as { runAsUser: number }).runAsUser = 0;
  }, TypeError);
});

void test('within one object equal values are one copy: the labels and the pod template labels', () => {
  const shared = new SharedValues();
  const a = shapeForCache(deployment('acme', 'uid-acme-0000'), DEPLOYMENT, shared) as Shaped;
  assert.equal(a.metadata?.labels, a.spec.template.metadata.labels);
});

void test('metadata and status, which change with every write, are neither shared nor frozen', () => {
  const shared = new SharedValues();
  const a = shapeForCache(deployment('acme', 'uid-acme-0000'), DEPLOYMENT, shared) as Shaped;
  const b = shapeForCache(deployment('globex', 'uid-globex-0000'), DEPLOYMENT, shared) as Shaped;
  assert.notEqual(a.status, b.status);
  assert.equal(Object.isFrozen(a.status), false);
  assert.equal(Object.isFrozen(a.metadata), false);
  assert.equal(Object.isFrozen(a.metadata?.annotations), false);
});

void test('the common table does not grow with the number of tenants, and a spec change is a new value', () => {
  const shared = new SharedValues();
  shapeForCache(deployment('tenant-0', 'uid-0000-0000'), DEPLOYMENT, shared);
  const afterOne = shared.size.common;
  for (let i = 1; i < 50; i++) shapeForCache(deployment(`tenant-${i}`, `uid-${i}-0000-0000`), DEPLOYMENT, shared);
  assert.equal(shared.size.common, afterOne);
  assert.equal(shared.size.tenants, 50);
  const changed = shapeForCache(deployment('tenant-1', 'uid-1-0000-0000', 'ghcr.io/example/saas-app:2.0.0'), DEPLOYMENT, shared) as Shaped;
  assert.equal((changed.spec.template.spec.containers[0] as { image?: string }).image, 'ghcr.io/example/saas-app:2.0.0');
  shared.forget('uid-1-0000-0000');
  assert.equal(shared.size.tenants, 49);
});

void test('a full common table starts over, and objects shaped after it are still equal to their input', () => {
  const shared = new SharedValues(5);
  for (let i = 0; i < 20; i++) {
    const o = deployment(`tenant-${i}`, `uid-${i}-0000-0000`, `ghcr.io/example/saas-app:1.${i}.0`);
    const want = expectedJson(o);
    assert.equal(JSON.stringify(shapeForCache(o, DEPLOYMENT, shared)), want);
    assert.ok(shared.size.common <= 5);
  }
});

void test('objects without a tenant label are cached as they are', () => {
  const shared = new SharedValues();
  const o = deployment('acme', 'uid-acme-0000');
  delete o.metadata?.labels;
  delete (o as { spec: { template: { metadata?: unknown } } }).spec.template.metadata;
  const shaped = shapeForCache(o, DEPLOYMENT, shared) as Shaped;
  assert.equal(Object.isFrozen(shaped.spec), false);
  assert.equal(shared.size.common, 0);
});

void test('workloads keep the status fields readiness reads, and not their conditions', () => {
  const status = {
    observedGeneration: 3,
    replicas: 2,
    updatedReplicas: 2,
    readyReplicas: 1,
    availableReplicas: 1,
    unavailableReplicas: 1,
    currentRevision: 'db-7c9',
    updateRevision: 'db-7c9',
    collisionCount: 1,
    conditions: [{ type: 'Progressing', status: 'True', message: 'ReplicaSet "app-5d8f" has successfully progressed.' }],
  };
  const withStatus = (kind: string) =>
    shapeForCache({ metadata: { name: 'x' }, status } as KubernetesObject, { apiVersion: 'apps/v1', kind }) as { status: unknown };
  assert.deepEqual(withStatus('Deployment').status, {
    observedGeneration: 3,
    replicas: 2,
    updatedReplicas: 2,
    readyReplicas: 1,
    availableReplicas: 1,
  });
  assert.deepEqual(withStatus('StatefulSet').status, {
    observedGeneration: 3,
    replicas: 2,
    readyReplicas: 1,
    currentRevision: 'db-7c9',
    updateRevision: 'db-7c9',
  });
  // Other kinds keep their status whole: a Job's conditions say whether it completed.
  assert.deepEqual(withStatus('Job').status, status);
});

void test('a Secret is cached without its values', () => {
  const secret = {
    metadata: { name: 'database-credentials', namespace: 'tenant-acme' },
    data: { DATABASE_PASSWORD: 'c2VjcmV0' },
    type: 'Opaque',
  };
  const shaped = shapeForCache(secret as KubernetesObject, { apiVersion: 'v1', kind: 'Secret' }, new SharedValues()) as Record<
    string,
    unknown
  >;
  assert.equal(shaped['data'], undefined);
  assert.equal(shaped['type'], 'Opaque');
});
