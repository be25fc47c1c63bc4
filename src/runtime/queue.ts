// The work queue between informers and reconcilers. Keys (e.g. "namespace/name") are deduplicated,
// a key is never handled by two workers at once, failures are retried with jittered exponential
// backoff (or when the API server's Retry-After says), conflicts are retried quickly, and
// time-based work is scheduled per key. Time and randomness are injected so tests are exact.
import { getLogger } from '../log.js';
import { backoffDelay, validateBackoff, type BackoffOptions } from './backoff.js';
import { isConflict, retryAfterMs } from './api-errors.js';
import { realClock, type Clock, type Timer } from './clock.js';

/** What a handler returns: nothing when done, or a delay after which the key runs again. */
export type HandlerResult = { requeueAfterMs?: number } | void;

/** Handles one key; throwing schedules a retry with backoff. */
export type QueueHandler = (key: string) => HandlerResult | Promise<HandlerResult>;

/** How one run of the handler ended, as reported to `onResult` (and the reconcile metric). */
export type ReconcileOutcome = 'success' | 'requeue' | 'conflict' | 'error';

/** Options of a WorkQueue; every field has a default. */
export interface WorkQueueOptions {
  /** Name in log lines, e.g. "tenants". */
  name?: string;
  /** Keys handled at the same time (never the same key twice). Default 4. */
  concurrency?: number;
  /** Retry backoff after failures. Default base 1 s, max 5 min. */
  backoff?: BackoffOptions;
  /** Delay before retrying after a 409 Conflict. Default 250 ms. */
  conflictDelayMs?: number;
  /** Consecutive failures of a key up to which a conflict retries after conflictDelayMs (then backoff). Default 5. */
  fastConflictRetries?: number;
  /** Clock and timers. Default the real ones. */
  clock?: Clock;
  /** Uniform random number in [0, 1) for jitter. Default Math.random. */
  random?: () => number;
  /** Fields every log line about a key carries, e.g. `(key) => ({ tenant: key })`. Default `{ item: key }`. */
  logFields?: (key: string) => Record<string, unknown>;
  /** Called when `depth` changes, e.g. `(n) => queueDepth.set(n)`. */
  onDepthChange?: (depth: number) => void;
  /** Called after every run of the handler, e.g. to observe `reconcileDurationSeconds`. */
  onResult?: (outcome: ReconcileOutcome, seconds: number, key: string) => void;
}

/** Why a key is waiting for a timer: a failure's backoff, or work requested for later. */
type WaitReason = 'retry' | 'scheduled';

interface Waiting {
  at: number;
  timer: Timer;
  reason: WaitReason;
}

const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 5 * 60_000 };

/** A deduplicating, per-key exclusive work queue with backoff, Retry-After and delayed work. */
export class WorkQueue {
  private readonly name: string;
  private readonly concurrency: number;
  private readonly backoff: BackoffOptions;
  private readonly conflictDelayMs: number;
  private readonly fastConflictRetries: number;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly logFields: (key: string) => Record<string, unknown>;
  private readonly onDepthChange: ((depth: number) => void) | undefined;
  private readonly onResult: WorkQueueOptions['onResult'];

  /** Keys ready for a worker, in arrival order; `readySet` mirrors it for O(1) lookups. */
  private readonly ready: string[] = [];
  private readonly readySet = new Set<string>();
  /** At most one timer per key: the earliest time it is due. */
  private readonly waiting = new Map<string, Waiting>();
  private readonly processing = new Set<string>();
  /** Keys added while being processed: they run once more when the current run ends. */
  private readonly dirty = new Set<string>();
  /** Consecutive failures per key; deleted on success. */
  private readonly failures = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly drainWaiters: (() => void)[] = [];
  private handler: QueueHandler | undefined;
  private state: 'idle' | 'running' | 'stopped' = 'idle';
  private pumpScheduled = false;
  private reportedDepth = -1;

