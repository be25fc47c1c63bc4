// Replicas and crashes: only the lease holder writes; an operator killed at random moments while
// 50 tenants converge, and restarted, leaves every tenant complete with no duplicate or orphan.
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { describe, test } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Tenant } from '../../src/api/generated/index.js';
import { TENANT_LABEL, TENANT_UID_LABEL } from '../../src/api/names.js';
import { parseConfig } from '../../src/config.js';
import {
  buildContext,
  buildDatabaseSecret,
  buildDesiredState,
  buildPersistentVolumeClaims,
  isBuildContextError,
} from '../../src/resources/index.js';
import { sleep } from '../env/proc.js';
import { auditMark, auditSince, isWrite } from '../support/audit.js';
import { applyObjects, condition, eventually, getJson, listJson, testTenant } from '../support/cluster.js';
import { startOperator, testConfig, type TestOperator } from '../support/operator.js';
import { ENCRYPTED_CLASS, installPrerequisites } from '../support/prerequisites.js';

const RUN = randomBytes(3).toString('hex');
const CONFIG = testConfig('nginx', ENCRYPTED_CLASS);
/** The kinds the nginx provider's tenants own, and the kubectl resource names that list them. */
const OWNED = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'ServiceAccount',
  'Secret',
  'PersistentVolumeClaim',
  'Service',
  'StatefulSet',
  'Deployment',
  'Ingress',
  'ConfigMap',
  'Certificate',
];
const KINDS =
  'namespaces,networkpolicies,resourcequotas,limitranges,serviceaccounts,secrets,persistentvolumeclaims,services,statefulsets,deployments,ingresses,configmaps,certificates.cert-manager.io';

/** Waits until every named tenant reports Reconciled=True for its current generation. */
async function allConverged(names: string[], timeoutMs: number): Promise<Tenant[]> {
  return eventually(
    `${names.length} tenants converged`,
    async () => {
      const all = await listJson<Tenant>('tenants');
      const mine = all.filter((t) => names.includes(t.metadata.name ?? ''));
      const done = mine.filter(
        (t) => condition(t, 'Reconciled')?.status === 'True' && t.status?.observedGeneration === t.metadata.generation,
      );
      return done.length === names.length ? mine : undefined;
    },
    timeoutMs,
    500,
  );
}

