// bench:rollout — a fleet rollout (P12): N tenants follow one ReleaseChannel and converge on its
// revision 1; then the channel's app image changes, --rounds times, and the operator rolls each
// revision out in waves of 10 %, 50 % and 100 % (no soak). Measured per round: spec change to phase
// Complete, each wave, and the operator's API requests. Baseline in the same run: a tight
// concurrent client loop patching the same N Deployments' image directly (operator stopped).
// There are no kubelets: a watch-driven stand-in writes the workloads' status as the controllers
// would once the pods of each new spec are up, and its writes are counted apart from the operator's.
// Progress on stderr, one JSON line last.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import type { ReleaseChannel, ReleaseChannelStatus, Tenant } from '../src/api/generated/index.js';
import { COMPONENT_LABEL } from '../src/api/names.js';
import { parseConfig } from '../src/config.js';
import { KubeRest, resourcePath } from '../src/runtime/rest.js';
import { ChannelWatch } from './channel-watch.js';
import { ConvergenceWatch } from './converged.js';
import { CpuMeter } from './cpu.js';
import { tallyRequests, type RequestTally } from './requests.js';
import { summarize } from './stats.js';
import { answered, WorkloadStatusStandIn, type Workload } from './workload-status.js';
import { ensureBinaries } from '../test/env/build.js';
import { controlPlaneEnv, startControlPlane, stopControlPlane, type ControlPlane } from '../test/env/controlplane.js';
import { sleep } from '../test/env/proc.js';
import { auditMark, auditSince } from '../test/support/audit.js';
import { mintKubeconfig } from '../test/support/identity.js';
import { metricValue, shippedRuntimeEnv, startOperator, testConfig, type TestOperator } from '../test/support/operator.js';
import { ENCRYPTED_CLASS, installPrerequisites } from '../test/support/prerequisites.js';

const { values } = parseArgs({
  options: {
    tenants: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '16' },
    'cpu-prof': { type: 'string' },
    // baseline: converge and run the baseline rounds only (no ReleaseChannel rollout is awaited).
    only: { type: 'string' },
  },
});
const N = Number(values.tenants);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);
if (!Number.isInteger(N) || N < 1) throw new Error('--tenants must be a positive integer');
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('--rounds must be a positive integer');
const BASELINE_ONLY = values.only === 'baseline';
if (values.only !== undefined && !BASELINE_ONLY) throw new Error('--only takes "baseline"');

const phase = (name: string) => process.stderr.write(`[bench:rollout] ${new Date().toISOString()} ${name}\n`);
const CONFIG = testConfig('nginx', ENCRYPTED_CLASS);
const IMAGES = parseConfig(CONFIG).images;
const RUNTIME_ENV = shippedRuntimeEnv();
const PROFILE_ARGS = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [];
const CHANNEL = 'bench';
const SELECTOR = 'tenantry.io/bench=rollout';
const OPERATOR = 'bench-operator';
const STAND_IN = 'bench-workloads';
const WAVES = [
  { name: 'canary', percent: 10 },
  { name: 'half', percent: 50 },
  { name: 'all', percent: 100 },
];
/** A phase that has not finished by then has a bug, not a slow machine: fail with the operator's log. */
const TIMEOUT_MS = Math.max(10 * 60_000, N * 1000);
// Without kubelets nothing runs the pods: these controllers would report every workload unavailable
// and overwrite what the stand-in writes. The rest (quota, namespaces, service accounts) stays on.
const DISABLED_CONTROLLERS = ['deployment-controller', 'replicaset-controller', 'statefulset-controller'];

const CHANNELS = { apiVersion: 'tenantry.io/v1alpha1', plural: 'releasechannels', namespaced: false };
const TENANTS = { apiVersion: 'tenantry.io/v1alpha1', plural: 'tenants', namespaced: false };
const MERGE = 'application/merge-patch+json';

