// bench:reconcile — converge N tenants from empty with the operator, and in the same run a
// baseline that creates exactly the same objects with a tight concurrent client loop (what the
// API server itself can take), each phase on an empty control plane of its own. Prints progress per phase on stderr and one JSON line last.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import type { Tenant } from '../src/api/generated/index.js';
import { parseConfig } from '../src/config.js';
import { withAppliedHash } from '../src/controller/diff.js';
import { KubeRest, resourcePath } from '../src/runtime/rest.js';
import {
  buildContext,
  buildDatabaseSecret,
  buildDesiredState,
  buildPersistentVolumeClaims,
  isBuildContextError,
  OWNED_KINDS,
  type Manifest,
} from '../src/resources/index.js';
import { ConvergenceWatch } from './converged.js';
import { CpuMeter } from './cpu.js';
import { ensureBinaries } from '../test/env/build.js';
import { controlPlaneEnv, startControlPlane, stopControlPlane, type ControlPlane } from '../test/env/controlplane.js';
import { sleep } from '../test/env/proc.js';
import { auditMark, auditSince, isWrite } from '../test/support/audit.js';
import { mintKubeconfig } from '../test/support/identity.js';
import { metricValue, shippedRuntimeEnv, startOperator, testConfig } from '../test/support/operator.js';
import { ENCRYPTED_CLASS, installPrerequisites } from '../test/support/prerequisites.js';

const { values } = parseArgs({
  options: {
    tenants: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '16' },
    'cpu-prof': { type: 'string' },
    'heap-mb': { type: 'string' },
  },
});
const N = Number(values.tenants);
const CONCURRENCY = Number(values.concurrency);
if (!Number.isInteger(N) || N < 1) throw new Error('--tenants must be a positive integer');

const phase = (name: string) => process.stderr.write(`[bench:reconcile] ${new Date().toISOString()} ${name}\n`);
const CONFIG = testConfig('nginx', ENCRYPTED_CLASS);
// The operator runs with the Node flags the Deployment ships, so its RSS is the one a cluster sees;
// --heap-mb replaces only the heap cap, as a larger fleet's Deployment would (see the README's sizes).
const RUNTIME_ENV = withHeapCap(shippedRuntimeEnv(), values['heap-mb']);
// --cpu-prof DIR: the converging operator writes a V8 CPU profile there when it stops (for finding where its time goes; it slows it down).
const PROFILE_ARGS = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [];
const APPLY = 'application/apply-patch+yaml';
/** A run that has not converged by then has a bug, not a slow machine: fail with the operator's log. */
const CONVERGE_TIMEOUT_MS = Math.max(10 * 60_000, N * 1000);

/** Returns the runtime variables with NODE_OPTIONS' --max-old-space-size set to `heapMb` (unchanged without it). */
function withHeapCap(env: Record<string, string>, heapMb: string | undefined): Record<string, string> {
  if (heapMb === undefined) return env;
  if (!/^[1-9][0-9]*$/.test(heapMb)) throw new Error(`--heap-mb must be a whole number of MB, not ${JSON.stringify(heapMb)}`);
  const flags = (env['NODE_OPTIONS'] ?? '').split(/\s+/).filter((f) => f && !f.startsWith('--max-old-space-size'));
  return { ...env, NODE_OPTIONS: [`--max-old-space-size=${heapMb}`, ...flags].join(' ') };
}

/** Runs `fn` over items with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

function tenant(name: string, label: string): Tenant {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Tenant',
    metadata: { name, labels: { 'tenantry.io/bench': label } },
    spec: { plan: 'paid', region: 'eu-central-1', database: { engine: 'postgres' } },
  };
}

const TENANTS = { apiVersion: 'tenantry.io/v1alpha1', plural: 'tenants', namespaced: false };
const KIND_PATH = new Map(OWNED_KINDS.map((k) => [`${k.apiVersion}/${k.kind}`, k]));

/** Creates tenants with the given prefix as fast as the API server allows; returns them with uids. */
async function createTenants(rest: KubeRest, prefix: string, label: string): Promise<Tenant[]> {
  const out: Tenant[] = [];
  await pool(
    Array.from({ length: N }, (_, i) => `${prefix}-${i}`),
    CONCURRENCY,
    async (name) => {
      out.push(await rest.request<Tenant>('POST', resourcePath(TENANTS), { body: tenant(name, label) }));
    },
  );
  return out;
}