describe('replicas and crashes', () => {
  test('two operators at once: only the lease holder writes, and the other takes over when it stops', async () => {
    await installPrerequisites();
    const selector = `tenantry.io/test=${RUN}-ha`;
    const [k, v] = selector.split('=') as [string, string];
    const mark = auditMark();
    const ids = [`ha-a-${RUN}`, `ha-b-${RUN}`] as const;
    const a = await startOperator({ identity: ids[0], config: CONFIG, tenantSelector: selector, leaderElection: true });
    const b = await startOperator({ identity: ids[1], config: CONFIG, tenantSelector: selector, leaderElection: true });
    const ops: TestOperator[] = [a, b];
    try {
      const names = [1, 2, 3, 4, 5].map((i) => `ha-${RUN}-${i}`);
      await applyObjects(names.map((n) => testTenant(n, { [k]: v })));
      await allConverged(names, 60_000);
      const writers = (m: number) =>
        new Set(
          auditSince(m)
            .filter((e) => isWrite(e) && e.objectRef?.resource !== 'leases' && (ids as readonly string[]).includes(e.user.username))
            .map((e) => e.user.username),
        );
      const first = writers(mark);
      assert.equal(first.size, 1, `exactly one identity wrote tenant objects, saw ${[...first].join(', ')}`);
      const leader = first.has(ids[0]) ? a : b;
      const followerId = leader === a ? ids[1] : ids[0];

      // A graceful stop releases the lease, so the follower takes over at once.
      const handover = auditMark();
      await leader.stop();
      const late = `ha-${RUN}-late`;
      await applyObjects([testTenant(late, { [k]: v })]);
      await allConverged([late], 60_000);
      const second = writers(handover);
      assert.deepEqual([...second], [followerId], 'after the handover only the new leader writes');
    } finally {
      for (const o of ops) await o.stop();
    }
  });

  test('SIGKILL at random moments while 50 tenants converge, 10 times: all converge, no duplicates, no orphans', async () => {
    await installPrerequisites();
    const selector = `tenantry.io/test=${RUN}-crash`;
    const [k, v] = selector.split('=') as [string, string];
    const names = Array.from({ length: 50 }, (_, i) => `k-${RUN}-${i}`);
    await applyObjects(names.map((n) => testTenant(n, { [k]: v }, { database: { engine: i2engine(n) } })));
    const identity = `crash-${RUN}`;
    let kubeconfig: string | undefined;
    for (let round = 0; round < 10; round++) {
      const op = await startOperator({ identity, config: CONFIG, tenantSelector: selector, ...(kubeconfig ? { kubeconfig } : {}) });
      kubeconfig = op.kubeconfig;
      await sleep(randomInt(200, 1500));
      await op.kill();
      // Between crashes, change some tenants so restarts also meet half-applied updates.
      if (round % 3 === 1)
        await applyObjects([
          testTenant(names[round] ?? names[0]!, { [k]: v }, { app: { replicas: 2 }, database: { engine: i2engine(names[round] ?? '') } }),
        ]);
    }
    const op = await startOperator({ identity, config: CONFIG, tenantSelector: selector, ...(kubeconfig ? { kubeconfig } : {}) });
    try {
      const tenants = await allConverged(names, 120_000).catch(async (e: unknown) => {
        const all = await listJson<Tenant>('tenants');
        const stuck = all.filter((t) => names.includes(t.metadata.name ?? '') && condition(t, 'Reconciled')?.status !== 'True');
        const why = stuck
          .slice(0, 3)
          .map(
            (t) =>
              `${t.metadata.name ?? ''}: ${JSON.stringify(t.status?.conditions?.filter((c) => c.status !== 'True' && !c.type.endsWith('Conflict')))}`,
          );
        const errors = op
          .logs()
          .split('\n')
          .filter((l) => l.includes('"level":"error"') || l.includes('"level":"warn"'))
          .slice(-5);
        throw new Error(`${String(e)}\n${stuck.length} not converged:\n${why.join('\n')}\noperator warnings:\n${errors.join('\n')}`);
      });
      const config = parseConfig(CONFIG);
      const owned = await listJson<KubernetesObject>(KINDS, ['-A', '-l', `app.kubernetes.io/managed-by=tenantry,${TENANT_LABEL}`]);
      const uids = new Map(tenants.map((t) => [t.metadata.name ?? '', t.metadata.uid ?? '']));
      for (const t of tenants) {
        const ctx = buildContext(t, config);
        assert.ok(!isBuildContextError(ctx));
        const expected = [
          ...buildDesiredState(ctx),
          ...buildPersistentVolumeClaims(ctx),
          buildDatabaseSecret(ctx, { databasePassword: 'x', rootPassword: 'y' }),
        ]
          .filter((m) => OWNED.includes(m.kind))
          .map((m) => `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`)
          .sort();
        assert.ok(expected.length >= 18, `${expected.length} objects expected`);
        const mine = owned
          .filter((o) => o.metadata?.labels?.[TENANT_LABEL] === t.metadata.name)
          .map((o) => `${o.kind ?? ''}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`)
          .sort();
        const missing = expected.filter((x) => !mine.includes(x));
        const extra = mine.filter((x) => !expected.includes(x));
        assert.deepEqual(
          { missing, extra, duplicates: mine.length - new Set(mine).size },
          { missing: [], extra: [], duplicates: 0 },
          `${t.metadata.name} has exactly its objects`,
        );
        if (t.spec.app?.replicas === 2) {
          const dep = await getJson<{ spec: { replicas: number } }>('deployment', 'app', `tenant-${t.metadata.name ?? ''}`);
          assert.equal(dep?.spec.replicas, 2, 'an update made between crashes was applied');
        }
      }
      for (const o of owned) {
        const tenant = o.metadata?.labels?.[TENANT_LABEL] ?? '';
        if (!names.includes(tenant)) continue;
        assert.ok(ownedByUid(o, uids.get(tenant)), `${o.kind} ${o.metadata?.name} is owned by its live tenant`);
      }
    } finally {
      await op.stop();
    }
  });
});

/** Alternates engines by tenant number, so both are exercised. */
function i2engine(name: string): 'postgres' | 'mariadb' {
  return Number(name.split('-').pop()) % 2 === 0 ? 'postgres' : 'mariadb';
}

/** Reports whether an object carries the Tenant uid label of `uid` and no ownerReference (ownership by label only). */
function ownedByUid(o: KubernetesObject, uid: string | undefined): boolean {
  return uid !== undefined && o.metadata?.labels?.[TENANT_UID_LABEL] === uid && !o.metadata?.ownerReferences?.length;
}
