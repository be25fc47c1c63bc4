// The clock and timers of the controller runtime, injected so unit tests move time by hand
// instead of sleeping (house style: time is injected).

/** A scheduled callback that can be cancelled before it runs. */
export interface Timer {
  /** Cancels the callback; a no-op once it has run. */
  cancel(): void;
}

/** The source of time and timers the queue, informer and leader elector use. */
export interface Clock {
  /** Milliseconds since the epoch, like `Date.now()`. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds. */
  setTimer(fn: () => void, ms: number): Timer;
}

/** The wall clock and Node timers. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const handle = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(handle) };
  },
};
