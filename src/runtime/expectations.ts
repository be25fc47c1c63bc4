// Remembers the writes whose watch events have not reached the cache yet. Right after an apply,
// the next pass (triggered by another object's event) still sees the old cached copy; without
// this it would apply the same manifest again, a write that changes nothing.
/** How long an expectation is trusted if its watch event never arrives (e.g. a missed watch). */
export const EXPECTATION_TTL_MS = 30_000;

interface Expectation {
  hash: string;
  resourceVersion: string;
  at: number;
}

/**
 * Reports whether resourceVersion `a` is known to be later than `b`. Kubernetes calls them opaque,
 * but the API server's are etcd revisions (decimal integers); anything else compares as unknown.
 */
export function isNewer(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) > BigInt(b);
}

/** Written-but-not-yet-observed objects, keyed by object key. */
export class Expectations {
  private readonly pending = new Map<string, Expectation>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Records that we wrote `key` with the manifest hash `hash`, and the server answered
   * `resourceVersion`. `cachedResourceVersion` is what the cache holds as the answer arrives: the
   * watch event can come before the write's own response, and then nothing is pending. (Asking
   * the cache, rather than remembering the last event of every object, keeps no per-object state
   * beyond the writes in flight.)
   */
  wrote(key: string, hash: string, resourceVersion: string | undefined, cachedResourceVersion?: string): void {
    if (!resourceVersion || cachedResourceVersion === resourceVersion || isNewer(cachedResourceVersion, resourceVersion)) return;
    this.pending.set(key, { hash, resourceVersion, at: this.now() });
  }

  /** Called for every cache event: once the cache holds our write (or anything later), the expectation is fulfilled. */
  observed(key: string, resourceVersion: string | undefined): void {
    const e = this.pending.get(key);
    if (e && (e.resourceVersion === resourceVersion || isNewer(resourceVersion, e.resourceVersion))) this.pending.delete(key);
  }

  /** Called when the object is deleted: whatever we wrote is gone, so the next pass must write again. */
  deleted(key: string): void {
    this.pending.delete(key);
  }

  /**
   * Reports whether a write of `hash` to `key` is already on its way to the cache, so writing it
   * again changes nothing. `cachedResourceVersion` is what the cache holds now: a cached copy newer
   * than our write (a hand edit after it, or a re-list that skipped our event) ends the trust, so
   * a stale expectation can never hold back a drift repair.
   */
  satisfiedBy(key: string, hash: string, cachedResourceVersion?: string): boolean {
    const e = this.pending.get(key);
    if (!e) return false;
    if (this.now() - e.at > EXPECTATION_TTL_MS || isNewer(cachedResourceVersion, e.resourceVersion)) {
      this.pending.delete(key);
      return false;
    }
    return e.hash === hash;
  }

  /** Number of writes still waiting for their watch event (for tests and metrics). */
  get size(): number {
    return this.pending.size;
  }
}
