// Owned objects deleted or edited by hand come back as built within seconds, and once converged
// the operator makes zero writes however often it reconciles, counted in the API server's audit log.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Tenant } from '../../src/api/generated/index.js';
import { parseConfig } from '../../src/config.js';
import { isSubset } from '../../src/controller/diff.js';
import {
  buildContext,
  buildDesiredState,
  buildPersistentVolumeClaims,
  isBuildContextError,
  type Manifest,
} from '../../src/resources/index.js';
import { auditMark, auditSince, isWrite } from '../support/audit.js';
import { applyObjects, condition, eventually, getJson, testTenant } from '../support/cluster.js';
import { kubectl, kubectlOk } from '../support/kubectl.js';
import { metricValue, startOperator, testConfig, type TestOperator } from '../support/operator.js';
import { ENCRYPTED_CLASS, installPrerequisites } from '../support/prerequisites.js';
import { sleep } from '../env/proc.js';

const RUN = randomBytes(3).toString('hex');
const SELECTOR = `tenantry.io/test=${RUN}-drift`;
const [LABEL_KEY, LABEL_VALUE] = SELECTOR.split('=') as [string, string];
const CONFIG = testConfig('nginx', ENCRYPTED_CLASS);
const IDENTITY = `drift-${RUN}`;
// Seconds, not milliseconds: a restore is one watch event and one write, but this runs after the
// rest of the suite on a two-core machine where the API server is still collecting earlier tests' garbage.
const RESTORE_WITHIN_MS = 20_000;

/** kubectl's name for a manifest's kind. */
function resourceOf(m: { apiVersion: string; kind: string }): string {
  const group = m.apiVersion.includes('/') ? m.apiVersion.split('/')[0] : '';
  return group ? `${m.kind.toLowerCase()}.${group}` : m.kind.toLowerCase();
}

/** A hand edit per kind that changes something the operator sets (a merge patch). */
const EDITS: Record<string, object> = {
  Namespace: { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } },
  NetworkPolicy: { spec: { policyTypes: ['Ingress'] } },
  ResourceQuota: { spec: { hard: { pods: '999' } } },
  LimitRange: { spec: { limits: [{ type: 'Container', max: { cpu: '64' } }] } },
  ServiceAccount: { automountServiceAccountToken: true },
  Service: { spec: { ports: [{ name: 'hacked', port: 9999, targetPort: 9999, protocol: 'TCP' }] } },
  StatefulSet: { spec: { template: { spec: { automountServiceAccountToken: true } } } },
  Deployment: { spec: { replicas: 7 } },
  Ingress: { metadata: { annotations: { 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'false' } } },
  Certificate: { spec: { dnsNames: ['evil.example.com'] } },
  ConfigMap: { data: { 'Strict-Transport-Security': 'max-age=0' } },
  PersistentVolumeClaim: { metadata: { labels: { 'tenantry.io/region': 'us-east-1' } } },
};

