// Integration test of the stand-in kubelet (test/env/local-kubelet.ts) against the real control
// plane: a Deployment's Pod is bound to the registered Node, served on an address of its own and
// reported Ready; the Deployment becomes available; two namespaces share port 8080 on different
// addresses; scaling to zero closes the server; Pods outside the selector are left alone; stop()
// deletes the Node and its Lease.
//
// The API server refuses loopback addresses in EndpointSlices. With TENANTRY_POD_CIDR set to a
// range the host routes locally (`ip route add local 10.244.0.0/16 dev lo`), Pods get addresses
// from it and the test asserts that the EndpointSlice controller publishes them; without it they
// get 127.0.0.x and the test asserts that rule of the API server instead.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startLocalKubelet, type LocalKubelet } from '../env/local-kubelet.js';
import { applyObjects, eventually, getJson, listJson } from '../support/cluster.js';
import { getOnce, type Answer } from '../support/http-once.js';
import { kubectl, kubectlOk, testKubeconfig } from '../support/kubectl.js';

const RUN = randomBytes(3).toString('hex');
const LABEL = 'tenantry.io/kubelet-test';
const NODE = `kubelet-test-${RUN}`;
const NS_A = `kubelet-a-${RUN}`;
const NS_B = `kubelet-b-${RUN}`;
const PORT = 8080;
const POD_CIDR = process.env.TENANTRY_POD_CIDR || undefined;

let kubelet: LocalKubelet;
/** The Lease's renewTime right after start, to see the heartbeat move it on. */
let firstRenewal = '';
const lines: string[] = [];

/** A Deployment of one replica with port `http` 8080 and a /healthz readiness probe, and its Service. */
function app(namespace: string, labelled = true): unknown[] {
  const labels = { app: 'web', ...(labelled ? { [LABEL]: RUN } : {}) };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'app', namespace },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            enableServiceLinks: false,
            containers: [
              {
                name: 'app',
                image: 'example.invalid/app:1',
                ports: [
                  { name: 'metrics', containerPort: 9090 },
                  { name: 'http', containerPort: PORT },
                ],
                readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'app', namespace },
      spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    },
  ];
}

/** One HTTP GET without keep-alive. */
function get(host: string, port: number, path: string): Promise<Answer> {
  return getOnce({ host, port, path });
}

interface PodJson {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
}

/** The one live Pod of the namespace's app. */
async function onlyPod(namespace: string): Promise<PodJson> {
  const pods = (await listJson<PodJson>('pods', ['-n', namespace, '-l', 'app=web'])).filter((p) => !p.metadata.deletionTimestamp);
  assert.equal(pods.length, 1, `one app Pod in ${namespace}: ${pods.map((p) => p.metadata.name).join(', ')}`);
  return pods[0]!;
}

/** The addresses the EndpointSlices of the Service list as ready. */
async function endpointAddresses(namespace: string): Promise<string[]> {
  const slices = await listJson<{ endpoints?: { addresses: string[]; conditions?: { ready?: boolean }; nodeName?: string }[] }>(
    'endpointslices',
    ['-n', namespace, '-l', 'kubernetes.io/service-name=app'],
  );
  return slices.flatMap((s) => s.endpoints ?? []).flatMap((e) => (e.conditions?.ready ? e.addresses : []));
}

/**
 * Without a locally routed pod CIDR: the API server refuses a loopback address in an EndpointSlice
 * (so the controller cannot publish it), and the Service's slice indeed lists nothing.
 */
async function assertLoopbackUnpublishable(addr: string): Promise<void> {
  const slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `loopback-${RUN}`, namespace: NS_A },
    addressType: 'IPv4',
    endpoints: [{ addresses: [addr] }],
    ports: [{ name: 'http', port: PORT }],
  };
  const r = await kubectl(['create', '--dry-run=server', '-f', '-'], JSON.stringify(slice));
  assert.notEqual(r.code, 0, 'the API server accepted a loopback endpoint');
  assert.match(r.stderr, /loopback range/);
  assert.deepEqual(await endpointAddresses(NS_A), []);
}