  /** Creates a queue; nothing runs until start(). */
  constructor(options: WorkQueueOptions = {}) {
    this.name = options.name ?? 'queue';
    this.concurrency = options.concurrency ?? 4;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new Error(`work queue ${this.name}: concurrency must be a positive integer (got ${this.concurrency})`);
    }
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    validateBackoff(this.backoff, `work queue ${this.name}`);
    this.conflictDelayMs = options.conflictDelayMs ?? 250;
    this.fastConflictRetries = options.fastConflictRetries ?? 5;
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    this.logFields = options.logFields ?? ((key) => ({ item: key }));
    this.onDepthChange = options.onDepthChange;
    this.onResult = options.onResult;
  }

  /** Number of keys ready and waiting for a worker (not counting delayed or in-flight keys). */
  get depth(): number {
    return this.ready.length;
  }

  /**
   * Queues a key to run as soon as a worker is free. A no-op if it is already queued or waiting
   * out a failure's backoff; marks it dirty (one more run afterwards) if it is being processed.
   * A key only scheduled for later by addAfter runs now: an edit must not wait for a deadline.
   */
  add(key: string): void {
    if (this.state === 'stopped') return;
    if (this.waiting.get(key)?.reason === 'retry') return;
    this.makeReady(key);
  }

  /** Queues a key after `ms` milliseconds; if it is already due earlier, the earliest time wins. */
  addAfter(key: string, ms: number): void {
    if (this.state === 'stopped') return;
    if (!(ms > 0)) {
      this.add(key);
      return;
    }
    this.schedule(key, ms, 'scheduled');
  }

  /** Drops a key's pending timer and failure count, e.g. once its object is deleted. */
  forget(key: string): void {
    this.waiting.get(key)?.timer.cancel();
    this.waiting.delete(key);
    this.failures.delete(key);
  }

  /** Starts handing keys to `handler`, up to `concurrency` at a time. */
  start(handler: QueueHandler): void {
    if (this.state !== 'idle') throw new Error(`work queue ${this.name} was already started`);
    this.handler = handler;
    this.state = 'running';
    this.schedulePump();
  }

  /** Stops taking work, cancels timers and resolves once the runs in flight have finished. */
  async stop(): Promise<void> {
    if (this.state !== 'stopped') {
      this.state = 'stopped';
      for (const w of this.waiting.values()) w.timer.cancel();
      this.waiting.clear();
      this.ready.length = 0;
      this.readySet.clear();
      this.reportDepth();
    }
    await Promise.allSettled([...this.inFlight]);
    this.checkDrained();
  }

  /** Resolves when no key is ready or in flight (keys delayed for later do not count); for tests. */
  drained(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return !this.pumpScheduled && this.processing.size === 0 && (this.ready.length === 0 || this.state === 'stopped');
  }

  private checkDrained(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  private makeReady(key: string): void {
    if (this.state === 'stopped') return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.readySet.has(key)) return;
    this.readySet.add(key);
    this.ready.push(key);
    this.reportDepth();
    this.schedulePump();
  }

  private schedule(key: string, ms: number, reason: WaitReason): void {
    if (this.state === 'stopped') return;
    const at = this.clock.now() + ms;
    const current = this.waiting.get(key);
    if (current && current.at <= at) return;
    current?.timer.cancel();
    const entry: Waiting = { at, reason, timer: { cancel: () => undefined } };
    entry.timer = this.clock.setTimer(() => {
      // A replaced entry's timer was cancelled, but a fake or racing timer must not fire it twice.
      if (this.waiting.get(key) !== entry) return;
      this.waiting.delete(key);
      this.makeReady(key);
    }, ms);
    this.waiting.set(key, entry);
  }

  /** Starts workers on the next microtask, so add() never runs a handler inside the caller's stack. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => this.pump());
  }

  private pump(): void {
    this.pumpScheduled = false;
    const handler = this.handler;
    if (this.state === 'running' && handler) {
      while (this.processing.size < this.concurrency && this.ready.length > 0) {
        const key = this.ready.shift() as string;
        this.readySet.delete(key);
        this.processing.add(key);
        const run: Promise<void> = this.process(key, handler)
          // process() handles the handler's errors; this catches a failure of the queue itself
          // (e.g. a throwing logFields), which would otherwise be an unhandled rejection.
          .catch((err: unknown) => {
            getLogger().error('work queue failed to process a key', { queue: this.name, item: key, err });
          })
          .finally(() => this.inFlight.delete(run));
        this.inFlight.add(run);
      }
      this.reportDepth();
    }
    this.checkDrained();
  }

  private async process(key: string, handler: QueueHandler): Promise<void> {
    const started = this.clock.now();
    let outcome: ReconcileOutcome;
    try {
      const result = await handler(key);
      this.failures.delete(key);
      const after = result ? result.requeueAfterMs : undefined;
      outcome = after === undefined ? 'success' : 'requeue';
      if (after !== undefined) this.addAfter(key, after);
    } catch (err) {
      outcome = isConflict(err) ? 'conflict' : 'error';
      this.retry(key, err, outcome);
    } finally {
      this.processing.delete(key);
      if (this.dirty.delete(key)) this.makeReady(key);
      this.schedulePump();
    }
    this.report(outcome, (this.clock.now() - started) / 1000, key);
  }

  /** Schedules the retry of a failed key; the retry also covers changes seen during the run. */
  private retry(key: string, err: unknown, outcome: ReconcileOutcome): void {
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    const delayMs = this.retryDelay(err, failures);
    this.dirty.delete(key);
    const fields = { queue: this.name, ...this.logFields(key), failures, retryInMs: delayMs, err };
    if (outcome === 'conflict' && failures <= this.fastConflictRetries) {
      getLogger().debug('conflict while handling key; retrying soon', fields);
    } else {
      getLogger().warn('handling key failed; retrying with backoff', fields);
    }
    this.schedule(key, delayMs, 'retry');
  }

  /** Returns how long a failed key waits: Retry-After if the server sent one, a short delay for conflicts, else backoff. */
  private retryDelay(err: unknown, failures: number): number {
    const backoff = backoffDelay(failures, this.backoff, this.random);
    const serverDelay = retryAfterMs(err, this.clock.now());
    // Never sooner than the server asked; the jittered backoff, when longer, spreads the keys.
    if (serverDelay !== undefined) return Math.max(serverDelay, backoff);
    if (isConflict(err) && failures <= this.fastConflictRetries) return this.conflictDelayMs;
    return backoff;
  }

  private report(outcome: ReconcileOutcome, seconds: number, key: string): void {
    if (!this.onResult) return;
    try {
      this.onResult(outcome, seconds, key);
    } catch (err) {
      getLogger().error('work queue onResult callback failed', { queue: this.name, ...this.logFields(key), err });
    }
  }

  private reportDepth(): void {
    const depth = this.ready.length;
    if (depth === this.reportedDepth || !this.onDepthChange) return;
    this.reportedDepth = depth;
    try {
      this.onDepthChange(depth);
    } catch (err) {
      getLogger().error('work queue onDepthChange callback failed', { queue: this.name, err });
    }
  }
}