describe('drift and idle writes', () => {
  let op: TestOperator;
  let tenant: Tenant;
  let built: Manifest[];

  before(async () => {
    await installPrerequisites();
    op = await startOperator({ identity: IDENTITY, config: CONFIG, tenantSelector: SELECTOR, resyncSeconds: 0.25 });
    const name = `d-${RUN}`;
    await applyObjects([testTenant(name, { [LABEL_KEY]: LABEL_VALUE })]);
    tenant = await eventually(`${name} Reconciled`, async () => {
      const t = await getJson<Tenant>('tenant', name);
      return condition(t, 'Reconciled')?.status === 'True' ? t : undefined;
    });
    const ctx = buildContext(tenant, parseConfig(CONFIG));
    assert.ok(!isBuildContextError(ctx));
    built = [...buildDesiredState(ctx), ...buildPersistentVolumeClaims(ctx)];
  });
  after(async () => {
    await op?.stop();
  });

  /** Waits until the stored object is again exactly as built. */
  async function restored(m: Manifest): Promise<void> {
    try {
      await eventually(
        `${m.kind} ${m.metadata.name} restored`,
        async () => isSubset(m, await getJson<KubernetesObject>(resourceOf(m), m.metadata.name, m.metadata.namespace)),
        RESTORE_WITHIN_MS,
      );
    } catch (e) {
      const problems = op
        .logs()
        .split('\n')
        .filter((l) => /"level":"(warn|error)"/.test(l))
        .slice(-5);
      throw new Error(`${String(e)}\noperator warnings and errors:\n${problems.join('\n')}`);
    }
  }

  test('every owned kind deleted by hand is recreated within seconds', async () => {
    const kinds = new Set<string>();
    for (const m of built) {
      // Deleting the namespace deletes everything; tenant deletion covers that path. A PVC that a
      // pod (even a Pending one) uses stays Terminating under kubernetes.io/pvc-protection until
      // the pod is gone, so it cannot be deleted by hand while the database exists.
      if (m.kind === 'Namespace' || m.kind === 'PersistentVolumeClaim' || kinds.has(m.kind)) continue;
      kinds.add(m.kind);
      const before = await getJson<KubernetesObject>(resourceOf(m), m.metadata.name, m.metadata.namespace);
      await kubectlOk(['delete', resourceOf(m), m.metadata.name, '-n', m.metadata.namespace ?? '', '--wait=true', '--timeout=20s']);
      const started = Date.now();
      await restored(m);
      const again = await getJson<KubernetesObject>(resourceOf(m), m.metadata.name, m.metadata.namespace);
      assert.notEqual(again?.metadata?.uid, before?.metadata?.uid, `${m.kind} is a new object`);
      assert.ok(Date.now() - started < RESTORE_WITHIN_MS);
    }
    assert.ok(kinds.size >= 10, `deleted ${kinds.size} kinds: ${[...kinds].join(', ')}`);
  });

  test('every owned kind edited by hand is put back within seconds', async () => {
    const kinds = new Set<string>();
    for (const m of built) {
      const edit = EDITS[m.kind];
      if (!edit || kinds.has(m.kind)) continue;
      kinds.add(m.kind);
      const args = [
        'patch',
        resourceOf(m),
        m.metadata.name,
        '--type=merge',
        '-p',
        JSON.stringify(edit),
        ...(m.metadata.namespace ? ['-n', m.metadata.namespace] : []),
      ];
      await kubectlOk(args);
      await restored(m);
    }
    assert.deepEqual([...kinds].sort(), Object.keys(EDITS).sort(), 'every kind with an edit was edited');
  });

  test('the database credentials are never overwritten', async () => {
    const ns = `tenant-${tenant.metadata.name ?? ''}`;
    const before = await getJson<{ data: Record<string, string>; metadata: { resourceVersion: string } }>(
      'secret',
      'database-credentials',
      ns,
    );
    await sleep(1500);
    const after = await getJson<{ data: Record<string, string>; metadata: { resourceVersion: string } }>(
      'secret',
      'database-credentials',
      ns,
    );
    assert.equal(after?.metadata.resourceVersion, before?.metadata.resourceVersion);
    assert.deepEqual(after?.data, before?.data);
  });

  test('zero idle writes: 100 reconciles of converged tenants make no write request', async () => {
    const more = [1, 2, 3].map((i) => testTenant(`d-${RUN}-${i}`, { [LABEL_KEY]: LABEL_VALUE }));
    await applyObjects(more);
    for (const t of more) {
      await eventually(
        `${t.metadata.name} Reconciled`,
        async () => condition(await getJson<Tenant>('tenant', t.metadata.name ?? ''), 'Reconciled')?.status === 'True',
      );
    }
    // Let the last writes' watch events settle before the counting window opens.
    await sleep(2000);
    const mark = auditMark();
    const startCount = await metricValue(op.healthPort, 'tenantry_reconcile_duration_seconds_count');
    await eventually(
      '100 reconciles',
      async () => (await metricValue(op.healthPort, 'tenantry_reconcile_duration_seconds_count')) - startCount >= 100,
      60_000,
      250,
    );
    const writes = auditSince(mark).filter((e) => e.user.username === IDENTITY && isWrite(e));
    assert.deepEqual(
      writes.map((w) => `${w.verb} ${w.objectRef?.resource ?? ''}/${w.objectRef?.name ?? ''}`),
      [],
      'no writes during idle reconciles',
    );
    // The counter would also be 0 if the operator were not talking to the server at all: it did read nothing, but it did reconcile.
    const reads = auditSince(mark).filter((e) => e.user.username === IDENTITY && !isWrite(e) && e.verb !== 'watch');
    assert.equal(reads.length, 0, `idle reconciles read from the caches, not the API server (saw ${reads.length} reads)`);
  });

  test('a hand edit during idle reconciles is seen and fixed (the counting test can fail)', async () => {
    const m = built.find((x) => x.kind === 'Deployment');
    assert.ok(m);
    const mark = auditMark();
    await kubectl(['scale', 'deployment', m.metadata.name, '-n', m.metadata.namespace ?? '', '--replicas=3']);
    await restored(m);
    const writes = auditSince(mark).filter((e) => e.user.username === IDENTITY && isWrite(e));
    assert.ok(
      writes.some((w) => w.objectRef?.resource === 'deployments'),
      'the operator wrote the deployment back',
    );
  });
});
