// The Namespace step of an erasure against a real API server (with the namespace controller): a
// namespace labelled as ours and owned by the Tenant's uid is deleted and waited for; a namespace
// named tenant-<name> that is not provably the Tenant's survives and is reported; a dry run deletes
// nothing. Then a whole erasure through the runner, with the real Namespace step and status writes
// (so the recorded status must pass the CRD's schema) and in-memory S3/KMS effects.
// Objects get names unique to this run, so the file can run next to others on one cluster.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import type { Tenant } from '../../src/api/generated/index.js';
import { MANAGED_BY_LABEL, MANAGER, TENANT_LABEL, TENANT_UID_LABEL, tenantNamespace } from '../../src/api/names.js';
import { ErasureRunner } from '../../src/controller/erasure.js';
import { KubeWriter } from '../../src/controller/kube-writer.js';
import type { ErasureAuditRecord, ErasureEffects } from '../../src/lifecycle/erasure-effects.js';
import { ERASURE_STEPS } from '../../src/lifecycle/erasure-plan.js';
import { NamespaceEraser } from '../../src/lifecycle/namespace-erasure.js';
import { LifecycleReason, type LifecycleEvaluation } from '../../src/lifecycle/types.js';
import { KubeRest } from '../../src/runtime/rest.js';
import { sleep } from '../env/proc.js';
import { applyObjects, eventually, getJson } from '../support/cluster.js';
import { kubectl, kubectlOk, testKubeconfig } from '../support/kubectl.js';
import { captureGlobalLog, type GlobalCapturedLog } from '../support/log-capture.js';
import { installTenantryCrds } from '../support/prerequisites.js';

const RUN = randomBytes(3).toString('hex');
const OURS = `erase-ours-${RUN}`;
const FOREIGN = `erase-foreign-${RUN}`;
const OTHER_UID = `erase-other-${RUN}`;
const WHOLE = `erase-whole-${RUN}`;

const kc = new KubeConfig();
let rest: KubeRest;
let log: GlobalCapturedLog;

function tenantManifest(name: string): Tenant {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Tenant',
    metadata: { name },
    spec: { plan: 'trial', region: 'eu-west-1', database: { engine: 'postgres' }, lifecycle: { trialEndsAt: '2026-01-01T00:00:00Z' } },
  };
}

/** A namespace named like the tenant's, labelled as ours, with the tenant-uid label `ownerUid` (none when undefined). */
function namespaceManifest(tenantName: string, ownerUid: string | undefined) {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: tenantNamespace(tenantName),
      labels: { [MANAGED_BY_LABEL]: MANAGER, [TENANT_LABEL]: tenantName, ...(ownerUid ? { [TENANT_UID_LABEL]: ownerUid } : {}) },
    },
  };
}

/** Something in the namespace, so the namespace controller has content to remove. */
function configMap(tenantName: string) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'data', namespace: tenantNamespace(tenantName) }, data: { rows: '42' } };
}

/** Creates a Tenant and returns it as stored (with its uid). */
async function createTenant(name: string): Promise<Tenant> {
  await applyObjects([tenantManifest(name)]);
  const t = await getJson<Tenant>('tenant', name);
  if (!t?.metadata.uid) throw new Error(`Tenant ${name} has no uid`);
  return t;
}

async function namespaceOf(tenantName: string) {
  return getJson<{ metadata: { uid: string; deletionTimestamp?: string } }>('namespace', tenantNamespace(tenantName));
}

/** Calls the runner as the reconciler would, each time with the Tenant as stored, until it reports Erased. */
async function eraseUntilDone(name: string, runner: ErasureRunner, evaluation: LifecycleEvaluation): Promise<void> {
  for (let calls = 1; ; calls++) {
    const current = await getJson<Tenant>('tenant', name);
    if (!current) throw new Error(`Tenant ${name} is gone`);
    const r = await runner.run(current, evaluation);
    if (r.erased) return;
    assert.ok(r.requeueAfterMs !== undefined && calls < 60, `erasure stalled: ${JSON.stringify(r.lifecycle)}`);
    await sleep(1000);
  }
}

