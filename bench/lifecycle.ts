// bench:lifecycle — what the lifecycle engine (P9) costs and how punctually the operator acts on it.
// 1. evaluate: a seeded fleet (default 10,000 tenants, a realistic mix of plans and billing events)
//    evaluated by the pure engine, in rounds, against the canonical JSON the operator computes for
//    every tenant anyway (the same rounds, the same process), so the figure is also a ratio.
// 2. delay: the operator converges N paid tenants (default 1000) on an empty control plane; then K of
//    them get a cancellation dated a few seconds ahead, and for each the delay from that instant to
//    the status write that shows status.lifecycle.phase Closed is measured, from the API server's
//    audit log (when the write reached it) and from a watch on the Tenants (when a client saw it).
// Progress per phase on stderr; one JSON line with all figures last on stdout.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import type { Tenant } from '../src/api/generated/index.js';
import { tenantNamespace } from '../src/api/names.js';
import { parseConfig } from '../src/config.js';
import { formatRfc3339 } from '../src/lifecycle/timestamps.js';
import { KubeRest, resourcePath } from '../src/runtime/rest.js';
import { ConvergenceWatch } from './converged.js';
import { CpuMeter } from './cpu.js';
import { generateFleet } from './lifecycle-fleet.js';
import { measureEvaluate, type EvaluateFigures } from './lifecycle-evaluate.js';
import { summarize, type Summary } from './stats.js';
import { TransitionWatch } from './transition-watch.js';
import { ensureBinaries } from '../test/env/build.js';
import { controlPlaneEnv, startControlPlane, stopControlPlane, type ControlPlane } from '../test/env/controlplane.js';
import { sleep } from '../test/env/proc.js';
import { auditMark, auditSince, isWrite, type AuditEvent } from '../test/support/audit.js';
import { mintKubeconfig } from '../test/support/identity.js';
import { shippedRuntimeEnv, startOperator, testConfig, type TestOperator } from '../test/support/operator.js';
import { ENCRYPTED_CLASS, installPrerequisites } from '../test/support/prerequisites.js';

const { values } = parseArgs({
  options: {
    evaluate: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '5' },
    seed: { type: 'string', default: '11' },
    tenants: { type: 'string', default: '1000' },
    deadlines: { type: 'string', default: '20' },
    'lead-seconds': { type: 'string', default: '10' },
    'spacing-ms': { type: 'string', default: '250' },
    concurrency: { type: 'string', default: '16' },
    only: { type: 'string' },
  },
});
const positive = (name: string, min = 1): number => {
  const n = Number(values[name as keyof typeof values]);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
  return n;
};
const EVALUATE_N = positive('evaluate');
const ROUNDS = positive('rounds');
const SEED = positive('seed', 0);
const N = positive('tenants');
const K = positive('deadlines');
const LEAD_MS = positive('lead-seconds') * 1000;
const SPACING_MS = positive('spacing-ms', 0);
const CONCURRENCY = positive('concurrency');
if (K > N) throw new Error('--deadlines cannot exceed --tenants');
if (values.only !== undefined && values.only !== 'evaluate' && values.only !== 'delay') throw new Error('--only must be evaluate or delay');

const phase = (name: string) => process.stderr.write(`[bench:lifecycle] ${new Date().toISOString()} ${name}\n`);
/** The instant the evaluate fleet is generated around and evaluated at: fixed, so a seed gives the same fleet and results on every run. */
const EVALUATE_AT = new Date('2026-06-15T12:00:00Z');
const SELECTOR = 'tenantry.io/bench=lifecycle';
/** The operator as the integration tests run it, on the shared regional key (no KMS server in this benchmark). */
const CONFIG = { ...testConfig('nginx', ENCRYPTED_CLASS), concurrency: CONCURRENCY, lifecycle: { tenantKmsKeys: false } };
const TENANTS = { apiVersion: 'tenantry.io/v1alpha1', plural: 'tenants', namespaced: false };
/** A run that has not converged by then has a bug, not a slow machine. */
const CONVERGE_TIMEOUT_MS = Math.max(10 * 60_000, N * 1000);
/** How long after the last deadline a transition may still come before the run counts it as missed. */
const MISSED_AFTER_MS = 120_000;

