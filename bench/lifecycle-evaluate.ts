// The evaluate phase of bench:lifecycle: the CPU cost of the lifecycle engine over a fleet, against
// the cost of something the operator already does for every tenant on every pass (the canonical
// JSON its change detection hashes, and a plain JSON.stringify), timed in the same process in the
// same rounds, so the figure is a ratio that holds on any machine and not only an absolute.
import type { Tenant } from '../src/api/generated/index.js';
import { canonicalJson } from '../src/controller/diff.js';
import { evaluate } from '../src/lifecycle/engine.js';
import type { LifecycleDurations } from '../src/lifecycle/types.js';
import { summarize, type Summary } from './stats.js';

/** Untimed passes of each before the rounds: V8 optimises a hot function in tiers, and the first rounds would time the tiers. */
const WARM_UP_PASSES = 3;

/** One timed pass over the fleet; returns the milliseconds and a value derived from every result (so no work can be skipped). */
type Pass = (fleet: Tenant[]) => { ms: number; sink: number };

function timed(fleet: Tenant[], work: (t: Tenant) => number): { ms: number; sink: number } {
  let sink = 0;
  const start = performance.now();
  for (const t of fleet) sink += work(t);
  return { ms: performance.now() - start, sink };
}

/** Figures of the evaluate phase. */
export interface EvaluateFigures {
  tenants: number;
  rounds: number;
  /** Milliseconds to evaluate the whole fleet, over the rounds. */
  evaluateMs: Summary;
  /** Microseconds per tenant (median round). */
  evaluateUsPerTenant: number;
  /** The baselines, timed over the same fleet in the same rounds. */
  canonicalJsonMs: Summary;
  jsonStringifyMs: Summary;
  /** evaluate ÷ canonicalJson per round: median, min, max. */
  ratioVsCanonicalJson: Summary;
  ratioVsJsonStringify: Summary;
  /** How the fleet evaluated: tenants per lifecycle phase, and how many had invalid input or blocked erasure. */
  phases: Record<string, number>;
  invalidInput: number;
  erasureBlocked: number;
}

/**
 * Times `rounds` passes of evaluate() over the fleet at `now`, each followed by the two baselines
 * over the same tenants (after untimed warm-up passes of each, so all three are timed optimised).
 */
export function measureEvaluate(
  fleet: Tenant[],
  now: Date,
  durations: LifecycleDurations,
  rounds: number,
  progress: (line: string) => void,
): EvaluateFigures {
  const passes: Record<'evaluate' | 'canonical' | 'stringify', Pass> = {
    evaluate: (f) => timed(f, (t) => evaluate(t, now, durations).timeline.length),
    canonical: (f) => timed(f, (t) => canonicalJson(t).length),
    stringify: (f) => timed(f, (t) => JSON.stringify(t).length),
  };
  for (let warm = 0; warm < WARM_UP_PASSES; warm++) for (const pass of Object.values(passes)) pass(fleet);
  const ms = { evaluate: [] as number[], canonical: [] as number[], stringify: [] as number[] };
  for (let r = 1; r <= rounds; r++) {
    for (const [name, pass] of Object.entries(passes) as Array<[keyof typeof passes, Pass]>) ms[name].push(pass(fleet).ms);
    progress(
      `evaluate: round ${r}/${rounds}: evaluate ${ms.evaluate[r - 1]!.toFixed(1)} ms, canonicalJson ${ms.canonical[r - 1]!.toFixed(1)} ms, ` +
        `JSON.stringify ${ms.stringify[r - 1]!.toFixed(1)} ms for ${fleet.length} tenants`,
    );
  }
  const phases: Record<string, number> = {};
  let invalidInput = 0;
  let erasureBlocked = 0;
  for (const t of fleet) {
    const e = evaluate(t, now, durations);
    phases[e.phase] = (phases[e.phase] ?? 0) + 1;
    if (e.problems.length > 0) invalidInput++;
    if (e.erasureBlocked !== null) erasureBlocked++;
  }
  const evaluateMs = summarize(ms.evaluate);
  return {
    tenants: fleet.length,
    rounds,
    evaluateMs,
    evaluateUsPerTenant: Number(((evaluateMs.median * 1000) / fleet.length).toFixed(3)),
    canonicalJsonMs: summarize(ms.canonical),
    jsonStringifyMs: summarize(ms.stringify),
    ratioVsCanonicalJson: summarize(ms.evaluate.map((e, i) => e / ms.canonical[i]!)),
    ratioVsJsonStringify: summarize(ms.evaluate.map((e, i) => e / ms.stringify[i]!)),
    phases,
    invalidInput,
    erasureBlocked,
  };
}
