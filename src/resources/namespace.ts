// The tenant's namespace: its own space (P1), with Pod Security "restricted" enforced so that no
// pod of the tenant can run privileged, share the host or escalate, whatever its spec says.
import type { Namespace } from 'kubernetes-types/core/v1.js';
import type { BuildContext, Owned } from './types.js';
import { ownedMetadata } from './meta.js';

/** The Pod Security Standards level enforced, audited and warned on in every tenant namespace. */
export const POD_SECURITY_LEVEL = 'restricted';

/** Returns the Pod Security admission labels for the configured level and version. */
export function podSecurityLabels(version: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const mode of ['enforce', 'audit', 'warn']) {
    labels[`pod-security.kubernetes.io/${mode}`] = POD_SECURITY_LEVEL;
    // Pinning the version keeps a cluster upgrade from changing what is admitted without review.
    labels[`pod-security.kubernetes.io/${mode}-version`] = version;
  }
  return labels;
}

/** Builds the tenant's Namespace (cluster-scoped, owned by the cluster-scoped Tenant). */
export function buildNamespace(ctx: BuildContext): Owned<Namespace> {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: ownedMetadata(ctx, ctx.namespace, { namespaced: false, extraLabels: podSecurityLabels(ctx.config.podSecurityVersion) }),
  };
}