/** Runs `fn` over items with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

function paidTenant(name: string): Tenant {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Tenant',
    metadata: { name, labels: { 'tenantry.io/bench': 'lifecycle' } },
    spec: { plan: 'paid', region: 'eu-central-1', database: { engine: 'postgres' } },
  };
}

async function freshControlPlane(): Promise<ControlPlane> {
  phase(`delay: starting an empty control plane (tenants=${N})`);
  const cp = await startControlPlane(mkdtempSync(join(tmpdir(), 'tenantry-bench-')), await ensureBinaries());
  Object.assign(process.env, controlPlaneEnv(cp));
  await installPrerequisites();
  return cp;
}

/** Waits until the convergence watch is done, with progress, or fails with the operator's log. */
async function awaitConvergence(convergence: ConvergenceWatch, op: TestOperator, start: number): Promise<number> {
  let convergedAt: number | undefined;
  void convergence.done.then((at) => (convergedAt = at));
  while (convergedAt === undefined) {
    await Promise.race([convergence.done, sleep(5000)]);
    if (convergedAt !== undefined) break;
    phase(`delay: ${convergence.count()}/${N} converged`);
    if (performance.now() - start > CONVERGE_TIMEOUT_MS) {
      convergence.stop();
      throw new Error(
        `the operator did not converge: ${convergence.count()}/${N} after ${CONVERGE_TIMEOUT_MS / 60_000} min:\n${op.logs().slice(-3000)}`,
      );
    }
  }
  return convergedAt;
}

/** Figures of the delay phase. */
interface DelayFigures {
  tenants: number;
  deadlines: number;
  leadSeconds: number;
  spacingMs: number;
  convergeSeconds: number;
  /** Deadline → the API server received the operator's status write showing Closed (audit log), ms. */
  statusWriteDelayMs: Summary;
  /** Deadline → a watch on the Tenants delivered that status, ms. */
  observedDelayMs: Summary;
  /** The operator's other writes in the tenant's namespace between the deadline and that status write: what the Closed pass does first. */
  writesBeforeStatus: Summary;
  /** Transitions whose status.lifecycle.since is not the deadline itself, to the millisecond (should be 0). */
  sinceMismatches: number;
  /** CPU seconds per process from the first cancellation to the last transition seen. */
  cpuSeconds: Record<string, number>;
}

/**
 * When the API server received the operator's status write that `seenAt`'s watch event showed: its
 * last status write to `name` received no later than that. (Not its completion time: the watch
 * event may go out before the response to the write does.)
 */
function statusWriteAt(writes: AuditEvent[], name: string, seenAt: number): number {
  let best = NaN;
  for (const e of writes) {
    const received = Date.parse(e.requestReceivedTimestamp);
    if (e.objectRef?.name === name && received <= seenAt && !(received <= best)) best = received;
  }
  return best;
}

/** Sets the cancellations, waits for every Closed, and measures each delay. */
async function measureDeadlines(kc: KubeConfig, driver: KubeRest, identity: string, pids: Record<string, number>) {
  // Every (N/K)th tenant, so the K are spread over the operator's cache and queue order.
  const names = Array.from({ length: K }, (_, i) => `lc-${Math.floor((i * N) / K)}`);
  const watch = new TransitionWatch(kc, SELECTOR, new Set(names), 'Closed');
  await watch.start();
  const mark = auditMark();
  // Whole seconds, as a billing system writes them; then one every SPACING_MS so each is acted on alone.
  const base = Math.ceil((Date.now() + LEAD_MS) / 1000) * 1000;
  const deadlines = new Map(names.map((n, i) => [n, base + i * SPACING_MS]));
  const cpu = new CpuMeter(pids).start();
  await pool(names, CONCURRENCY, async (name) => {
    const body = { spec: { lifecycle: { cancelledAt: formatRfc3339(new Date(deadlines.get(name)!)) } } };
    await driver.request('PATCH', resourcePath(TENANTS, undefined, name), { body, contentType: 'application/merge-patch+json' });
  });
  const margin = base - Date.now();
  phase(`delay: ${K} cancellations set, the first due in ${margin} ms, one every ${SPACING_MS} ms`);
  if (margin < 1000)
    throw new Error(`the cancellations took too long to set (${margin} ms before the first was due): raise --lead-seconds`);
  const last = base + (K - 1) * SPACING_MS;
  // A timer of its own, cleared once all were seen: a pending sleep would hold the process open for minutes after the figures.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([watch.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, last - Date.now() + MISSED_AFTER_MS)))]);
  clearTimeout(timer);
  watch.stop();
  const cpuSeconds = cpu.stop();
  const seen = watch.sightings();
  if (seen.size < K)
    throw new Error(`${K - seen.size} of ${K} tenants were not seen Closed within ${MISSED_AFTER_MS / 1000} s of their deadline`);
  // Let the audit log's last lines land before reading it.
  await sleep(1000);
  const operatorWrites = auditSince(mark, (e) => e.user.username === identity && isWrite(e));
  const writes = operatorWrites.filter(
    (e) => e.objectRef?.resource === 'tenants' && e.objectRef.subresource === 'status' && e.verb === 'patch',
  );
  const observed: number[] = [];
  const written: number[] = [];
  const before: number[] = [];
  let sinceMismatches = 0;
  for (const name of names) {
    const s = seen.get(name)!;
    const deadline = deadlines.get(name)!;
    if (s.at < deadline) throw new Error(`${name} was seen Closed ${deadline - s.at} ms before its cancellation was due`);
    observed.push(s.at - deadline);
    const writtenAt = statusWriteAt(writes, name, s.at);
    written.push(writtenAt - deadline);
    before.push(
      operatorWrites.filter((e) => {
        const at = Date.parse(e.requestReceivedTimestamp);
        return e.objectRef?.namespace === tenantNamespace(name) && at >= deadline && at < writtenAt;
      }).length,
    );
    // The status shows lifecycle instants to the millisecond: since must be the deadline itself.
    if (s.since === undefined || Date.parse(s.since) !== deadline) sinceMismatches++;
    phase(
      `delay: ${name} due ${new Date(deadline).toISOString()}: written +${written[written.length - 1]} ms ` +
        `(after ${before[before.length - 1]} other writes), seen +${observed[observed.length - 1]} ms, since ${s.since}`,
    );
  }
  if (written.some((w) => Number.isNaN(w)))
    throw new Error('a Closed status was seen with no status write of the operator before it in the audit log');
  return {
    statusWriteDelayMs: summarize(written, 1),
    observedDelayMs: summarize(observed, 1),
    writesBeforeStatus: summarize(before, 1),
    sinceMismatches,
    cpuSeconds,
  };
}

