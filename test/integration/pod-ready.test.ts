// The stand-in kubelet status reports (test/support/pod-ready.ts) against the real controllers: a
// Deployment's Pods reported Ready make it available; a broken image keeps its new Pods Pending
// (ImagePullBackOff) and the rollout unavailable until the image is fixed; namespaces not chosen
// are never touched.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { applyObjects, eventually, getJson, listJson } from '../support/cluster.js';
import { kubectlOk, testKubeconfig } from '../support/kubectl.js';
import { startPodReady, type PodReady } from '../support/pod-ready.js';
import { sleep } from '../env/proc.js';

const RUN = randomBytes(3).toString('hex');
const NS = `pod-ready-${RUN}`;
const OTHER = `pod-ready-other-${RUN}`;

interface DeploymentJson {
  metadata: { generation?: number };
  spec: { replicas?: number };
  status?: { observedGeneration?: number; availableReplicas?: number; updatedReplicas?: number; replicas?: number };
}

interface PodJson {
  metadata: { name: string };
  spec: { containers: { image: string }[] };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { state?: { waiting?: { reason?: string } } }[];
  };
}

function deployment(namespace: string, image: string, replicas = 2): unknown {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'app', namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'app' } },
      strategy: { type: 'Recreate' },
      template: { metadata: { labels: { app: 'app' } }, spec: { containers: [{ name: 'app', image }] } },
    },
  };
}

/** Waits until the Deployment has rolled out `image` with every replica available. */
async function waitAvailable(namespace: string, image: string): Promise<void> {
  await eventually(
    `deployment ${namespace}/app available on ${image}`,
    async () => {
      const d = await getJson<DeploymentJson>('deployment', 'app', namespace);
      const pods = await listJson<PodJson>('pods', ['-n', namespace]);
      const want = d?.spec.replicas ?? -1;
      return (
        d?.status?.observedGeneration === d?.metadata.generation &&
        d?.status?.availableReplicas === want &&
        d?.status?.updatedReplicas === want &&
        pods.length === want &&
        pods.every((p) => p.spec.containers[0]?.image === image)
      );
    },
    30_000,
  );
}

describe('pod-ready stand-in', () => {
  let kubelet: PodReady;

  before(async () => {
    await kubectlOk(['create', 'namespace', NS]);
    await kubectlOk(['create', 'namespace', OTHER]);
    kubelet = await startPodReady({ kubeconfig: testKubeconfig(), namespaces: (ns) => ns === NS });
  });
  after(async () => {
    await kubelet?.stop();
    await kubectlOk(['delete', 'namespace', NS, OTHER, '--wait=false', '--ignore-not-found']);
  });

  test('Pods reported Ready make a Deployment available; a broken image holds its rollout until fixed', async () => {
    await applyObjects([deployment(NS, 'registry.test/app:1'), deployment(OTHER, 'registry.test/app:1')]);
    await waitAvailable(NS, 'registry.test/app:1');
    assert.ok(kubelet.reportedReady >= 2, `reported ${kubelet.reportedReady} Pods Ready`);

    kubelet.breakImage(NS, 'registry.test/app:2');
    await applyObjects([deployment(NS, 'registry.test/app:2')]);
    const stuck = await eventually(
      'the new Pods waiting on the broken image',
      async () => {
        const pods = await listJson<PodJson>('pods', ['-n', NS]);
        return pods.length === 2 &&
          pods.every(
            (p) =>
              p.spec.containers[0]?.image === 'registry.test/app:2' &&
              p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff',
          )
          ? pods
          : undefined;
      },
      30_000,
    );
    assert.ok(
      stuck.every((p) => p.status?.phase === 'Pending' && p.status.conditions?.find((c) => c.type === 'Ready')?.status === 'False'),
    );
    await sleep(1500);
    assert.ok(((await getJson<DeploymentJson>('deployment', 'app', NS))?.status?.availableReplicas ?? 0) === 0, 'nothing available');

    kubelet.fixImage(NS, 'registry.test/app:2');
    await waitAvailable(NS, 'registry.test/app:2');

    // The namespace not chosen: its Pods stay Pending, its Deployment unavailable.
    const others = await listJson<PodJson>('pods', ['-n', OTHER]);
    assert.equal(others.length, 2);
    assert.ok(others.every((p) => p.status?.phase === 'Pending' && !p.status.containerStatuses));
    assert.equal((await getJson<DeploymentJson>('deployment', 'app', OTHER))?.status?.availableReplicas ?? 0, 0);
  });
});
