// The tenant's resource budget (P1): a ResourceQuota from its plan, so one instance cannot starve
// the others, and a LimitRange so that a container without requests still fits the quota (a quota
// on requests.cpu refuses every pod that does not state one).
import type { LimitRange, LimitRangeItem, ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { BuildContext, Owned } from './types.js';
import { ownedMetadata } from './meta.js';
import { canonicalQuantities } from './quantity.js';

/** Returns the plan settings of the tenant. */
function planOf(ctx: BuildContext) {
  return ctx.config.plans[ctx.tenant.spec.plan];
}

/** Builds the ResourceQuota of the tenant's plan. */
export function buildResourceQuota(ctx: BuildContext): Owned<ResourceQuota> {
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: ownedMetadata(ctx, 'plan'),
    spec: { hard: canonicalQuantities(planOf(ctx).quota) },
  };
}

/** Builds the LimitRange with the plan's container defaults. */
export function buildLimitRange(ctx: BuildContext): Owned<LimitRange> {
  const plan = planOf(ctx);
  const limit: LimitRangeItem = { type: 'Container' };
  // Empty maps are dropped by the API server: only set what the plan defines.
  if (Object.keys(plan.defaultLimit).length > 0) limit.default = canonicalQuantities(plan.defaultLimit);
  if (Object.keys(plan.defaultRequest).length > 0) limit.defaultRequest = canonicalQuantities(plan.defaultRequest);
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: ownedMetadata(ctx, 'container-defaults'),
    spec: { limits: [limit] },
  };
}