/** Peak resident set of a process, from /proc (VmHWM). */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** Starts an empty control plane with the prerequisites installed, and points the test helpers at it. */
async function freshControlPlane(purpose: string): Promise<ControlPlane> {
  phase(`starting an empty control plane for the ${purpose} (tenants=${N})`);
  const cp = await startControlPlane(mkdtempSync(join(tmpdir(), 'tenantry-bench-')), await ensureBinaries());
  Object.assign(process.env, controlPlaneEnv(cp));
  await installPrerequisites();
  return cp;
}

async function main(): Promise<void> {
  // Each phase starts from an empty cluster of its own: the controller manager keeps reacting to
  // a thousand tenants' workloads for minutes (ReplicaSets, Pods, volume and quota updates), and
  // on two cores that work would otherwise land in whichever phase runs second.
  let cp = await freshControlPlane('baseline');
  try {
    const config = parseConfig(CONFIG);

    // Baseline: the same objects the operator creates (tenant, namespace, children, credentials,
    // PVCs, status), written by a tight concurrent loop with no caches, diffing or events.
    phase('baseline: creating tenants and their objects with a concurrent client loop');
    const baseKc = new KubeConfig();
    baseKc.loadFromFile(await mintKubeconfig('bench-baseline'));
    const base = new KubeRest(baseKc);
    const controlPlanePids = Object.fromEntries(cp.processes.map((p) => [p.name, p.pid]));
    const baseCpu = new CpuMeter({ ...controlPlanePids, client: process.pid }).start();
    const baseStart = performance.now();
    const baseTenants = await createTenants(base, 'base', 'baseline');
    let objectsPerTenant = 0;
    await pool(baseTenants, CONCURRENCY, async (t) => {
      const ctx = buildContext(t, config);
      if (isBuildContextError(ctx)) throw new Error(ctx.error);
      const objs: Manifest[] = [...buildDesiredState(ctx), ...buildPersistentVolumeClaims(ctx)];
      objectsPerTenant = objs.length + 1;
      // The namespace first, then the rest of the tenant's objects concurrently, as the operator does per pass.
      const [ns, ...rest] = objs.map((m) => withAppliedHash(m));
      const apply = (m: Manifest) =>
        base.request('PATCH', resourcePath(KIND_PATH.get(`${m.apiVersion}/${m.kind}`)!, m.metadata.namespace, m.metadata.name), {
          body: m,
          contentType: APPLY,
          query: { fieldManager: 'tenantry', force: true },
        });
      await apply(ns!);
      const secret = buildDatabaseSecret(ctx, { databasePassword: 'p', rootPassword: 'r' });
      await Promise.all([
        ...rest.map(apply),
        base.request('POST', resourcePath(KIND_PATH.get('v1/Secret')!, secret.metadata.namespace), { body: secret }),
      ]);
      await base.request('PATCH', resourcePath(TENANTS, undefined, t.metadata.name, 'status'), {
        body: { apiVersion: t.apiVersion, kind: 'Tenant', metadata: { name: t.metadata.name }, status: { phase: 'Provisioning' } },
        contentType: APPLY,
        query: { fieldManager: 'tenantry', force: true },
      });
    });
    const baselineSeconds = (performance.now() - baseStart) / 1000;
    const baselineCpuSeconds = baseCpu.stop();
    phase(`baseline: ${N} tenants × ${objectsPerTenant} objects in ${baselineSeconds.toFixed(1)} s`);
    base.close();
    await stopControlPlane(cp, { removeData: true });
    cp = await freshControlPlane('operator');

    phase('operator: starting');
    const identity = 'bench-operator';
    const op = await startOperator({
      identity,
      config: { ...CONFIG, concurrency: CONCURRENCY },
      tenantSelector: 'tenantry.io/bench=operator',
      resyncSeconds: 3600,
      runtimeEnv: RUNTIME_ENV,
      nodeArgs: PROFILE_ARGS,
      startTimeoutMs: 300_000,
    });
    const opKc = new KubeConfig();
    opKc.loadFromFile(await mintKubeconfig('bench-driver'));
    const driver = new KubeRest(opKc);
    const convergence = new ConvergenceWatch(opKc, 'tenantry.io/bench=operator', N);
    await convergence.start();
    const mark = auditMark();
    const opCpu = new CpuMeter({
      ...Object.fromEntries(cp.processes.map((p) => [p.name, p.pid])),
      operator: op.child.pid ?? 0,
      client: process.pid,
    }).start();
    const opStart = performance.now();
    await createTenants(driver, 'op', 'operator');
    phase(`operator: ${N} tenants created; waiting for convergence`);
    let convergedAt: number | undefined;
    void convergence.done.then((at) => (convergedAt = at));
    while (convergedAt === undefined) {
      await Promise.race([convergence.done, sleep(2000)]);
      if (convergedAt !== undefined) break;
      phase(`operator: ${convergence.count()}/${N} converged`);
      if (performance.now() - opStart > CONVERGE_TIMEOUT_MS) {
        convergence.stop();
        const log = op.logs().slice(-3000);
        await op.stop();
        throw new Error(
          `the operator did not converge: ${convergence.count()}/${N} tenants Reconciled after ${CONVERGE_TIMEOUT_MS / 60_000} min; its log ends with:\n${log}`,
        );
      }
    }
    const operatorSeconds = (convergedAt - opStart) / 1000;
    const operatorCpuSeconds = opCpu.stop();
    phase(`operator: converged in ${operatorSeconds.toFixed(1)} s`);
    // Let the last watch events and status writes land before counting.
    await sleep(3000);
    const events = auditSince(mark, (e) => e.user.username === identity);
    const writes = events.filter(isWrite);
    const reads = events.filter((e) => !isWrite(e) && e.verb !== 'watch');
    const eventWrites = writes.filter((e) => e.objectRef?.resource === 'events').length;
    const statusWrites = writes.filter((e) => e.objectRef?.subresource === 'status').length;

    const operatorPeakRssMb = peakRssMb(op.child.pid ?? 0);
    // V8's heap in use right after convergence (live objects and not yet collected garbage): what the heap cap must leave room for.
    const operatorHeapUsedMb = Math.round((await metricValue(op.healthPort, 'nodejs_heap_size_used_bytes')) / 2 ** 20);
    // Only the tenants of the operator's selector are reconciled, so this counts passes over the N new tenants.
    const passesPerTenant = (await metricValue(op.healthPort, 'tenantry_reconcile_duration_seconds_count')) / N;
    phase(
      `operator: peak RSS ${operatorPeakRssMb} MB (${Object.entries(RUNTIME_ENV)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')})`,
    );
    phase('operator: restart, then an idle resync of every tenant');
    const resyncMark = auditMark();
    // The restarted operator passes over every tenant at start (from a cold cache) and again at
    // the first resync tick; both must write nothing.
    await op.stop();
    const op2 = await startOperator({
      identity,
      config: { ...CONFIG, concurrency: CONCURRENCY },
      tenantSelector: 'tenantry.io/bench=operator',
      resyncSeconds: 5,
      kubeconfig: op.kubeconfig,
      runtimeEnv: RUNTIME_ENV,
      startTimeoutMs: 300_000,
    });
    let resyncSeconds = NaN;
    for (let i = 0; i < 200 && Number.isNaN(resyncSeconds); i++) {
      await sleep(250);
      const m = /"message":"resync complete","seconds":([0-9.]+),"tenants":(\d+)/.exec(op2.logs());
      if (m && Number(m[2]) === N) resyncSeconds = Number(m[1]);
    }
    const resyncWrites = auditSince(
      resyncMark,
      (e) => e.user.username === identity && isWrite(e) && e.objectRef?.resource !== 'leases',
    ).length;
    const restartedRssMb = peakRssMb(op2.child.pid ?? 0);
    await op2.stop();
    driver.close();

    const result = {
      bench: 'reconcile',
      tenants: N,
      concurrency: CONCURRENCY,
      objectsPerTenant,
      baselineSeconds: Number(baselineSeconds.toFixed(2)),
      operatorSeconds: Number(operatorSeconds.toFixed(2)),
      ratio: Number((operatorSeconds / baselineSeconds).toFixed(2)),
      // Who spent the two cores in each phase (client = this process: the baseline loop, or the tenant creation and the convergence watch).
      baselineCpuSeconds,
      operatorCpuSeconds,
      writesPerTenant: Number((writes.length / N).toFixed(2)),
      objectWritesPerTenant: Number(((writes.length - eventWrites - statusWrites) / N).toFixed(2)),
      statusWritesPerTenant: Number((statusWrites / N).toFixed(2)),
      eventWritesPerTenant: Number((eventWrites / N).toFixed(2)),
      readsPerTenant: Number((reads.length / N).toFixed(3)),
      // Reconcile passes per tenant while converging: the first does the writes, the rest answer the children's watch events.
      passesPerTenant: Number(passesPerTenant.toFixed(2)),
      operatorPeakRssMb,
      operatorHeapUsedMb,
      restartedOperatorPeakRssMb: restartedRssMb,
      runtimeEnv: RUNTIME_ENV,
      noopResyncSeconds: resyncSeconds,
      noopResyncWrites: resyncWrites,
    };
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    phase('stopping the control plane');
    await stopControlPlane(cp, { removeData: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`[bench:reconcile] failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
