// The restore time of a large tenant, projected from a measured restore: the per-byte time of the
// measured run, scaled to the target size, plus the fixed cost of one restore (process start, KMS,
// manifest, scratch database, swap). The fixed cost is measured on an almost empty tenant and
// taken out of the per-byte time first, since a 500 GB restore pays it once, not once per GiB.

/** Seconds to restore `targetBytes`, from a restore of `bytes` in `seconds` whose fixed part is `fixedSeconds` (NaN: unknown). */
export function projectedRestoreSeconds(targetBytes: number, bytes: number, seconds: number, fixedSeconds: number): number {
  if (!(bytes > 0) || !(seconds > 0)) throw new RangeError(`a projection needs a measured restore, not ${bytes} bytes in ${seconds} s`);
  // An unknown fixed cost, or one no smaller than the whole run (a noisy tiny run): scale the whole run, the pessimistic reading.
  const fixed = Number.isFinite(fixedSeconds) && fixedSeconds >= 0 && fixedSeconds < seconds ? fixedSeconds : 0;
  return ((seconds - fixed) / bytes) * targetBytes + fixed;
}
