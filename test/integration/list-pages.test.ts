// Integration test of the operator's paged lists against the real API server: every labelled
// object comes back once across pages, each page is shaped before the next is asked for, and the
// result carries the list's resourceVersion (where the informer's watch resumes), not a token.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { listInPages } from '../../src/controller/list-pages.js';
import { listContinue } from '../../src/controller/read-back.js';
import { KubeRest, type RequestSpec } from '../../src/runtime/rest.js';
import { testKubeconfig } from '../support/kubectl.js';

const RUN = randomBytes(3).toString('hex');
const NS = `list-pages-test-${RUN}`;
const LABEL = 'tenantry.io/list-pages-test';
const CONFIG_MAPS = { apiVersion: 'v1', plural: 'configmaps', namespaced: true };

const kc = new KubeConfig();
kc.loadFromFile(testKubeconfig());
const core = kc.makeApiClient(CoreV1Api);

/** A client that records, for every request, how many objects had been shaped when it was sent. */
class RecordingRest extends KubeRest {
  readonly shapedAtRequest: number[] = [];
  shaped = 0;

  override request<T>(method: string, path: string, spec?: RequestSpec): Promise<T> {
    this.shapedAtRequest.push(this.shaped);
    return super.request<T>(method, path, spec);
  }
}

describe('listInPages against the API server', () => {
  before(async () => {
    await core.createNamespace({ body: { metadata: { name: NS } } });
    for (let i = 0; i < 5; i++)
      await core.createNamespacedConfigMap({
        namespace: NS,
        body: { metadata: { name: `cm-${i}`, labels: { [LABEL]: RUN } }, data: { i: `${i}` } },
      });
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'unlabelled' }, data: { i: 'x' } } });
  });

  after(async () => {
    await core.deleteNamespace({ name: NS }).catch(() => undefined);
  });

  test('returns every selected object once, shaped page by page, with the list resourceVersion', async () => {
    const rest = new RecordingRest(kc);
    try {
      const list = await listInPages(rest, CONFIG_MAPS, {
        labelSelector: `${LABEL}=${RUN}`,
        pageSize: 2,
        shape: (o: KubernetesObject) => {
          rest.shaped++;
          return { metadata: { name: o.metadata?.name, namespace: o.metadata?.namespace } };
        },
      });
      // The label selector spans namespaces here (the path is cluster-wide), as the operator's lists do.
      assert.deepEqual(list.items.map((o) => o.metadata?.name).sort(), ['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4']);
      assert.ok(
        list.items.every((o) => Object.keys(o).join() === 'metadata'),
        'every item is the shaped object',
      );
      assert.deepEqual(rest.shapedAtRequest, [0, 2, 4], 'three pages of two, each shaped before the next was asked for');
      assert.match(list.metadata?.resourceVersion ?? '', /^[0-9]+$/, 'the list resourceVersion the watch resumes from');
      assert.equal(listContinue(list), undefined, 'no continue token is left in the result');
    } finally {
      rest.close();
    }
  });

  test('refuses a page size that is not a positive integer', async () => {
    const rest = new KubeRest(kc);
    try {
      for (const pageSize of [0, -1, 2.5, Number.NaN])
        await assert.rejects(listInPages(rest, CONFIG_MAPS, { pageSize, shape: (o) => o }), RangeError, `page size ${pageSize}`);
    } finally {
      rest.close();
    }
  });
});
