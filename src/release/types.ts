// What the release engine (P12) and the two reconcilers that use it agree on: the Tenant
// reconciler writes each tenant's status.release from the channel's status; the ReleaseChannel
// reconciler reads those to decide the channel's rollout. Neither writes the other's object.
import type { ReleaseChannel, ReleaseChannelStatus, Tenant, TenantStatusRelease } from '../api/generated/index.js';

/** Annotation on a ReleaseChannel: a new value resumes a Halted rollout once (the last value acted on is status.resumeToken). */
export const RESUME_ANNOTATION = 'tenantry.io/resume-rollout';

/** The images a tenant runs, every component resolved (the channel's, else the operator's configured ones). */
export interface ResolvedImages {
  app: string;
  postgres: string;
  mariadb: string;
}

/** What the channel evaluation needs to know of one tenant that follows the channel. */
export interface ReleaseTenantFacts {
  name: string;
  labels: Readonly<Record<string, string>>;
  /** spec.app.image is set: no rollout touches it (counted as pinned). */
  pinned: boolean;
  /** Suspended, Closed, Erasing, Erased or being deleted: skipped now, updated when it comes back. */
  inactive: boolean;
  /** status.release as the Tenant reconciler last wrote it. */
  release?: TenantStatusRelease;
}

/** An Event the channel reconciler should emit on the ReleaseChannel. */
export interface ReleaseEvent {
  type: 'Normal' | 'Warning';
  /** CamelCase verb-noun: RolloutStarted, WaveReleased, TenantFailed, RolloutHalted, RolloutResumed, RolloutComplete, RolloutWaiting. */
  reason: string;
  message: string;
}

/** The outcome of one evaluation of a channel: pure, from the channel, its tenants and the time. */
export interface ChannelEvaluation {
  /** The status to write (conditions included); written only when it differs from the stored one. */
  status: ReleaseChannelStatus;
  /** What changed, for Events and the audit log. */
  events: ReleaseEvent[];
  /** When to evaluate again even if nothing changes (soak end, readiness timeout, window opening); undefined: on change only. */
  requeueAfterMs?: number;
  /** Tenants following the channel, not pinned, not inactive, that are not Ready on the current revision (metric). */
  outdated: number;
  /** For a security revision with outdated tenants: seconds since status.revisionSince; otherwise 0 (metric). */
  securityPatchAgeSeconds: number;
}

/** Signature of the channel evaluation (src/release/rollout.ts). */
export type EvaluateChannel = (channel: ReleaseChannel, tenants: readonly ReleaseTenantFacts[], now: Date) => ChannelEvaluation;

/** The channel a tenant follows: its spec.app.channel, else the operator's default channel, else none. */
export function followedChannel(tenant: Tenant, defaultChannel: string | undefined): string | undefined {
  return tenant.spec.app?.channel ?? defaultChannel;
}

/** Whether a tenant is pinned: its own spec.app.image, which no rollout replaces. */
export function isPinned(tenant: Tenant): boolean {
  return tenant.spec.app?.image !== undefined;
}

/** Whether a rollout skips the tenant for now: suspended, closed, erasing, erased or being deleted. */
export function isInactive(tenant: Tenant): boolean {
  const phase = tenant.status?.lifecycle?.phase ?? tenant.status?.phase;
  return (
    tenant.spec.suspend === true ||
    tenant.metadata.deletionTimestamp !== undefined ||
    phase === 'Suspended' ||
    phase === 'Closed' ||
    phase === 'Erasing' ||
    phase === 'Erased'
  );
}

/** Returns what the channel evaluation needs to know of a tenant. */
export function releaseFacts(tenant: Tenant): ReleaseTenantFacts {
  return {
    name: tenant.metadata.name ?? '',
    labels: tenant.metadata.labels ?? {},
    pinned: isPinned(tenant),
    inactive: isInactive(tenant),
    ...(tenant.status?.release ? { release: tenant.status.release } : {}),
  };
}
