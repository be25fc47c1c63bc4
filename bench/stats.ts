// Order statistics of a benchmark's samples: rounds of one measurement, or one delay per tenant.

/** Median, nearest-rank 95th percentile, min and max of the samples (NaN for none), rounded to `digits`. */
export interface Summary {
  median: number;
  p95: number;
  min: number;
  max: number;
}

/** The value at quantile `q` (0..1) of sorted samples, by nearest rank; the median of an even count is the mean of the middle two. */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  if (q === 0.5 && sorted.length % 2 === 0) return (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Summarises the samples. */
export function summarize(samples: number[], digits = 3): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const r = (n: number) => Number(n.toFixed(digits));
  return {
    median: r(quantile(sorted, 0.5)),
    p95: r(quantile(sorted, 0.95)),
    min: r(sorted[0] ?? NaN),
    max: r(sorted[sorted.length - 1] ?? NaN),
  };
}