describe('namespace erasure against the API server', () => {
  before(async () => {
    log = captureGlobalLog('info');
    kc.loadFromFile(testKubeconfig());
    rest = new KubeRest(kc);
    await installTenantryCrds('tenants');
  });

  after(async () => {
    for (const name of [OURS, FOREIGN, OTHER_UID, WHOLE]) {
      await kubectl(['delete', 'namespace', tenantNamespace(name), '--ignore-not-found', '--wait=false']);
      await kubectl(['delete', 'tenant', name, '--ignore-not-found', '--wait=false']);
    }
    rest.close();
    log.restore();
  });

  test('our namespace: a dry run leaves it; the real step deletes it, waits until it is gone, and is idempotent', async () => {
    const t = await createTenant(OURS);
    await applyObjects([namespaceManifest(OURS, t.metadata.uid), configMap(OURS)]);
    const before = await namespaceOf(OURS);
    assert.ok(before);
    const eraser = new NamespaceEraser(rest, { waitMs: 2000, pollMs: 100 });

    const dry = await eraser.erase(t, { dryRun: true });
    assert.equal(dry.gone, true);
    assert.equal(dry.foreign, undefined);
    assert.match(dry.message, new RegExp(`would delete namespace ${tenantNamespace(OURS)} \\(uid ${before.metadata.uid}\\)`));
    const still = await namespaceOf(OURS);
    assert.equal(still?.metadata.uid, before.metadata.uid);
    assert.equal(still?.metadata.deletionTimestamp, undefined);

    // The step is called again, as the runner does on requeue, until the namespace is gone.
    const result = await eventually(
      'the namespace to be gone',
      async () => {
        const r = await eraser.erase(t, { dryRun: false });
        if (!r.gone) assert.match(r.message, /terminating/);
        return r.gone ? r : undefined;
      },
      90_000,
      500,
    );
    assert.equal(result.foreign, undefined);
    assert.equal(await namespaceOf(OURS), undefined);
    const again = await eraser.erase(t, { dryRun: false });
    assert.deepEqual(again, { gone: true, message: `namespace ${tenantNamespace(OURS)} does not exist (already deleted)` });
  });

  test('a foreign namespace named tenant-<name> (without the Tenant uid label) survives and is reported', async () => {
    const t = await createTenant(FOREIGN);
    await applyObjects([namespaceManifest(FOREIGN, undefined), configMap(FOREIGN)]);
    const before = await namespaceOf(FOREIGN);
    const r = await new NamespaceEraser(rest, { waitMs: 500, pollMs: 100 }).erase(t, { dryRun: false });
    assert.equal(r.foreign, true);
    assert.equal(r.gone, true);
    assert.match(
      r.message,
      /is not this tenant's \(its label tenantry\.io\/tenant-uid is not the Tenant's uid .+\); it was left untouched/,
    );
    // Given time to act on a delete, the namespace controller would have started: it did not, because none was sent.
    await sleep(1000);
    const after = await namespaceOf(FOREIGN);
    assert.equal(after?.metadata.uid, before?.metadata.uid);
    assert.equal(after?.metadata.deletionTimestamp, undefined);
    assert.equal((await getJson('configmap', 'data', tenantNamespace(FOREIGN))) !== undefined, true);
  });

  test('a namespace owned by another uid of the same name (an earlier Tenant) survives and is reported', async () => {
    const t = await createTenant(OTHER_UID);
    await applyObjects([namespaceManifest(OTHER_UID, '11111111-2222-4333-8444-555555555555')]);
    const r = await new NamespaceEraser(rest, { waitMs: 500, pollMs: 100 }).erase(t, { dryRun: false });
    assert.equal(r.foreign, true);
    await sleep(1000);
    assert.equal((await namespaceOf(OTHER_UID))?.metadata.deletionTimestamp, undefined);
  });

  test('a whole erasure through the runner: the namespace goes, every step is recorded in the stored status, phase Erased', async () => {
    const t = await createTenant(WHOLE);
    await applyObjects([namespaceManifest(WHOLE, t.metadata.uid), configMap(WHOLE)]);
    const audit: ErasureAuditRecord[] = [];
    const namespaces = new NamespaceEraser(rest, { waitMs: 1000, pollMs: 100 });
    const effects: ErasureEffects = {
      exportBilling: () => Promise.reject(new Error('no billing export is configured for this tenant')),
      deleteBackups: async () => ({ objects: 0, bytes: 0 }),
      deleteNamespace: (tenant, o) => namespaces.erase(tenant, o),
      scheduleKeyDeletion: async () => ({ message: 'the tenant has no KMS key of its own' }),
      writeReceipt: async (tenant) => `s3://archive-eu-west-1/receipts/${tenant.metadata.uid ?? ''}.json`,
      audit: async (r) => {
        audit.push(r);
      },
    };
    const runner = new ErasureRunner({ writer: new KubeWriter(rest), effects, now: () => new Date(), dryRun: false });
    const evaluation: LifecycleEvaluation = {
      phase: 'Erasing',
      reason: LifecycleReason.TrialEnded,
      since: null,
      eraseAt: new Date('2026-01-13T00:00:00Z'),
      next: null,
      erasureBlocked: null,
      problems: [],
      timeline: [],
    };
    await eraseUntilDone(WHOLE, runner, evaluation);
    assert.equal(await namespaceOf(WHOLE), undefined);
    const stored = await getJson<Tenant>('tenant', WHOLE);
    const lc = stored?.status?.lifecycle;
    assert.equal(lc?.phase, 'Erased');
    assert.deepEqual(
      lc?.erasure?.steps?.map((s) => s.name),
      [...ERASURE_STEPS],
    );
    const receipt = lc?.receipt ?? {};
    assert.equal(lc?.erasure?.trigger, 'TrialEnded');
    assert.equal(receipt.location, `s3://archive-eu-west-1/receipts/${t.metadata.uid ?? ''}.json`);
    assert.deepEqual([receipt.billingArchive, typeof receipt.erasedAt], [undefined, 'string']);
    assert.match(lc?.erasure?.steps?.find((s) => s.name === 'Namespace')?.message ?? '', /deleted namespace/);
    assert.deepEqual(
      audit.map((a) => a.action),
      ['erasure.start', ...ERASURE_STEPS.map((s) => `erasure.${s}`)],
    );
    const events = JSON.parse(
      await kubectlOk(['get', 'events', '-n', 'default', '--field-selector', `involvedObject.name=${WHOLE}`, '-o', 'json']),
    ) as { items: { reason: string }[] };
    assert.ok(events.items.some((e) => e.reason === 'Erased'));
  });
});