/** Runs `fn` over items with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/** Resolves when `done` holds (polled), or throws after `ms` with `what` and the operator's log. */
async function until(
  what: string,
  done: () => boolean,
  ms: number,
  op?: TestOperator,
  progress?: () => string,
  poll?: () => Promise<void>,
): Promise<void> {
  const start = performance.now();
  let lastReport = start;
  while (!done()) {
    if (performance.now() - start > ms)
      throw new Error(`${what}: not done after ${ms / 1000} s${op ? `; operator log ends with:\n${op.logs().slice(-3000)}` : ''}`);
    if (progress && performance.now() - lastReport > 5000) {
      phase(progress());
      lastReport = performance.now();
    }
    await sleep(poll ? 250 : 50);
    await poll?.();
  }
}

const appImage = (w: Workload) =>
  w.spec?.template?.spec?.containers?.find((c) => c.name === 'app')?.image ?? w.spec?.template?.spec?.containers?.[0]?.image;
const isApp = (w: Workload) => w.metadata?.labels?.[COMPONENT_LABEL] === 'app';

function tenant(i: number): Tenant {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Tenant',
    metadata: { name: `t-${i}`, labels: { 'tenantry.io/bench': 'rollout' } },
    spec: { plan: 'paid', region: 'eu-central-1', database: { engine: 'postgres' }, app: { channel: CHANNEL } },
  };
}

function channel(): ReleaseChannel {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'ReleaseChannel',
    // Labelled for the operator's shard (--tenant-selector): a sharded operator evaluates only the channels of its shard.
    metadata: { name: CHANNEL, labels: { 'tenantry.io/bench': 'rollout' } },
    // Revision 1 is the operator's configured images, so the fleet's first convergence is the usual one.
    spec: {
      images: { app: IMAGES.app, postgres: IMAGES.postgres, mariadb: IMAGES.mariadb },
      rollout: { waves: WAVES, soakSeconds: 0, readinessTimeoutSeconds: 3600, failureBudget: 0 },
    },
  };
}

async function freshControlPlane(): Promise<ControlPlane> {
  phase(`starting an empty control plane without ${DISABLED_CONTROLLERS.join(', ')} (tenants=${N}, rounds=${ROUNDS})`);
  const cp = await startControlPlane(mkdtempSync(join(tmpdir(), 'tenantry-bench-')), await ensureBinaries(), {
    disabledControllers: DISABLED_CONTROLLERS,
  });
  Object.assign(process.env, controlPlaneEnv(cp));
  await installPrerequisites();
  return cp;
}

async function kubeconfigOf(identity: string): Promise<{ path: string; kc: KubeConfig }> {
  const path = await mintKubeconfig(identity);
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return { path, kc };
}

function runOperator(kubeconfig: string | undefined, profile: boolean): Promise<TestOperator> {
  return startOperator({
    identity: OPERATOR,
    config: { ...CONFIG, concurrency: CONCURRENCY },
    tenantSelector: SELECTOR,
    resyncSeconds: 3600,
    runtimeEnv: RUNTIME_ENV,
    nodeArgs: profile ? PROFILE_ARGS : [],
    startTimeoutMs: 300_000,
    ...(kubeconfig ? { kubeconfig } : {}),
  });
}

/** One baseline round: every app Deployment's image patched by a concurrent loop, then ready (the stand-in answered). */
async function baselineRound(
  rest: KubeRest,
  standIn: WorkloadStatusStandIn,
  round: number,
): Promise<{ patchSeconds: number; readySeconds: number }> {
  const target = `example.test/tenantry-bench/app:baseline-${round}`;
  const deployments = [...standIn.latest.values()].filter((e) => e.plural === 'deployments' && isApp(e.obj)).map((e) => e.obj);
  if (deployments.length !== N) throw new Error(`baseline: ${deployments.length} app Deployments, expected ${N}`);
  const start = performance.now();
  await pool(deployments, CONCURRENCY, async (d) => {
    const containers = d.spec!.template.spec!.containers;
    const index = Math.max(
      0,
      containers.findIndex((c) => c.name === 'app'),
    );
    await rest.request('PATCH', `/apis/apps/v1/namespaces/${d.metadata!.namespace}/deployments/${d.metadata!.name}`, {
      body: [{ op: 'replace', path: `/spec/template/spec/containers/${index}/image`, value: target }],
      contentType: 'application/json-patch+json',
    });
  });
  const patchSeconds = (performance.now() - start) / 1000;
  await until(
    'baseline: Deployments ready',
    () => standIn.count('deployments', (w) => isApp(w) && appImage(w) === target && answered('deployments', w)) === N,
    TIMEOUT_MS,
  );
  return { patchSeconds, readySeconds: (performance.now() - start) / 1000 };
}

