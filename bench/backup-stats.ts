// bench:backup's summary of several rounds: every number of a round's result, however deeply
// nested, becomes its minimum, median and maximum over the rounds; what is not a number stays as
// it is when every round agrees and becomes the list of the rounds' values when they differ. Pure,
// so that what the README quotes is decided here and tested without a benchmark run.
import { summarize } from './stats.js';

/** The spread of one figure over the rounds. */
export class Spread {
  constructor(
    readonly min: number,
    /** The middle value; of an even count, the mean of the two middle values. */
    readonly median: number,
    readonly max: number,
    /** Rounds where the figure was not a finite number (NaN, absent): left out of min, median and max. Only when some were. */
    readonly missing?: number,
  ) {}
}

/** A figure of the summary: a spread, a nested object or list of figures, or a non-numeric value. */
export type Summary = Spread | SummaryObject | Summary[] | string | boolean | null | unknown[];
export interface SummaryObject {
  [key: string]: Summary;
}

/** Min, median and max of the finite numbers among `values`; NaN for all three when there is none. */
export function spread(values: unknown[]): Spread {
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const missing = values.length - finite.length;
  if (finite.length === 0) return new Spread(NaN, NaN, NaN, missing);
  // Four decimals: the mean of two middle values adds float noise (45.6 and 45.7 give 45.650000000000006).
  const s = summarize(finite, 4);
  return new Spread(s.min, s.median, s.max, missing > 0 ? missing : undefined);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isAbsent = (v: unknown) => v === undefined || v === null;

/** Summarises the same figure (at the same place in each round's result) over the rounds. */
export function summarizeRounds(values: unknown[]): Summary {
  const present = values.filter((v) => !isAbsent(v));
  if (present.length === 0) return null;
  if (present.every((v) => typeof v === 'number')) return spread(values);
  if (present.every(isPlainObject)) {
    const keys = [...new Set(present.flatMap((v) => Object.keys(v)))];
    return Object.fromEntries(keys.map((k) => [k, summarizeRounds(values.map((v) => (isPlainObject(v) ? v[k] : undefined)))]));
  }
  if (present.every(Array.isArray)) {
    const length = Math.max(...present.map((v) => v.length));
    return Array.from({ length }, (_, i) => summarizeRounds(values.map((v) => (Array.isArray(v) ? (v[i] as unknown) : undefined))));
  }
  const first = JSON.stringify(values[0] ?? null);
  if (values.every((v) => JSON.stringify(v ?? null) === first)) return (values[0] ?? null) as Summary;
  return values.map((v) => v ?? null);
}

/** The summary with each spread replaced by its median: the shape of one round's result, with medians. */
export function mediansOf(s: Summary): unknown {
  if (s instanceof Spread) return s.median;
  if (Array.isArray(s)) return s.map((v) => mediansOf(v as Summary));
  if (isPlainObject(s)) return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, mediansOf(v)]));
  return s;
}
