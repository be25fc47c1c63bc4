// Pieces every pod template of a tenant shares: the Pod Security "restricted" contexts, the
// region pinning (P8) and image handling, so the app and the database cannot drift apart.
import type { Affinity, PodSecurityContext, SecurityContext } from 'kubernetes-types/core/v1.js';
import type { BuildContext } from './types.js';
import type { ComponentName } from './meta.js';
import { selectorLabels } from './meta.js';

/** Returns a pod-level security context that satisfies Pod Security "restricted". */
export function podSecurityContext(user: number, group: number): PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: user,
    runAsGroup: group,
    fsGroup: group,
    // Only chown the volume when its root does not match: a recursive chown of a large volume on every start delays recovery (P7).
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Returns a container-level security context that satisfies Pod Security "restricted". */
export function containerSecurityContext(user: number, group: number, readOnlyRootFilesystem: boolean): SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem,
    runAsNonRoot: true,
    runAsUser: user,
    runAsGroup: group,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * Returns the node affinity that keeps a tenant's pods on nodes of its region (P8). Required, not
 * preferred: a pod that cannot be placed in its region must stay Pending, never run elsewhere.
 */
export function regionAffinity(ctx: BuildContext): Affinity {
  const matchExpressions = Object.keys(ctx.region.nodeSelector)
    .sort()
    .map((key) => ({ key, operator: 'In', values: [ctx.region.nodeSelector[key]!] }));
  return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] } } };
}

/** Returns a required pod affinity that puts all pods of a component on one node (they share a ReadWriteOnce volume). */
export function sameNodeAffinity(ctx: BuildContext, component: ComponentName): Affinity {
  return {
    podAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        { labelSelector: { matchLabels: selectorLabels(ctx, component) }, topologyKey: 'kubernetes.io/hostname' },
      ],
    },
  };
}

/** Splits an image reference into repository, tag and digest (a registry port is not mistaken for a tag). */
export function parseImage(image: string): { repository: string; tag?: string; digest?: string } {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  const out: { repository: string; tag?: string; digest?: string } = { repository: rest };
  if (colon > rest.lastIndexOf('/')) {
    out.repository = rest.slice(0, colon);
    out.tag = rest.slice(colon + 1);
  }
  if (digest) out.digest = digest;
  return out;
}

/** Returns the image with its tag replaced; a digest is dropped because it pins the old version. */
export function withTag(image: string, tag: string): string {
  return `${parseImage(image).repository}:${tag}`;
}

/** Returns the pull policy the API server would default for an image, so desired equals stored. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  const { tag, digest } = parseImage(image);
  if (digest) return 'IfNotPresent';
  return tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
}
