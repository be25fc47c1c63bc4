// The lifecycle engine (P9): from a Tenant and an instant, the phase, the reason, the erase time,
// the next step and the whole timeline. Pure: no clock, no I/O, no randomness, so that the
// reconciler, the sweep and `tenantry lifecycle explain` give the same answer for the same input.
//
// How the rules combine: each rule is a step function of time (rules.ts); at every instant the
// furthest phase of all rules holds, and the earliest erase time of all rules is the tenant's.
// On top of the rules:
// - A deleted Tenant is Closed at once and erased at its rules' erase time, or deletionGraceDays
//   after its deletion where no rule gives one.
// - The erase-now annotation makes erasure due at once.
// - Deletion protection and invalid input remove every Erasing step (the phase stays the one
//   before); eraseAt still shows when erasure would be due, and erasureBlocked says why not.
// - Once erasure began (status.lifecycle.erasure.startedAt, or a recorded phase Erasing/Erased)
//   the phase is Erasing (or Erased) whatever the spec says now, deletion protection set later
//   included: a half-erased tenant cannot be put back, so the erasure runs to its end.
import type { Tenant, TenantStatusLifecycle } from '../api/generated/index.js';
import { readFacts, type LifecycleFacts } from './input.js';
import { planRules, ruleEraseAt, type Rule, type Step } from './rules.js';
import { addDays, formatRfc3339 } from './timestamps.js';
import {
  DEFAULT_DURATIONS,
  ErasureBlock,
  LIFECYCLE_PHASES,
  LifecycleReason,
  type ErasureBlockName,
  type LifecycleDurations,
  type LifecycleEvaluation,
  type LifecyclePhase,
  type LifecycleReasonName,
  type TimelineEntry,
} from './types.js';

const rank = (phase: LifecyclePhase): number => LIFECYCLE_PHASES.indexOf(phase);
const time = (d: Date | null): number => (d === null ? Number.NEGATIVE_INFINITY : d.getTime());

function earliest(dates: (Date | undefined)[]): Date | null {
  let best: Date | null = null;
  for (const d of dates) if (d !== undefined && (best === null || d.getTime() < best.getTime())) best = d;
  return best;
}

/** The state `rule` gives at instant `t` (the initial state at -infinity). */
function stateAt(rule: Rule, t: number): TimelineEntry {
  let state: TimelineEntry = { ...rule.initial, at: null };
  for (const step of rule.steps) if (step.at.getTime() <= t) state = { ...step };
  return state;
}

/** The combined state at `t`: the furthest phase; on a tie the state that began first, then the rule listed first. */
function combinedAt(rules: Rule[], t: number): TimelineEntry {
  let best: TimelineEntry = { phase: 'Active', reason: LifecycleReason.Paid, at: null };
  let bestRank = -1;
  for (const rule of rules) {
    const s = stateAt(rule, t);
    if (rank(s.phase) > bestRank || (rank(s.phase) === bestRank && time(s.at) < time(best.at))) {
      best = s;
      bestRank = rank(s.phase);
    }
  }
  return best;
}

/** The combined timeline: the state before any step, then every instant where phase or reason changes. */
function timelineOf(rules: Rule[]): TimelineEntry[] {
  const instants = [...new Set(rules.flatMap((r) => r.steps.map((s) => s.at.getTime())))].sort((a, b) => a - b);
  const first = combinedAt(rules, Number.NEGATIVE_INFINITY);
  const timeline: TimelineEntry[] = [{ phase: first.phase, reason: first.reason, at: null }];
  for (const t of instants) {
    const s = combinedAt(rules, t);
    const last = timeline[timeline.length - 1]!;
    if (s.phase !== last.phase || s.reason !== last.reason) timeline.push({ phase: s.phase, reason: s.reason, at: new Date(t) });
  }
  return timeline;
}

/** All rules of the tenant, before any blocking: the invalid-input marker, spec.suspend, the plan, deletion, erase-now. */
function allRules(f: LifecycleFacts, now: Date, d: LifecycleDurations): Rule[] {
  const rules: Rule[] = [];
  if (f.problems.length > 0) rules.push({ initial: { phase: 'Active', reason: LifecycleReason.InvalidInput }, steps: [] });
  if (f.suspend) rules.push({ initial: { phase: 'Suspended', reason: LifecycleReason.SuspendedBySpec }, steps: [] });
  rules.push(...planRules(f, d));
  const ruleErase = earliest(rules.map(ruleEraseAt));
  if (f.deletedAt !== undefined) {
    // A deletion stamped ahead of `now` (clock skew) has still happened: Closed from now at the latest.
    const closedAt = f.deletedAt.getTime() <= now.getTime() ? f.deletedAt : now;
    const steps: Step[] = [{ phase: 'Closed', reason: LifecycleReason.Deleted, at: closedAt }];
    if (ruleErase === null)
      steps.push({ phase: 'Erasing', reason: LifecycleReason.Deleted, at: addDays(f.deletedAt, d.deletionGraceDays) });
    rules.push({ initial: { phase: 'Active', reason: LifecycleReason.Deleted }, steps });
  }
  if (f.eraseNow !== undefined)
    rules.push({
      initial: { phase: 'Active', reason: LifecycleReason.EraseNow },
      steps: [{ phase: 'Erasing', reason: LifecycleReason.EraseNow, at: now }],
    });
  return rules;
}