/** Puts every app Deployment back on `image` (what the operator applied) and waits until the stand-in answered. */
async function restoreImages(rest: KubeRest, standIn: WorkloadStatusStandIn, image: string): Promise<void> {
  const deployments = [...standIn.latest.values()].filter((e) => e.plural === 'deployments' && isApp(e.obj)).map((e) => e.obj);
  await pool(deployments, CONCURRENCY, async (d) => {
    const index = Math.max(
      0,
      d.spec!.template.spec!.containers.findIndex((c) => c.name === 'app'),
    );
    await rest.request('PATCH', `/apis/apps/v1/namespaces/${d.metadata!.namespace}/deployments/${d.metadata!.name}`, {
      body: [{ op: 'replace', path: `/spec/template/spec/containers/${index}/image`, value: image }],
      contentType: 'application/json-patch+json',
    });
  });
  await until(
    'baseline: images restored',
    () => standIn.count('deployments', (w) => isApp(w) && appImage(w) === image && answered('deployments', w)) === N,
    TIMEOUT_MS,
  );
}

interface RolloutRound {
  revision: number;
  /** Spec change to phase Complete on the new revision, as the channel watch saw it. */
  seconds: number;
  /** Spec change to the first wave released. */
  startSeconds: number;
  /** Per wave: its release to the next wave's release (the last: to Complete). */
  waveSeconds: number[];
  operator: RequestTally;
  standInWrites: number;
  channelStatusWrites: number;
  failed: number;
  cpuSeconds: Record<string, number>;
}

const onRevision = (rev: number) => (s: ReleaseChannelStatus) => s.revision === rev;
const released = (rev: number, waves: number) => (s: ReleaseChannelStatus) => s.revision === rev && (s.releasedWaves ?? 0) >= waves;
const complete = (rev: number) => (s: ReleaseChannelStatus) => s.revision === rev && s.phase === 'Complete';

/** One rollout round: the channel's app image changes, the operator rolls revision `rev` out. */
async function rolloutRound(
  driver: KubeRest,
  channelWatch: ChannelWatch,
  standIn: WorkloadStatusStandIn,
  op: TestOperator,
  cpuPids: Record<string, number>,
  rev: number,
): Promise<RolloutRound> {
  const image = `example.test/tenantry-bench/app:${rev}.0.0`;
  const mark = auditMark();
  const standInBefore = standIn.writes;
  const cpu = new CpuMeter(cpuPids).start();
  const waveAt = WAVES.map((_, i) => channelWatch.when(released(rev, i + 1)));
  const completeAt = channelWatch.when(complete(rev));
  const startedAt = channelWatch.when(onRevision(rev));
  const start = performance.now();
  await driver.request('PATCH', resourcePath(CHANNELS, undefined, CHANNEL), {
    body: { spec: { images: { app: image } } },
    contentType: MERGE,
  });
  let endAt: number | undefined;
  void completeAt.then((at) => (endAt = at));
  await until(
    `revision ${rev}: phase Complete`,
    () => endAt !== undefined,
    TIMEOUT_MS,
    op,
    () => `revision ${rev}: ${channelWatch.status.message ?? channelWatch.status.phase ?? 'no status yet'}`,
  );
  const end = endAt!;
  await startedAt;
  const waves = await Promise.all(waveAt);
  const cpuSeconds = cpu.stop();
  // Let the last status writes and Events of the round land before counting.
  await sleep(3000);
  await until('stand-in idle', () => standIn.idle(), 60_000);
  const events = auditSince(mark);
  const status = channelWatch.status;
  return {
    revision: rev,
    seconds: (end - start) / 1000,
    startSeconds: (waves[0]! - start) / 1000,
    waveSeconds: waves.map((at, i) => ((waves[i + 1] ?? end) - at) / 1000),
    operator: tallyRequests(events.filter((e) => e.user.username === OPERATOR)),
    standInWrites: standIn.writes - standInBefore,
    channelStatusWrites: events.filter(
      (e) => e.user.username === OPERATOR && e.objectRef?.resource === 'releasechannels' && e.objectRef.subresource === 'status',
    ).length,
    failed: status.counts?.failed ?? 0,
    cpuSeconds,
  };
}

