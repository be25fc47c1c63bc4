// The app's disruption budget: a node drain (an upgrade, a scale-down) evicts a tenant's app pods
// one at a time instead of all at once, so a tenant that pays for several replicas keeps serving.
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { BuildContext, Owned } from './types.js';
import { APP_NAME, appReplicas } from './app.js';
import { Component, ownedMetadata, selectorLabels } from './meta.js';

/** Name of the app's PodDisruptionBudget (the Deployment's name). */
export const APP_DISRUPTION_BUDGET_NAME = APP_NAME;

/**
 * Fewer replicas than this get no budget: with one pod, "one may be unavailable" protects nothing, and
 * "none may" would block every drain.
 */
export const MIN_REPLICAS_FOR_BUDGET = 2;

/**
 * Builds the app's PodDisruptionBudget (at most one app pod evicted at a time), or undefined for
 * fewer than two replicas, a suspended tenant, or `app.disruptionBudget: false` (see config.ts).
 */
export function buildAppDisruptionBudget(ctx: BuildContext, opts: { suspended?: boolean } = {}): Owned<PodDisruptionBudget> | undefined {
  if (!ctx.config.app.disruptionBudget || appReplicas(ctx, opts.suspended) < MIN_REPLICAS_FOR_BUDGET) return undefined;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: ownedMetadata(ctx, APP_DISRUPTION_BUDGET_NAME, { component: Component.App }),
    spec: {
      maxUnavailable: 1,
      selector: { matchLabels: selectorLabels(ctx, Component.App) },
      // Only healthy pods are protected: a pod that never became ready (crash loop, a bad image)
      // may be evicted, so a broken tenant cannot hold a node drain up indefinitely.
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  };
}