async function delayPhase(): Promise<DelayFigures> {
  const cp = await freshControlPlane();
  try {
    phase('delay: starting the operator');
    const identity = 'bench-lifecycle-operator';
    // A resync an hour away: a transition on time comes from the requeue at its instant, not from a resync.
    const op = await startOperator({
      identity,
      config: CONFIG,
      tenantSelector: SELECTOR,
      resyncSeconds: 3600,
      runtimeEnv: shippedRuntimeEnv(),
      startTimeoutMs: 300_000,
    });
    try {
      const kc = new KubeConfig();
      kc.loadFromFile(await mintKubeconfig('bench-lifecycle-driver'));
      const driver = new KubeRest(kc);
      const convergence = new ConvergenceWatch(kc, SELECTOR, N);
      await convergence.start();
      const start = performance.now();
      await pool(
        Array.from({ length: N }, (_, i) => `lc-${i}`),
        CONCURRENCY,
        async (name) => void (await driver.request('POST', resourcePath(TENANTS), { body: paidTenant(name) })),
      );
      phase(`delay: ${N} paid tenants created; waiting for convergence`);
      const convergeSeconds = (Number(await awaitConvergence(convergence, op, start)) - start) / 1000;
      phase(`delay: ${N} tenants converged in ${convergeSeconds.toFixed(1)} s`);
      const pids = { ...Object.fromEntries(cp.processes.map((p) => [p.name, p.pid])), operator: op.child.pid ?? 0, client: process.pid };
      const figures = await measureDeadlines(kc, driver, identity, pids);
      driver.close();
      phase(
        `delay: status write median ${figures.statusWriteDelayMs.median} ms, p95 ${figures.statusWriteDelayMs.p95} ms, max ${figures.statusWriteDelayMs.max} ms after the deadline`,
      );
      return {
        tenants: N,
        deadlines: K,
        leadSeconds: LEAD_MS / 1000,
        spacingMs: SPACING_MS,
        convergeSeconds: Number(convergeSeconds.toFixed(2)),
        ...figures,
      };
    } finally {
      await op.stop();
    }
  } finally {
    phase('delay: stopping the control plane');
    await stopControlPlane(cp, { removeData: true });
    phase('delay: control plane stopped');
  }
}

async function main(): Promise<void> {
  let evaluateFigures: EvaluateFigures | undefined;
  if (values.only !== 'delay') {
    const durations = parseConfig(CONFIG).lifecycle.durations;
    phase(`evaluate: generating ${EVALUATE_N} tenants (seed ${SEED})`);
    const fleet = generateFleet(EVALUATE_N, SEED, EVALUATE_AT);
    evaluateFigures = measureEvaluate(fleet, EVALUATE_AT, durations, ROUNDS, phase);
    phase(
      `evaluate: ${EVALUATE_N} tenants in ${evaluateFigures.evaluateMs.median} ms (median of ${ROUNDS}), ` +
        `${evaluateFigures.evaluateUsPerTenant} µs per tenant, ${evaluateFigures.ratioVsCanonicalJson.median}× canonicalJson`,
    );
  }
  const delay = values.only === 'evaluate' ? undefined : await delayPhase();
  process.stdout.write(JSON.stringify({ bench: 'lifecycle', seed: SEED, evaluate: evaluateFigures ?? null, delay: delay ?? null }) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`[bench:lifecycle] failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
