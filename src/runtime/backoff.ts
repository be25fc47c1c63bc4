// Exponential backoff with "full jitter" (AWS architecture blog, 2015): the delay is uniform in
// [0, min(max, base·2^(n-1))], so replicas and keys that failed together do not retry together.

/** The growth parameters of a backoff. */
export interface BackoffOptions {
  /** Ceiling of the first retry's delay. */
  baseMs: number;
  /** Ceiling no delay exceeds, however many failures. */
  maxMs: number;
}

/** Returns the ceiling of the delay after `failures` consecutive failures (1 = the first). */
export function backoffCeiling(failures: number, { baseMs, maxMs }: BackoffOptions): number {
  // The exponent is clamped so 2^n cannot overflow to Infinity after thousands of failures.
  const exponent = Math.min(Math.max(failures, 1) - 1, 52);
  return Math.min(maxMs, baseMs * 2 ** exponent);
}

/** Returns a fully jittered delay (0 ≤ delay ≤ ceiling) after `failures` consecutive failures. */
export function backoffDelay(failures: number, options: BackoffOptions, random: () => number): number {
  return Math.floor(random() * backoffCeiling(failures, options));
}

/** Throws when backoff options cannot produce sensible delays. */
export function validateBackoff({ baseMs, maxMs }: BackoffOptions, what: string): void {
  if (!(Number.isFinite(baseMs) && baseMs > 0 && Number.isFinite(maxMs) && maxMs >= baseMs)) {
    throw new Error(`${what}: backoff needs 0 < baseMs <= maxMs (got baseMs=${baseMs}, maxMs=${maxMs})`);
  }
}
