// The retention rules of MISSION.md (P9) as step functions of time: each rule says which phase it
// puts the tenant in from which instant on. The engine combines them (the furthest phase and the
// earliest erase time win), so every rule stays as simple as the sentence it implements.
import type { LifecycleFacts } from './input.js';
import { addDays } from './timestamps.js';
import { LifecycleReason, type LifecycleDurations, type LifecyclePhase, type LifecycleReasonName } from './types.js';

/** From `at` on, the rule puts the tenant in `phase` for `reason`. */
export interface Step {
  phase: LifecyclePhase;
  reason: LifecycleReasonName;
  at: Date;
}

/** One rule: its state before its first step, then its steps, oldest first. */
export interface Rule {
  initial: { phase: LifecyclePhase; reason: LifecycleReasonName };
  steps: Step[];
}

const active = (reason: LifecycleReasonName): Rule['initial'] => ({ phase: 'Active', reason });

/** The instant a rule makes erasure due, if it does. */
export function ruleEraseAt(rule: Rule): Date | undefined {
  return rule.steps.find((s) => s.phase === 'Erasing')?.at;
}

/** Ends a clock at `paidAt`: the steps before it stay (they happened), then Active for Paid; nothing after. */
function stopAt(rule: Rule, paidAt: Date): Rule {
  const before = rule.steps.filter((s) => s.at.getTime() < paidAt.getTime());
  return { initial: rule.initial, steps: [...before, { phase: 'Active', reason: LifecycleReason.Paid, at: paidAt }] };
}

function trialClock(trialEndsAt: Date, d: LifecycleDurations): Rule {
  return {
    initial: active(LifecycleReason.Trial),
    steps: [
      { phase: 'Suspended', reason: LifecycleReason.TrialEnded, at: trialEndsAt },
      { phase: 'Erasing', reason: LifecycleReason.TrialEnded, at: addDays(trialEndsAt, d.trialEraseDays) },
    ],
  };
}

function paymentClock(failedAt: Date, d: LifecycleDurations): Rule {
  const r = LifecycleReason.PaymentDefault;
  return {
    initial: active(LifecycleReason.Paid),
    steps: [
      { phase: 'Suspended', reason: r, at: addDays(failedAt, d.paymentSuspendDays) },
      { phase: 'Closed', reason: r, at: addDays(failedAt, d.paymentCloseDays) },
      { phase: 'Erasing', reason: r, at: addDays(failedAt, d.paymentEraseDays) },
    ],
  };
}

/**
 * A paid tenant that was a trial. Converted before the trial's erase time: the trial's steps up to
 * paidAt, then Active. Without paidAt, or with a paidAt at or after the erase time, the plan the
 * billing system wrote (paid) is taken as it is and the trial clock is ignored: erasing a tenant
 * whose erasure has not begun and whose plan is paid is never the safe answer.
 */
function paidFromTrial(f: LifecycleFacts, d: LifecycleDurations): Rule {
  const paid: Rule = { initial: active(LifecycleReason.Paid), steps: [] };
  if (f.trialEndsAt === undefined || f.paidAt === undefined) return paid;
  const trial = trialClock(f.trialEndsAt, d);
  const eraseAt = ruleEraseAt(trial);
  return eraseAt !== undefined && f.paidAt.getTime() < eraseAt.getTime() ? stopAt(trial, f.paidAt) : paid;
}

/**
 * A payment default. A payment later than the failure cures it: the steps before the payment
 * stay, then Active, and nothing after. A payment at or after the default's erase time counts too
 * (the clock is ignored): a tenant that paid is never erased unless erasure had already begun.
 */
function paymentRule(failedAt: Date, f: LifecycleFacts, d: LifecycleDurations): Rule {
  const clock = paymentClock(failedAt, d);
  if (f.paidAt === undefined || f.paidAt.getTime() <= failedAt.getTime()) return clock;
  const eraseAt = ruleEraseAt(clock);
  if (eraseAt !== undefined && f.paidAt.getTime() >= eraseAt.getTime()) return { initial: active(LifecycleReason.Paid), steps: [] };
  return stopAt(clock, f.paidAt);
}

function paidRules(f: LifecycleFacts, d: LifecycleDurations): Rule[] {
  const rules = [paidFromTrial(f, d)];
  if (f.cancelledAt !== undefined)
    rules.push({
      initial: active(LifecycleReason.Paid),
      steps: [
        { phase: 'Closed', reason: LifecycleReason.Cancelled, at: f.cancelledAt },
        { phase: 'Erasing', reason: LifecycleReason.Cancelled, at: addDays(f.cancelledAt, d.cancelledEraseDays) },
      ],
    });
  if (f.paymentFailedAt !== undefined) rules.push(paymentRule(f.paymentFailedAt, f, d));
  return rules;
}

/** The rules of the tenant's plan (none when the plan or a field it needs is invalid). */
export function planRules(f: LifecycleFacts, d: LifecycleDurations): Rule[] {
  switch (f.plan) {
    case 'trial':
      return f.trialEndsAt === undefined ? [] : [trialClock(f.trialEndsAt, d)];
    case 'paid':
      return paidRules(f, d);
    case 'free': {
      const last = f.lastActivity ?? f.createdAt;
      if (last === undefined) return [];
      return [
        {
          initial: active(LifecycleReason.FreeActive),
          steps: [{ phase: 'Erasing', reason: LifecycleReason.Inactive, at: addDays(last, d.inactiveEraseDays) }],
        },
      ];
    }
    default:
      return [];
  }
}
