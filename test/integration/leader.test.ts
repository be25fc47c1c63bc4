// Integration test of leader election against the real API server: of two electors on one Lease
// exactly one leads; the other takes over once a stopped leader's lease expires, or at once after
// release(); a leader cut off from the API server gives up within the renew deadline; and the
// Lease's holderIdentity, leaseTransitions and six-digit MicroTime timestamps are as expected.
// Short durations (lease 2 s, renew deadline 1.5 s, retry 300 ms) keep the file under ~20 s.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { CoordinationV1Api, CoreV1Api, KubeConfig, V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import { LeaderElector, isLeader, microTimeMs, type LeaderElectorOptions } from '../../src/runtime/leader.js';
import { leaderGauge } from '../../src/metrics.js';
import { testKubeconfig } from '../support/kubectl.js';
import { waitFor } from '../support/wait.js';
import { captureGlobalLog, type GlobalCapturedLog } from '../support/log-capture.js';

const RUN = randomBytes(3).toString('hex');
const NS = `leader-test-${RUN}`;
const TIMING = { leaseDurationSeconds: 2, renewDeadlineMs: 1500, retryPeriodMs: 300 };

const kc = new KubeConfig();
kc.loadFromFile(testKubeconfig());
const core = kc.makeApiClient(CoreV1Api);
const coord = kc.makeApiClient(CoordinationV1Api);
const electors: LeaderElector[] = [];
let log: GlobalCapturedLog;

/** Resolves with `p`'s value, or rejects after `ms`. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** An elector on a Lease of this file's namespace with the short test timings. */
function elector(identity: string, lease: string, extra: Partial<LeaderElectorOptions> = {}): LeaderElector {
  const e = new LeaderElector({ kubeConfig: kc, namespace: NS, name: lease, identity, ...TIMING, ...extra });
  electors.push(e);
  return e;
}

async function readLease(name: string): Promise<V1Lease> {
  return coord.readNamespacedLease({ name, namespace: NS });
}

/**
 * A TCP proxy in front of the API server that can cut every connection and refuse new ones,
 * to take one elector off the network while the rest of the test keeps talking to the server.
 */
class CuttableProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private refusing = false;

  constructor(private readonly target: URL) {
    this.server = createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      const upstream = connect(Number(target.port), target.hostname);
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        this.sockets.add(a);
        a.pipe(b);
        a.on('error', () => b.destroy());
        a.on('close', () => {
          this.sockets.delete(a);
          b.destroy();
        });
      }
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  /** Resets every open connection and refuses new ones. */
  cut(): void {
    this.refusing = true;
    for (const s of this.sockets) s.resetAndDestroy();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A KubeConfig identical to the test one but reaching the API server through `port` on loopback. */
function viaProxy(port: number): KubeConfig {
  const proxied = new KubeConfig();
  proxied.loadFromOptions({
    clusters: kc.clusters.map((c) => ({ ...c, server: `https://127.0.0.1:${port}` })),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return proxied;
}

before(async () => {
  log = captureGlobalLog();
  await core.createNamespace({ body: { metadata: { name: NS } } });
});

after(async () => {
  await Promise.all(electors.map((e) => e.stop()));
  await core.deleteNamespace({ name: NS });
  log.restore();
});

describe('LeaderElector', () => {
  test('writes MicroTime with six fractional digits, which the API server requires', async () => {
    assert.match(new V1MicroTime(Date.UTC(2030, 0, 2, 3, 4, 5, 678)).toISOString(), /^2030-01-02T03:04:05\.678000Z$/);
    // The reason it matters: a plain Date (three digits) is refused by the API server.
    await assert.rejects(
      coord.createNamespacedLease({
        namespace: NS,
        body: { metadata: { name: `plain-date-${RUN}` }, spec: { holderIdentity: 'x', renewTime: new Date() as V1MicroTime } },
      }),
      (err: { code?: number }) => err.code === 400,
    );
  });

  test('exactly one of two electors leads, and the Lease names it', async () => {
    const a = elector('replica-a', 'one-leader');
    const b = elector('replica-b', 'one-leader');
    void a.start();
    void b.start();
    await waitFor(() => a.isLeader() || b.isLeader(), 5000, 'a leader');
    // Over several renew periods, never both and never neither.
    for (let i = 0; i < 20; i++) {
      assert.equal(Number(a.isLeader()) + Number(b.isLeader()), 1, 'exactly one elector must lead');
      await new Promise((r) => setTimeout(r, 75));
    }
    assert.equal(isLeader(), true);
    assert.equal((await leaderGauge.get()).values[0]?.value, 1);
    const leader = a.isLeader() ? 'replica-a' : 'replica-b';
    const first = await readLease('one-leader');
    assert.equal(first.spec?.holderIdentity, leader);
    assert.equal(first.spec?.leaseTransitions, 0);
    assert.equal(first.spec?.leaseDurationSeconds, 2);
    // Read back, MicroTime is a string (client-node does not revive it), with six digits.
    assert.match(String(first.spec?.renewTime), /\.\d{6}Z$/);
    assert.match(String(first.spec?.acquireTime), /\.\d{6}Z$/);
    await new Promise((r) => setTimeout(r, 700));
    const later = await readLease('one-leader');
    assert.ok((microTimeMs(later.spec?.renewTime) ?? 0) > (microTimeMs(first.spec?.renewTime) ?? 0), 'the leader renews');
    assert.equal(String(later.spec?.acquireTime), String(first.spec?.acquireTime), 'renewals keep acquireTime');
    await a.stop();
    await b.stop();
    assert.equal(isLeader(), false);
    assert.equal((await leaderGauge.get()).values[0]?.value, 0);
  });

  test('when the leader stops renewing, the other takes over after the lease duration', async () => {
    let aStopped = 0;
    const a = elector('replica-a', 'takeover', { onStoppedLeading: () => aStopped++ });
    assert.equal(await within(a.start(), 5000, 'replica-a to lead'), true);
    const b = elector('replica-b', 'takeover');
    const bLeads = b.start();
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(b.isLeader(), false, 'the follower must not take a lease that is being renewed');
    const acquiredBefore = String((await readLease('takeover')).spec?.acquireTime);

    const stoppedAt = Date.now();
    await a.stop(); // no release: the Lease is left to expire
    assert.equal(await within(bLeads, 6000, 'replica-b to take over'), true);
    const tookMs = Date.now() - stoppedAt;
    // a renewed at most one retry period before it stopped, so the lease ran out ≥ 1.7 s later.
    assert.ok(tookMs >= 1400, `took over after ${tookMs} ms, before the lease could expire`);
    assert.ok(tookMs <= 4500, `took over only after ${tookMs} ms`);
    const lease = await readLease('takeover');
    assert.equal(lease.spec?.holderIdentity, 'replica-b');
    assert.equal(lease.spec?.leaseTransitions, 1);
    assert.notEqual(String(lease.spec?.acquireTime), acquiredBefore, 'a takeover sets a new acquireTime');
    assert.equal(aStopped, 0, 'stop() is not a loss of leadership');
    await b.stop();
  });

  test('release() hands the Lease over at once', async () => {
    const a = elector('replica-a', 'release');
    assert.equal(await within(a.start(), 5000, 'replica-a to lead'), true);
    const b = elector('replica-b', 'release');
    const bLeads = b.start();
    await new Promise((r) => setTimeout(r, 500));
    const releasedAt = Date.now();
    await a.release();
    assert.equal(a.isLeader(), false);
    assert.equal(await within(bLeads, 3000, 'replica-b to take over'), true);
    const tookMs = Date.now() - releasedAt;
    // One follower retry period (plus jitter), far below the 2 s lease duration.
    assert.ok(tookMs < 1200, `takeover after release took ${tookMs} ms`);
    const lease = await readLease('release');
    assert.equal(lease.spec?.holderIdentity, 'replica-b');
    assert.equal(lease.spec?.leaseTransitions, 1);
    await b.release();
    const released = await readLease('release');
    assert.equal(released.spec?.holderIdentity ?? '', '');
    assert.equal(released.spec?.leaseTransitions, 1, 'a release keeps the transition count');
  });

  test('a leader cut off from the API server stops leading within the renew deadline', async () => {
    const proxy = new CuttableProxy(new URL(kc.getCurrentCluster()?.server ?? ''));
    const port = await proxy.listen();
    try {
      let stoppedAt = 0;
      const a = elector('replica-a', 'cut-off', { kubeConfig: viaProxy(port), onStoppedLeading: () => (stoppedAt = Date.now()) });
      assert.equal(await within(a.start(), 5000, 'replica-a to lead'), true);
      let bStartedAt = 0;
      const b = elector('replica-b', 'cut-off', { onStartedLeading: () => (bStartedAt = Date.now()) });
      const bLeads = b.start();
      await new Promise((r) => setTimeout(r, 400));
      const cutAt = Date.now();
      proxy.cut();
      await waitFor(() => stoppedAt > 0, 3000, 'onStoppedLeading');
      assert.equal(a.isLeader(), false);
      const gaveUpMs = stoppedAt - cutAt;
      assert.ok(gaveUpMs <= 1500 + 400, `gave up ${gaveUpMs} ms after the cut; the renew deadline is 1500 ms`);
      assert.equal(await within(bLeads, 6000, 'replica-b to take over'), true);
      // The old leader had stopped before the new one started: never two leaders at once.
      assert.ok(bStartedAt > stoppedAt, 'replica-b started leading before replica-a had stopped');
      assert.equal((await readLease('cut-off')).spec?.holderIdentity, 'replica-b');
      const lines = log.lines().filter((l) => l.identity === 'replica-a' && String(l.lease).endsWith('/cut-off'));
      assert.ok(
        lines.some((l) => l.message === 'renewing the lease failed' && l.level === 'warn'),
        'failed renewals are logged',
      );
      assert.ok(lines.some((l) => l.message === 'lost leadership; stopping' && /no successful renewal/.test(String(l.reason))));
      await b.stop();
    } finally {
      await proxy.close();
    }
  });

  test('rejects timings that would allow two leaders', () => {
    assert.throws(() => elector('x', 'bad', { leaseDurationSeconds: 1, renewDeadlineMs: 1000 }), /renewDeadlineMs/);
    assert.throws(() => elector('x', 'bad', { retryPeriodMs: 1400 }), /retryPeriodMs/);
    assert.throws(() => elector('', 'bad'), /identity/);
  });
});
