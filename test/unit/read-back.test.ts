// Table tests of the checked reads of cached objects (src/controller/read-back.ts): an object is
// typed as a kind only when its apiVersion and kind say it is one, and a field of the wrong type
// reads as absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { hasTrueCondition, isKind, listContinue, readAllAs, readAs, specReplicas } from '../../src/controller/read-back.js';

const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app' }, spec: { replicas: 2 } };

void test('readAs types an object only when its apiVersion and kind are the expected ones', () => {
  assert.equal(readAs('apps/v1/Deployment', deployment)?.spec?.replicas, 2);
  const rows: [string, KubernetesObject | undefined][] = [
    ['absent', undefined],
    ['another kind', { ...deployment, kind: 'StatefulSet' }],
    ['another version', { ...deployment, apiVersion: 'apps/v1beta1' }],
    ['no apiVersion (a list item not shaped for the cache)', { kind: 'Deployment', metadata: { name: 'app' } }],
    ['no kind', { apiVersion: 'apps/v1', metadata: { name: 'app' } }],
  ];
  for (const [name, o] of rows) {
    assert.equal(readAs('apps/v1/Deployment', o), undefined, name);
    assert.equal(isKind('apps/v1/Deployment', o), false, name);
  }
  const tenant = {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Tenant',
    metadata: { name: 'acme' },
    spec: { plan: 'trial', region: 'eu-west-1' },
  };
  assert.equal(readAs('tenantry.io/v1alpha1/Tenant', tenant)?.spec.region, 'eu-west-1');
  assert.equal(readAs('tenantry.io/v1alpha1/Restore', tenant), undefined);
});

void test('readAllAs keeps the objects of the kind and leaves out the others', () => {
  const other = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'app' } };
  assert.deepEqual(
    readAllAs('apps/v1/Deployment', [deployment, other, { ...deployment, metadata: { name: 'b' } }]).map((d) => d.metadata?.name),
    ['app', 'b'],
  );
  assert.deepEqual(readAllAs('apps/v1/Deployment', undefined), []);
});

void test('hasTrueCondition is true only for a condition of that type with status "True"', () => {
  const job = (conditions: unknown) =>
    readAs('batch/v1/Job', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, status: { conditions } } as KubernetesObject);
  assert.equal(hasTrueCondition(job([{ type: 'Failed', status: 'True' }]), 'Failed'), true);
  assert.equal(hasTrueCondition(job([{ type: 'Failed', status: 'False' }]), 'Failed'), false);
  assert.equal(hasTrueCondition(job([{ type: 'Complete', status: 'True' }]), 'Failed'), false);
  assert.equal(hasTrueCondition(job(undefined), 'Failed'), false);
  assert.equal(hasTrueCondition(undefined, 'Failed'), false);
});

void test('specReplicas reads a number and nothing else', () => {
  assert.equal(specReplicas(deployment), 2);
  assert.equal(specReplicas({ spec: { replicas: 0 } }), 0);
  for (const o of [undefined, {}, { spec: null }, { spec: {} }, { spec: { replicas: '2' } }, { spec: 'x' }])
    assert.equal(specReplicas(o as object | undefined), undefined, JSON.stringify(o));
});

void test('listContinue reads the wire name `continue` of a list page, a non-empty string only', () => {
  const page = (metadata: unknown) =>
    ({ apiVersion: 'v1', kind: 'List', items: [], metadata }) as unknown as KubernetesListObject<KubernetesObject>;
  assert.equal(listContinue(page({ continue: 'abc' })), 'abc');
  assert.equal(listContinue(page({ continue: '' })), undefined);
  assert.equal(listContinue(page({ continue: 7 })), undefined);
  assert.equal(listContinue(page({ resourceVersion: '5' })), undefined);
  assert.equal(listContinue(page(undefined)), undefined);
});
