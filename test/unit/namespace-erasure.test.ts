// The Namespace step's ownership check and its requests, against a fake REST client: only a
// namespace with our labels and an ownerReference to this Tenant's uid is deleted, always with a
// uid precondition; a namespace replaced meanwhile is never deleted on the old check; a namespace
// already terminating gets no second delete. The integration test proves the same on a real server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Namespace } from '@kubernetes/client-node';
import { MANAGED_BY_LABEL, MANAGER, TENANT_LABEL, TENANT_UID_LABEL } from '../../src/api/names.js';
import { NamespaceEraser, notOwnedBecause, type RestClient } from '../../src/lifecycle/namespace-erasure.js';
import { ApiError, type RequestSpec } from '../../src/runtime/rest.js';
import { storedTenant, UID } from '../support/fake-cluster.js';

const TENANT = storedTenant('acme');
const NS_UID = 'ns-uid-1';

function ns(meta: Partial<NonNullable<V1Namespace['metadata']>> = {}): V1Namespace {
  return {
    metadata: {
      name: 'tenant-acme',
      uid: NS_UID,
      labels: { [MANAGED_BY_LABEL]: MANAGER, [TENANT_LABEL]: 'acme', [TENANT_UID_LABEL]: UID },
      ...meta,
    },
  };
}

const notFound = () => new ApiError(404, {}, '{"message":"not found"}', 'GET');

/** A REST client whose GET answers come from a queue (the last one repeats) and that records every request. */
class FakeRest implements RestClient {
  calls: { method: string; path: string; spec?: RequestSpec }[] = [];
  deleteError: Error | undefined;

  constructor(private readonly reads: (V1Namespace | undefined)[]) {}

  async request<T>(method: string, path: string, spec?: RequestSpec): Promise<T> {
    this.calls.push({ method, path, ...(spec ? { spec } : {}) });
    if (method === 'DELETE') {
      if (this.deleteError) throw this.deleteError;
      return {} as T;
    }
    const next = this.reads.length > 1 ? this.reads.shift() : this.reads[0];
    if (!next) throw notFound();
    return structuredClone(next) as T;
  }

  get deletes() {
    return this.calls.filter((c) => c.method === 'DELETE');
  }
}

const fast = { waitMs: 50, pollMs: 1, sleep: () => Promise.resolve() };

test('ownership needs our managed-by label, the tenant label and the tenant-uid label with the Tenant uid', () => {
  assert.equal(notOwnedBecause(ns(), TENANT), undefined);
  assert.match(notOwnedBecause(ns({ labels: { [TENANT_LABEL]: 'acme' } }), TENANT) ?? '', /managed-by/);
  assert.match(
    notOwnedBecause(ns({ labels: { [MANAGED_BY_LABEL]: MANAGER, [TENANT_LABEL]: 'other' } }), TENANT) ?? '',
    /tenantry.io\/tenant/,
  );
  const noUid = { [MANAGED_BY_LABEL]: MANAGER, [TENANT_LABEL]: 'acme' };
  assert.match(notOwnedBecause(ns({ labels: noUid }), TENANT) ?? '', /tenant-uid is not/);
  assert.match(notOwnedBecause(ns({ labels: { ...noUid, [TENANT_UID_LABEL]: 'earlier-tenant' } }), TENANT) ?? '', /tenant-uid is not/);
  // An ownerReference to the Tenant (what older versions set) does not make a namespace ours without the label.
  const ownerRef = [{ apiVersion: 'tenantry.io/v1alpha1', kind: 'Tenant', name: 'acme', uid: UID }];
  assert.match(notOwnedBecause(ns({ labels: noUid, ownerReferences: ownerRef }), TENANT) ?? '', /tenant-uid is not/);
  assert.match(notOwnedBecause(ns(), storedTenant('acme', {}, { uid: undefined })) ?? '', /no uid/);
});

test('our namespace is deleted with a uid precondition and reported gone once the read finds nothing', async () => {
  const rest = new FakeRest([ns(), ns({ deletionTimestamp: new Date() }), undefined]);
  const r = await new NamespaceEraser(rest, fast).erase(TENANT, { dryRun: false });
  assert.equal(r.gone, true);
  assert.match(r.message, /deleted namespace tenant-acme \(uid ns-uid-1\)/);
  assert.equal(rest.deletes.length, 1);
  assert.equal(rest.deletes[0]?.path, '/api/v1/namespaces/tenant-acme');
  assert.deepEqual((rest.deletes[0]?.spec?.body as { preconditions?: unknown }).preconditions, { uid: NS_UID });
});

test('a namespace still terminating after the wait: gone=false with what it waits on, and no second delete', async () => {
  const terminating = ns({ deletionTimestamp: new Date(), finalizers: ['example.com/hold'] });
  const rest = new FakeRest([terminating]);
  const r = await new NamespaceEraser(rest, fast).erase(TENANT, { dryRun: false });
  assert.equal(r.gone, false);
  assert.match(r.message, /terminating; waiting on finalizers: example.com\/hold/);
  assert.equal(rest.deletes.length, 0);
});

test('a namespace of that name with another uid after the delete counts as ours gone (it is checked afresh next time)', async () => {
  const rest = new FakeRest([ns(), ns({ uid: 'ns-uid-2' })]);
  const r = await new NamespaceEraser(rest, fast).erase(TENANT, { dryRun: false });
  assert.equal(r.gone, true);
});

test('a namespace replaced between the check and the delete (precondition 409) is not deleted; the step fails to be retried', async () => {
  const rest = new FakeRest([ns()]);
  rest.deleteError = new ApiError(409, {}, '{"message":"Precondition failed: UID in precondition"}', 'DELETE');
  await assert.rejects(new NamespaceEraser(rest, fast).erase(TENANT, { dryRun: false }), /changed while it was being deleted/);
});

test('foreign, absent and dry run: no delete is sent', async () => {
  for (const [label, reads, dryRun, expected] of [
    ['foreign', [ns({ labels: { [MANAGED_BY_LABEL]: MANAGER, [TENANT_LABEL]: 'acme' } })], false, /left untouched/],
    ['absent', [undefined], false, /does not exist/],
    ['dry run', [ns()], true, /would delete namespace tenant-acme \(uid ns-uid-1\)/],
  ] as const) {
    const rest = new FakeRest([...reads]);
    const r = await new NamespaceEraser(rest, fast).erase(TENANT, { dryRun });
    assert.equal(r.gone, true, label);
    assert.equal(r.foreign, label === 'foreign' ? true : undefined, label);
    assert.match(r.message, expected, label);
    assert.equal(rest.deletes.length, 0, label);
  }
});
