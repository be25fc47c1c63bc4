// Unit tests of the work queue on a fake clock: deduplication, one worker per key, the dirty
// re-run, backoff growth/cap/jitter, Retry-After, fast conflict retries, delayed work and stop.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import { WorkQueue, type QueueHandler, type ReconcileOutcome, type WorkQueueOptions } from '../../src/runtime/queue.js';
import { backoffCeiling, backoffDelay } from '../../src/runtime/backoff.js';
import type { Clock, Timer } from '../../src/runtime/clock.js';
import { captureGlobalLog, type GlobalCapturedLog } from '../support/log-capture.js';

/** A clock whose time only moves when the test calls advance(); timers fire in due order. */
class FakeClock implements Clock {
  private time = 1_000_000;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.time;
  }

  setTimer(fn: () => void, ms: number): Timer {
    const id = ++this.seq;
    this.timers.set(id, { at: this.time + Math.max(0, ms), fn });
    return { cancel: () => this.timers.delete(id) };
  }

  /** Number of timers not yet fired or cancelled. */
  get pending(): number {
    return this.timers.size;
  }

  /**
   * Moves time forward by `ms`, firing each due timer at its own time, earliest first, and
   * letting the work it starts run before time moves on (so handlers see the time they fired at).
   */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
      await settle();
    }
    this.time = end;
  }
}

/** A promise with its resolve function outside, to hold a handler mid-run. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets pending microtasks and promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

/** An ApiException as @kubernetes/client-node 1.x throws it. */
function apiError(code: number, headers: Record<string, string> = {}): ApiException<string> {
  return new ApiException<string>(code, `HTTP-Code: ${code}`, '{"kind":"Status"}', headers);
}

let clock: FakeClock;
let log: GlobalCapturedLog;

beforeEach(() => {
  clock = new FakeClock();
  log = captureGlobalLog();
});

afterEach(() => log.restore());

/** A queue on the fake clock with deterministic jitter (random = 0.5 unless given). */
function makeQueue(options: WorkQueueOptions = {}): WorkQueue {
  return new WorkQueue({ clock, random: () => 0.5, backoff: { baseMs: 100, maxMs: 1000 }, ...options });
}

/** Records when (on the fake clock) each key was handled; `fail` decides per call whether to throw. */
function recorder(fail: (key: string, call: number) => unknown = () => undefined) {
  const calls: { key: string; at: number }[] = [];
  const handler: QueueHandler = (key) => {
    calls.push({ key, at: clock.now() });
    const err = fail(key, calls.filter((c) => c.key === key).length);
    if (err) throw err;
  };
  return { calls, handler };
}