/** min / median / max of a figure over the rounds. */
function spread(samples: number[], digits = 2): { min: number; median: number; max: number } {
  const { min, median, max } = summarize(samples, digits);
  return { min, median, max };
}

function report(rounds: RolloutRound[], baseline: Array<{ patchSeconds: number; readySeconds: number }>, extra: Record<string, unknown>) {
  const per = (n: number) => n / N;
  const resources = [...new Set(rounds.flatMap((r) => Object.keys(r.operator.byResource)))].sort();
  const byResource = Object.fromEntries(
    resources.map((k) => [
      k,
      {
        writesPerTenant: spread(
          rounds.map((r) => per(r.operator.byResource[k]?.writes ?? 0)),
          3,
        ),
        readsPerTenant: spread(
          rounds.map((r) => per(r.operator.byResource[k]?.reads ?? 0)),
          3,
        ),
      },
    ]),
  );
  const cpuNames = Object.keys(rounds[0]?.cpuSeconds ?? {});
  return {
    bench: 'rollout',
    tenants: N,
    rounds: rounds.length,
    concurrency: CONCURRENCY,
    waves: WAVES.map((w) => `${w.name}:${w.percent}`),
    rolloutSeconds: spread(rounds.map((r) => r.seconds)),
    firstWaveAfterSeconds: spread(rounds.map((r) => r.startSeconds)),
    waveSeconds: Object.fromEntries(WAVES.map((w, i) => [w.name, spread(rounds.map((r) => r.waveSeconds[i]!))])),
    baselinePatchSeconds: spread(baseline.map((b) => b.patchSeconds)),
    baselineReadySeconds: spread(baseline.map((b) => b.readySeconds)),
    // Rollout over the baseline's patch-and-ready, round by round (round i against baseline round i).
    ratio: spread(rounds.map((r, i) => r.seconds / baseline[i % baseline.length]!.readySeconds)),
    operatorRequests: spread(
      rounds.map((r) => r.operator.total),
      0,
    ),
    operatorWrites: spread(
      rounds.map((r) => r.operator.writes),
      0,
    ),
    operatorReads: spread(
      rounds.map((r) => r.operator.reads),
      0,
    ),
    operatorRequestsPerTenant: spread(
      rounds.map((r) => per(r.operator.total)),
      3,
    ),
    operatorWritesPerTenant: spread(
      rounds.map((r) => per(r.operator.writes)),
      3,
    ),
    operatorByResource: byResource,
    channelStatusWrites: spread(
      rounds.map((r) => r.channelStatusWrites),
      0,
    ),
    standInStatusWritesPerTenant: spread(
      rounds.map((r) => per(r.standInWrites)),
      3,
    ),
    failedTenants: spread(
      rounds.map((r) => r.failed),
      0,
    ),
    cpuSeconds: Object.fromEntries(
      cpuNames.map((n) => [
        n,
        spread(
          rounds.map((r) => r.cpuSeconds[n] ?? NaN),
          1,
        ),
      ]),
    ),
    ...extra,
  };
}