/** The rules with every Erasing step removed: the phase stays the one before erasure. */
function withoutErasure(rules: Rule[]): Rule[] {
  return rules.map((r) => ({ initial: r.initial, steps: r.steps.filter((s) => s.phase !== 'Erasing') }));
}

const REASONS = new Set<string>(Object.values(LifecycleReason));

/** The reason recorded when erasure began (its trigger may carry a ticket: `EraseNow: TICKET-1`). */
function recordedReason(f: LifecycleFacts, fallback: LifecycleReasonName): LifecycleReasonName {
  const word = f.recordedReason?.split(/[:\s]/, 1)[0] ?? '';
  return REASONS.has(word) ? (word as LifecycleReasonName) : fallback;
}

/** Erasure began: Erasing (or Erased) from its start, whatever the rules say now. */
function begun(f: LifecycleFacts, rules: Rule[], now: Date, eraseAt: Date | null): LifecycleEvaluation {
  const startedAt = f.erasureStartedAt ?? f.recordedSince ?? now;
  const before = timelineOf(withoutErasure(rules)).filter((e) => time(e.at) < startedAt.getTime());
  const erasing = combinedAt(rules, startedAt.getTime());
  const reason = recordedReason(
    f,
    erasing.phase === 'Erasing' ? erasing.reason : (before[before.length - 1]?.reason ?? LifecycleReason.Deleted),
  );
  const timeline: TimelineEntry[] = [...before, { phase: 'Erasing', reason, at: startedAt }];
  if (f.erased) timeline.push({ phase: 'Erased', reason, at: f.erasedAt ?? startedAt });
  const last = timeline[timeline.length - 1]!;
  return {
    phase: last.phase,
    reason,
    since: last.at,
    eraseAt: eraseAt ?? startedAt,
    next: null,
    erasureBlocked: null,
    problems: f.problems,
    timeline,
  };
}

/**
 * Evaluates the lifecycle of `tenant` at `now` with `durations` (MISSION.md's by default). A step
 * is due at its instant: at T the new phase holds, at T - 1 ms the old one.
 */
export function evaluate(tenant: Tenant, now: Date, durations: LifecycleDurations = DEFAULT_DURATIONS): LifecycleEvaluation {
  const facts = readFacts(tenant);
  const rules = allRules(facts, now, durations);
  const eraseAt = earliest(rules.map(ruleEraseAt));
  if (facts.erasureBegan) return begun(facts, rules, now, eraseAt);
  const blocked: ErasureBlockName | null = facts.deletionProtection
    ? ErasureBlock.DeletionProtection
    : facts.problems.length > 0
      ? ErasureBlock.InvalidInput
      : null;
  const timeline = timelineOf(blocked === null ? rules : withoutErasure(rules));
  let index = 0;
  while (index + 1 < timeline.length && time(timeline[index + 1]!.at) <= now.getTime()) index++;
  const current = timeline[index]!;
  let start = index;
  while (start > 0 && timeline[start - 1]!.phase === current.phase) start--;
  const upcoming = timeline.slice(index + 1).find((e) => e.phase !== current.phase);
  return {
    phase: current.phase,
    reason: current.reason,
    since: timeline[start]!.at,
    eraseAt,
    next: upcoming?.at ? { phase: upcoming.phase, at: upcoming.at } : null,
    erasureBlocked: eraseAt === null ? null : blocked,
    problems: facts.problems,
    timeline,
  };
}

/** The evaluation in the shape of status.lifecycle; erasure progress and the receipt are the operator's and not set here. */
export function toStatus(evaluation: LifecycleEvaluation): TenantStatusLifecycle {
  const status: TenantStatusLifecycle = { phase: evaluation.phase, reason: evaluation.reason };
  if (evaluation.since !== null) status.since = formatRfc3339(evaluation.since);
  if (evaluation.next !== null) {
    status.next = evaluation.next.phase;
    status.nextAt = formatRfc3339(evaluation.next.at);
  }
  if (evaluation.eraseAt !== null) status.eraseAt = formatRfc3339(evaluation.eraseAt);
  if (evaluation.erasureBlocked !== null) status.erasureBlocked = evaluation.erasureBlocked;
  return status;
}