describe('WorkQueue', () => {
  test('deduplicates a key that is already queued', async () => {
    const q = makeQueue();
    const { calls, handler } = recorder();
    q.add('a');
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.depth, 2);
    q.start(handler);
    await q.drained();
    assert.deepEqual(
      calls.map((c) => c.key),
      ['a', 'b'],
    );
    assert.equal(q.depth, 0);
    await q.stop();
  });

  test('never runs one key on two workers, while other keys run concurrently', async () => {
    const q = makeQueue({ concurrency: 3 });
    const running = new Map<string, number>();
    let maxPerKey = 0;
    let maxTotal = 0;
    const gates: (() => void)[] = [];
    q.start(async (key) => {
      running.set(key, (running.get(key) ?? 0) + 1);
      maxPerKey = Math.max(maxPerKey, ...running.values());
      maxTotal = Math.max(
        maxTotal,
        [...running.values()].reduce((a, b) => a + b, 0),
      );
      const gate = deferred();
      gates.push(gate.resolve);
      await gate.promise;
      running.set(key, (running.get(key) ?? 1) - 1);
    });
    for (let round = 0; round < 4; round++) {
      for (const k of ['x', 'y', 'z', 'w']) q.add(k);
      await settle();
      for (const release of gates.splice(0)) release();
      await settle();
    }
    for (let i = 0; i < 20 && (gates.length > 0 || q.depth > 0); i++) {
      for (const release of gates.splice(0)) release();
      await settle();
    }
    await q.drained();
    assert.equal(maxPerKey, 1, 'a key ran on two workers at once');
    assert.equal(maxTotal, 3, 'the queue should use all three workers, and no more');
    await q.stop();
  });

  test('a key added while it is processed runs exactly once more afterwards', async () => {
    const q = makeQueue();
    const gate = deferred();
    let runs = 0;
    q.start(async () => {
      runs++;
      if (runs === 1) await gate.promise;
    });
    q.add('a');
    await settle();
    assert.equal(runs, 1);
    q.add('a');
    q.add('a');
    q.add('a');
    await settle();
    assert.equal(runs, 1, 'the second run must wait for the first');
    gate.resolve();
    await q.drained();
    assert.equal(runs, 2);
    await q.stop();
  });

  test('backoff grows exponentially and is capped at maxMs', async () => {
    // random just below 1 makes every delay sit at its ceiling minus one millisecond at most.
    const q = makeQueue({ random: () => 0.9999999 });
    const { calls, handler } = recorder(() => new Error('boom'));
    q.add('a');
    q.start(handler);
    await q.drained();
    for (let i = 0; i < 7; i++) {
      await clock.advance(2000);
      await q.drained();
    }
    const gaps = calls.slice(1).map((c, i) => c.at - (calls[i] as { at: number }).at);
    assert.deepEqual(gaps.slice(0, 6), [99, 199, 399, 799, 999, 999]);
    await q.stop();
  });

  test('backoff delays stay within [0, ceiling] for any jitter (full jitter)', () => {
    let seed = 42;
    const random = () => {
      // A small LCG, so the sequence is the same on every run.
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const opts = { baseMs: 50, maxMs: 10_000 };
    const seen = new Set<number>();
    for (let failures = 1; failures <= 20; failures++) {
      const ceiling = backoffCeiling(failures, opts);
      assert.equal(ceiling, Math.min(10_000, 50 * 2 ** (failures - 1)));
      for (let i = 0; i < 200; i++) {
        const d = backoffDelay(failures, opts, random);
        assert.ok(d >= 0 && d <= ceiling, `delay ${d} outside [0, ${ceiling}]`);
        seen.add(Math.floor((d / ceiling) * 10));
      }
    }
    assert.ok(seen.size >= 9, 'jitter should spread delays over the whole range');
    assert.equal(
      backoffDelay(1, opts, () => 0),
      0,
    );
    assert.equal(backoffCeiling(5000, opts), 10_000, 'huge failure counts must not overflow');
  });

  test('the failure count of a key resets after a success', async () => {
    const q = makeQueue({ random: () => 0.9999999 });
    // Fail on calls 1-3, succeed on 4, fail again on 5 and 6.
    const { calls, handler } = recorder((_k, n) => (n === 4 ? undefined : new Error('boom')));
    q.add('a');
    q.start(handler);
    await q.drained();
    for (let i = 0; i < 3; i++) {
      await clock.advance(2000);
      await q.drained();
    }
    assert.equal(calls.length, 4);
    q.add('a');
    await q.drained();
    await clock.advance(2000);
    await q.drained();
    const gap = (calls[5] as { at: number }).at - (calls[4] as { at: number }).at;
    assert.equal(gap, 99, 'after a success the next failure starts again at the base delay');
    await q.stop();
  });

  test('a failing key waiting out its backoff ignores add(), and the failure is logged', async () => {
    const q = makeQueue({ random: () => 0.9999999 });
    const { calls, handler } = recorder((_k, n) => (n === 1 ? new Error('database unreachable') : undefined));
    q.add('tenant-a');
    q.start(handler);
    await q.drained();
    q.add('tenant-a');
    await q.drained();
    assert.equal(calls.length, 1, 'add() during backoff must not bypass it');
    await clock.advance(99);
    await q.drained();
    assert.equal(calls.length, 2);
    const warn = log.lines().find((l) => l.level === 'warn');
    assert.ok(warn, 'the failure must be logged');
    assert.equal(warn.item, 'tenant-a');
    assert.match(JSON.stringify(warn.err), /database unreachable/);
    await q.stop();
  });

  test('a 429 with Retry-After waits as long as the server asks (seconds and HTTP date)', async () => {
    const q = makeQueue({ random: () => 0 });
    const date = new Date(clock.now() + 12_000).toUTCString();
    const { calls, handler } = recorder((_k, n) =>
      n === 1 ? apiError(429, { 'retry-after': '7' }) : n === 2 ? apiError(429, { 'Retry-After': date }) : undefined,
    );
    q.add('a');
    q.start(handler);
    await q.drained();
    await clock.advance(6999);
    await q.drained();
    assert.equal(calls.length, 1, 'must not retry before Retry-After');
    await clock.advance(1);
    await q.drained();
    assert.equal(calls.length, 2);
    await clock.advance(20_000);
    await q.drained();
    assert.equal(calls.length, 3);
    // The date form names the moment itself (one-second resolution; the fake clock starts on a whole second).
    assert.equal((calls[2] as { at: number }).at, Date.parse(date));
    await q.stop();
  });

  test('Retry-After is a floor: a longer jittered backoff still applies', async () => {
    const q = makeQueue({ random: () => 0.9999999, backoff: { baseMs: 5000, maxMs: 5000 } });
    const { calls, handler } = recorder((_k, n) => (n === 1 ? apiError(429, { 'retry-after': '1' }) : undefined));
    q.add('a');
    q.start(handler);
    await q.drained();
    await clock.advance(10_000);
    await q.drained();
    assert.equal((calls[1] as { at: number }).at - (calls[0] as { at: number }).at, 4999);
    await q.stop();
  });

  test('a 409 conflict requeues after the short fixed delay, then falls back to backoff', async () => {
    const outcomes: ReconcileOutcome[] = [];
    const { calls, handler } = recorder((_k, n) => (n <= 3 ? apiError(409) : undefined));
    const q2 = makeQueue({ random: () => 0.9999999, conflictDelayMs: 20, fastConflictRetries: 2, onResult: (o) => outcomes.push(o) });
    q2.add('a');
    q2.start(handler);
    await q2.drained();
    for (let i = 0; i < 3; i++) {
      await clock.advance(1000);
      await q2.drained();
    }
    const gaps = calls.slice(1).map((c, i) => c.at - (calls[i] as { at: number }).at);
    assert.deepEqual(gaps, [20, 20, 399], 'two fast conflict retries, then backoff for the third failure');
    assert.deepEqual(outcomes, ['conflict', 'conflict', 'conflict', 'success']);
    assert.ok(
      log.lines().some((l) => l.level === 'debug'),
      'fast conflict retries log at debug level',
    );
    await q2.stop();
  });

  test('addAfter: the earliest pending time wins', async () => {
    const q = makeQueue();
    const { calls, handler } = recorder();
    q.start(handler);
    q.addAfter('a', 5000);
    q.addAfter('a', 1000);
    q.addAfter('a', 3000);
    await clock.advance(999);
    await q.drained();
    assert.equal(calls.length, 0);
    await clock.advance(1);
    await q.drained();
    assert.equal(calls.length, 1);
    await clock.advance(10_000);
    await q.drained();
    assert.equal(calls.length, 1, 'the later times were superseded, not kept');
    assert.equal(clock.pending, 0);
    await q.stop();
  });

  test('add() runs a key scheduled for later right away', async () => {
    const q = makeQueue();
    const { calls, handler } = recorder();
    q.start(handler);
    q.addAfter('a', 60 * 60_000);
    q.add('a');
    await q.drained();
    assert.equal(calls.length, 1, 'an edit must not wait for a deadline an hour away');
    await q.stop();
  });

  test('a handler asking for requeueAfterMs runs again after that delay', async () => {
    const q = makeQueue();
    const times: number[] = [];
    q.start(() => {
      times.push(clock.now());
      return times.length < 3 ? { requeueAfterMs: 250 } : undefined;
    });
    q.add('a');
    await q.drained();
    await clock.advance(250);
    await q.drained();
    await clock.advance(250);
    await q.drained();
    await clock.advance(1000);
    await q.drained();
    assert.deepEqual(
      times.map((t) => t - (times[0] as number)),
      [0, 250, 500],
    );
    await q.stop();
  });

  test('depth counts ready keys and is reported on change', async () => {
    const depths: number[] = [];
    const q = makeQueue({ concurrency: 1, onDepthChange: (d) => depths.push(d) });
    q.add('a');
    q.add('b');
    q.add('c');
    assert.equal(q.depth, 3);
    q.start(() => undefined);
    await q.drained();
    assert.equal(q.depth, 0);
    assert.deepEqual(depths.slice(0, 3), [1, 2, 3]);
    assert.equal(depths.at(-1), 0);
    await q.stop();
  });

  test('stop() waits for in-flight work, cancels timers and ignores later adds', async () => {
    const q = makeQueue();
    const gate = deferred();
    let finished = false;
    let runs = 0;
    q.start(async (key) => {
      runs++;
      if (key === 'slow') {
        await gate.promise;
        finished = true;
      }
    });
    q.add('slow');
    q.addAfter('later', 5000);
    await settle();
    let stopped = false;
    const stopping = q.stop().then(() => (stopped = true));
    await settle();
    assert.equal(stopped, false, 'stop() must wait for the running handler');
    gate.resolve();
    await stopping;
    assert.equal(finished, true);
    assert.equal(clock.pending, 0, 'pending timers must be cancelled');
    q.add('x');
    q.addAfter('y', 10);
    await clock.advance(10_000);
    await settle();
    assert.equal(runs, 1);
    await q.drained();
  });

  test('a synchronous throw and a rejected promise are both retried', async () => {
    const q = makeQueue({ random: () => 0 });
    let n = 0;
    q.start(async (key) => {
      n++;
      if (key === 'sync' && n < 3) throw new Error('sync');
      if (n < 3) await Promise.reject(new Error('async'));
    });
    q.add('sync');
    await q.drained();
    await clock.advance(1);
    await q.drained();
    await clock.advance(1);
    await q.drained();
    assert.equal(n, 3);
    await q.stop();
  });

  test('rejects invalid options', () => {
    assert.throws(() => new WorkQueue({ concurrency: 0 }), /concurrency/);
    assert.throws(() => new WorkQueue({ backoff: { baseMs: 10, maxMs: 5 } }), /backoff/);
    const q = makeQueue();
    q.start(() => undefined);
    assert.throws(() => q.start(() => undefined), /already started/);
    return q.stop();
  });
});