describe('local kubelet', () => {
  before(async () => {
    for (const ns of [NS_A, NS_B]) await kubectlOk(['create', 'namespace', ns]);
    kubelet = await startLocalKubelet({
      kubeconfig: testKubeconfig(),
      nodeName: NODE,
      selector: `${LABEL}=${RUN}`,
      log: (l) => lines.push(l),
      ...(POD_CIDR ? { podCidr: POD_CIDR } : {}),
    });
  });

  after(async () => {
    await kubelet?.stop();
    for (const ns of [NS_A, NS_B]) await kubectl(['delete', 'namespace', ns, '--wait=false']);
    if (process.env.TENANTRY_TEST_VERBOSE) process.stderr.write(lines.map((l) => `[kubelet] ${l}\n`).join(''));
  });

  test('registers a Ready Node with a Lease in kube-node-lease', async () => {
    const node = await getJson<{
      metadata: { labels: Record<string, string> };
      status: { conditions: { type: string; status: string }[] };
    }>('node', NODE);
    assert.ok(node, 'the Node exists');
    assert.equal(node.metadata.labels['kubernetes.io/hostname'], NODE);
    assert.equal(node.status.conditions.find((c) => c.type === 'Ready')?.status, 'True');
    const lease = await getJson<{ spec: { holderIdentity: string; renewTime: string } }>('lease', NODE, 'kube-node-lease');
    assert.equal(lease?.spec.holderIdentity, NODE);
    assert.match(lease.spec.renewTime, /\.\d{6}Z$/);
    firstRenewal = lease.spec.renewTime;
  });

  test('runs a Deployment Pod: Ready, Deployment available, published in the EndpointSlice (a loopback address: refused), the app answers', async () => {
    await applyObjects(app(NS_A));
    await kubelet.waitReady(NS_A, 30_000);
    const pod = await onlyPod(NS_A);
    assert.equal(pod.spec.nodeName, NODE, 'bound to the node');
    const addr = kubelet.addressOf(NS_A, pod.metadata.name);
    assert.ok(addr, 'the Pod has an address');
    if (POD_CIDR) assert.doesNotMatch(addr, /^127\./);
    else assert.match(addr, /^127\.0\.0\.([2-9]|\d\d+)$/);
    assert.equal(pod.status?.podIP, addr);
    await eventually(
      'the Deployment to be available',
      async () => {
        const d = await getJson<{ status?: { availableReplicas?: number } }>('deployment', 'app', NS_A);
        return d?.status?.availableReplicas === 1;
      },
      30_000,
    );
    if (POD_CIDR) {
      const published = await eventually(
        'the EndpointSlice to list the Pod',
        async () => {
          const a = await endpointAddresses(NS_A);
          return a.includes(addr) && a;
        },
        30_000,
      );
      assert.deepEqual(published, [addr]);
    } else await assertLoopbackUnpublishable(addr);
    const answer = await get(addr, PORT, '/some/page?x=1');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['x-tenantry-namespace'], NS_A);
    assert.equal(answer.body, `tenant ${NS_A}: GET /some/page?x=1 (pod ${pod.metadata.name})\n`);
    const health = await get(addr, PORT, '/healthz');
    assert.equal(health.body, 'ok');
  });

  test('two namespaces both serve port 8080, each on its own address', async () => {
    await applyObjects(app(NS_B));
    await kubelet.waitReady(NS_B, 30_000);
    const a = kubelet.addressOf(NS_A, (await onlyPod(NS_A)).metadata.name)!;
    const b = kubelet.addressOf(NS_B, (await onlyPod(NS_B)).metadata.name)!;
    assert.ok(a && b);
    assert.notEqual(a, b);
    assert.equal((await get(a, PORT, '/')).headers['x-tenantry-namespace'], NS_A);
    assert.equal((await get(b, PORT, '/')).headers['x-tenantry-namespace'], NS_B);
    if (POD_CIDR)
      await eventually('the EndpointSlice of B to list its Pod', async () => (await endpointAddresses(NS_B)).includes(b), 30_000);
  });

  test('leaves Pods outside its selector alone', async () => {
    await kubectlOk(['create', 'deployment', 'other', '-n', NS_A, '--image=example.invalid/other:1', '--port=8080']);
    const name = await eventually(
      'the other Pod',
      async () => (await listJson<PodJson>('pods', ['-n', NS_A, '-l', 'app=other']))[0]?.metadata.name,
      30_000,
    );
    // The kubelet saw it (the watch covers all namespaces, filtered by the selector); give it time to act wrongly.
    await new Promise((r) => setTimeout(r, 2_000));
    const other = await getJson<PodJson>('pod', name, NS_A);
    assert.equal(other?.spec.nodeName, undefined, 'not bound');
    assert.equal(other?.status?.phase, 'Pending');
    assert.equal(kubelet.addressOf(NS_A, name), undefined);
  });

  test('scaling to zero closes the server and deletes the Pod', async () => {
    const pod = await onlyPod(NS_A);
    const addr = kubelet.addressOf(NS_A, pod.metadata.name)!;
    assert.ok(addr);
    await kubectlOk(['scale', 'deployment', 'app', '-n', NS_A, '--replicas=0']);
    // A bound Pod is deleted gracefully; the kubelet confirms the deletion, or it stays Terminating.
    await eventually('the Pod to be gone', async () => (await getJson('pod', pod.metadata.name, NS_A)) === undefined, 30_000);
    assert.equal(kubelet.addressOf(NS_A, pod.metadata.name), undefined);
    await assert.rejects(get(addr, PORT, '/'), (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED');
    // The other namespace is untouched.
    assert.equal((await get(kubelet.addressOf(NS_B, (await onlyPod(NS_B)).metadata.name)!, PORT, '/')).status, 200);
  });

  test('stop() closes every server and deletes the Node and its Lease; a second stop() is a no-op', async () => {
    const b = kubelet.addressOf(NS_B, (await onlyPod(NS_B)).metadata.name)!;
    // The heartbeat (every 10 s) renewed the Lease since the first test, and the node was never found unreachable.
    const lease = await eventually(
      'the Lease to be renewed',
      async () => {
        const l = await getJson<{ spec: { renewTime: string } }>('lease', NODE, 'kube-node-lease');
        return l && Date.parse(l.spec.renewTime) > Date.parse(firstRenewal) && l;
      },
      15_000,
    );
    assert.ok(lease);
    const node = await getJson<{ spec: { taints?: { key: string }[] } }>('node', NODE);
    assert.deepEqual(node?.spec.taints ?? [], [], 'no taint from the node lifecycle controller');
    await kubelet.stop();
    await kubelet.stop();
    assert.equal(await getJson('node', NODE), undefined);
    assert.equal(await getJson('lease', NODE, 'kube-node-lease'), undefined);
    await assert.rejects(get(b, PORT, '/'), (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED');
  });
});