async function main(): Promise<void> {
  const cp = await freshControlPlane();
  // The control plane's processes run in groups of their own: stop them on Ctrl-C too.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      phase(`${signal}: stopping the control plane`);
      void stopControlPlane(cp, { removeData: true }).finally(() => process.exit(130));
    });
  const cleanup: Array<() => Promise<void> | void> = [];
  try {
    const driverCfg = await kubeconfigOf('bench-driver');
    const driver = new KubeRest(driverCfg.kc);
    cleanup.push(() => driver.close());
    const standIn = new WorkloadStatusStandIn((await kubeconfigOf(STAND_IN)).kc);
    await standIn.start();
    cleanup.push(() => standIn.stop());
    await driver.request('POST', resourcePath(CHANNELS), { body: channel() });
    const channelWatch = new ChannelWatch(driverCfg.kc, CHANNEL);
    await channelWatch.start();
    cleanup.push(() => channelWatch.stop());

    phase('operator: starting; creating the tenants (revision 1)');
    let op = await runOperator(undefined, false);
    cleanup.push(() => op.stop());
    const convergence = new ConvergenceWatch(driverCfg.kc, SELECTOR, N);
    await convergence.start();
    const convergeStart = performance.now();
    await pool(
      Array.from({ length: N }, (_, i) => i),
      CONCURRENCY,
      async (i) => void (await driver.request('POST', resourcePath(TENANTS), { body: tenant(i) })),
    );
    let convergedAt: number | undefined;
    void convergence.done.then((at) => (convergedAt = at));
    await until(
      'tenants Reconciled',
      () => convergedAt !== undefined,
      TIMEOUT_MS,
      op,
      () => `${convergence.count()}/${N} tenants Reconciled`,
    );
    let healthyAt: number | undefined;
    const settled = (s: ReleaseChannelStatus) => BASELINE_ONLY || (complete(1)(s) && s.counts?.healthy === N);
    void channelWatch.when(settled).then((at) => (healthyAt = at));
    await until(
      'revision 1 healthy',
      () => healthyAt !== undefined,
      TIMEOUT_MS,
      op,
      () => `revision 1: ${channelWatch.status.message ?? 'no channel status yet'}`,
    );
    const convergeSeconds = (healthyAt! - convergeStart) / 1000;
    phase(`converged: ${N} tenants Reconciled and Ready on revision 1 in ${convergeSeconds.toFixed(1)} s`);

    // Baseline with the operator stopped: it would otherwise put its own image back at once.
    await op.stop();
    const baseline = [];
    for (let r = 1; r <= ROUNDS; r++) {
      const b = await baselineRound(driver, standIn, r);
      phase(`baseline round ${r}: ${N} Deployments patched in ${b.patchSeconds.toFixed(1)} s, ready in ${b.readySeconds.toFixed(1)} s`);
      baseline.push(b);
    }
    await restoreImages(driver, standIn, IMAGES.app);

    phase('operator: restarting (a cold cache; its start pass must write nothing)');
    const restartMark = auditMark();
    op = await runOperator(op.kubeconfig, true);
    // The start pass enqueues every tenant once; its end shows as N reconcile passes in the metrics.
    let passes = 0;
    await until(
      'operator start pass',
      () => passes >= N,
      TIMEOUT_MS,
      op,
      () => `operator start pass: ${passes}/${N} tenants`,
      async () => void (passes = await metricValue(op.healthPort, 'tenantry_reconcile_duration_seconds_count')),
    );
    await sleep(2000);
    const restartWrites = auditSince(
      restartMark,
      (e) => e.user.username === OPERATOR && e.verb !== 'watch' && e.verb !== 'get' && e.verb !== 'list',
    ).length;

    const cpuPids = {
      ...Object.fromEntries(cp.processes.map((p) => [p.name, p.pid])),
      operator: op.child.pid ?? 0,
      client: process.pid,
    };
    const rounds: RolloutRound[] = [];
    for (let r = 1; r <= (BASELINE_ONLY ? 0 : ROUNDS); r++) {
      const round = await rolloutRound(driver, channelWatch, standIn, op, cpuPids, r + 1);
      phase(
        `rollout of revision ${round.revision}: ${round.seconds.toFixed(1)} s (waves ${round.waveSeconds.map((s) => s.toFixed(1)).join(' / ')} s), ` +
          `operator ${round.operator.total} requests, ${round.operator.writes} writes`,
      );
      rounds.push(round);
    }
    process.stdout.write(
      JSON.stringify(
        report(rounds, baseline, {
          convergeSeconds: Number(convergeSeconds.toFixed(1)),
          restartWrites,
          standInFailures: standIn.failures,
          rawRounds: rounds.map((r) => ({ revision: r.revision, seconds: Number(r.seconds.toFixed(2)), operator: r.operator })),
        }),
      ) + '\n',
    );
  } finally {
    for (const c of cleanup.reverse()) await c();
    phase('stopping the control plane');
    await stopControlPlane(cp, { removeData: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`[bench:rollout] failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
